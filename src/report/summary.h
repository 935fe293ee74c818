// The default report, for a human at a terminal.
#pragma once

#include <ostream>
#include <string_view>
#include <vector>

#include "model/snapshot.h"

namespace parkscope {

// Layout:
//   parkscope: pid 1234 (fanout --leak) — 85 threads, 81 parked
//   capture: 85 threads in 12.3 ms; stopped 2.1 ms total, longest 45 us
//            (tid 1240); complete              [one line]
//   blocked durations: time since the wait began (agent)
//
//   DEADLOCK: thread 1236 "a" waits for thread 1237 (mutex lock at x.cc:30);
//             thread 1237 "b" waits for thread 1236 (...)   [one line each]
//
//   80 threads  [chan send, blocked 9m12s .. 9m40s]  at fetch.cc:88 in
//   worker(Channel&)
//     created by gather() at fetch.cc:85 in thread 1234
//       <representative's stack, one frame a line: function  file:line;
//        runtime frames without directories; a run of identical frames
//        (recursion) once, with "(N times)"; Go's 50 + 50 elision>
//     tids: 1240 1241 ... (first 20, then "… (+N more)")
//   (a group of one thread ends with its name instead:  tid: 1236 "a")
//
//   not captured:
//     thread 1322 "loader" [io wait, blocked 3.2s]: <capture_error>
// The owner ("held by thread T") joins the group's bracket when all of its
// threads wait for the same owner, else it follows each tid. Groups are
// printed in snapshot.groups order. A group whose every thread
// failed capture has no stack to show; its threads appear only under
// "not captured:". Names are cleaned and shortened to ~120 characters.
void WriteSummary(const ProcessSnapshot& snapshot, std::ostream& out);

// One stack as the summary prints it: a line per frame ("function
// file:line [inlined]"), repeated frames folded, Go's 50 + 50 elision, and
// the note (why it is incomplete) last. Shared with the leak report.
void WriteStackLines(const std::vector<Frame>& frames, std::string_view note,
                     std::string_view indent, std::ostream& out);

// "  created by FUNCTION at file:line in thread TID".
void WriteCreatedBy(const CreatedBy& created_by, std::ostream& out);

}  // namespace parkscope
