// Go's goroutine profile at debug=1, for threads.
#pragma once

#include <ostream>

#include "model/snapshot.h"

namespace parkscope {

// "threads profile: total N", then one record per distinct list of physical
// pcs (inlined frames share their physical frame's pc, which is listed once),
// sorted by count descending, then by the "@ ..." key:
//   80 @ 0x7f3a12c9e117 0x7f3a12ca0c74 0x55d0c0a0152e ...
//   #	0x7f3a12c9e116	futex_wait+0x1a6	./nptl/futex-internal.c:57
// with the columns aligned by tabs exactly as Go's text/tabwriter (minwidth
// 1, tabwidth 8, padding 1, padchar '\t') aligns them, and a blank line after
// each record. The "#" lines show the lookup pc: pc - 1 for return addresses
// (like Go's runtime.CallersFrames), the raw pc for exact frames; offsets
// follow it. Inlined frames print no "+0xoff" (no symbol of their own); frames
// without a function print module+0xoffset instead.
// Threads without a stack (capture failed) are not counted: debug=1 has no
// way to show them; the other reports do.
void WriteDebug1(const ProcessSnapshot& snapshot, std::ostream& out);

}  // namespace parkscope
