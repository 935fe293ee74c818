// What /proc says about one thread, read before the thread is stopped: a
// ptrace stop wakes the thread, which rewrites its state, its syscall line
// and its last-ran time, so these must be read first.
#pragma once

#include <optional>
#include <string>

#include "model/snapshot.h"
#include "proc/sched_clock.h"
#include "proc/sched_parser.h"
#include "proc/syscall_parser.h"
#include "proc/task_files.h"

namespace parkscope {

struct TaskProbe {
  bool exists = false;  // false: the thread was gone before we looked
  std::string name;
  char state = '?';
  std::optional<SyscallState> syscall;
  std::optional<SchedInfo> sched;
  std::optional<int64_t> blocked_ns;  // time since it last ran, from sched
  int64_t probed_at_ns = 0;  // CLOCK_MONOTONIC when the syscall line was read
};

// `now` gives "now" on the clock of the CPU the thread last ran on. With
// syscall_file, the syscall line is left open there to be read again.
TaskProbe ProbeTask(const TaskFiles& files, Tid tid, SchedClock& now,
                    KeptRecord* syscall_file = nullptr);
TaskProbe ProbeTask(Pid pid, Tid tid, SchedClock& now);

}  // namespace parkscope
