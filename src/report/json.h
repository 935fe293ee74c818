// The snapshot as JSON, schema "parkscope.snapshot/1", and back.
#pragma once

#include <optional>
#include <ostream>
#include <string_view>

#include "model/snapshot.h"

namespace parkscope {

inline constexpr char kJsonSchema[] = "parkscope.snapshot/1";

// Writes the snapshot with stable keys in a fixed order, 2-space indent and
// a trailing newline. Top level: schema, pid, command, taken_at_unix_ns,
// agent_present, threads[], groups[], deadlocks[], capture{}.
//   thread: tid, name, state (the /proc letter as a string), wait{reason
//     (the label), object, object_kind, fd_kind (omitted when empty), syscall,
//     blocked_ns, blocked_source, owner_tid}, capture_method, stack_note,
//     capture_error, stopped_us, site{function, file, line} | null,
//     frames[] (innermost first: pc, function, symbol, file, line, inlined,
//     module, module_offset, runtime), created_by{tid, frames[]} | null.
//   group: reason, site{function, file, line}, count, tids, max_blocked_ns,
//     min_blocked_ns, in_deadlock.   deadlock: tids.
//   capture: wall_us, threads_stopped_total_us, longest_stop_us,
//     longest_stop_tid, passes, complete, consistent.
// Unknown values are null, never 0 or -1. Strings that are not valid UTF-8
// (thread names are arbitrary bytes) have the bad bytes replaced by U+FFFD.
void WriteJson(const ProcessSnapshot& snapshot, std::ostream& out);

// The inverse of WriteJson, for tests and tools that post-process dumps.
// Returns nullopt when text is not JSON, is not this schema, or a field has
// the wrong type or range; never throws.
// What the schema does not carry is rebuilt or lost:
//   - site_frame: the innermost frame with "runtime": false;
//   - a group's representative: recomputed (blocked longest, lowest tid);
//   - wait.reason: a label that names a reason ("mutex lock",
//     "other syscall 7") restores it; any other label is an annotation,
//     whose reason underneath is not in the schema: it reads back as
//     kFutexWait for a futex object, kIoWait for an fd, else kUnknown;
//   - Frame::function_offset and Frame::is_activation are not in the
//     schema and read back as 0 / false.
std::optional<ProcessSnapshot> ReadJsonSnapshot(std::string_view text);

}  // namespace parkscope
