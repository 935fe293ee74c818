// Go's goroutine dump at debug=2, for threads.
#pragma once

#include <ostream>

#include "model/snapshot.h"

namespace parkscope {

// Per thread, in group order (see ThreadsInGroupOrder), blank line between:
//   thread 1240 "worker" [chan send, 9 minutes]:
//   worker(Channel&)
//   	/src/fanout/fetch.cc:88 +0x4e
//   created by gather() in thread 1234
//   	/src/fanout/fetch.cc:85 +0x91
// Header: the wait label, ", N minutes" when parked at least a minute (Go's
// rule, see FormatGoMinutes), ", held by thread N" / ", joining thread N"
// when the owner is known. Per logical frame: the function (demangled names
// carry their parameter list; Go prints its own argument words here),
// " [inlined]" for an inlined frame; then a tab and file:line, with
// " +0xoff" for a non-inlined frame with an offset; frames without a file
// show module+0xoffset. Stacks deeper than 100 frames keep the first and
// last 50 (Go's elision). A stack note prints as "\t... note". Only the
// creator's one frame is shown, as in Go; the JSON report has the full
// creation stack.
void WriteDebug2(const ProcessSnapshot& snapshot, std::ostream& out);

}  // namespace parkscope
