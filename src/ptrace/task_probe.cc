#include "ptrace/task_probe.h"

#include "proc/comm.h"
#include "proc/proc_files.h"
#include "proc/stat_parser.h"
#include "ptrace/thread_stop.h"

namespace parkscope {
namespace {

// Sizes well above what the kernel writes; anything longer is not /proc.
constexpr size_t kStatMax = 4096;
constexpr size_t kSyscallMax = 512;
constexpr size_t kSchedMax = 16384;

}  // namespace

TaskProbe ProbeTask(Pid pid, Tid tid, SchedClock& now) {
  TaskFiles files(pid);
  return ProbeTask(files, tid, now);
}

TaskProbe ProbeTask(const TaskFiles& files, Tid tid, SchedClock& now,
                    KeptRecord* syscall_file) {
  const Pid pid = files.pid();
  TaskProbe probe;
  auto stat_file = files.Read(tid, "stat", kStatMax);
  if (!stat_file.ok()) return probe;
  probe.exists = true;
  int cpu = -1;
  if (auto stat = ParseStat(stat_file.text)) {
    probe.state = stat->state;
    probe.name = stat->comm;
    cpu = stat->processor;
  }
  // comm in stat is the same 16-byte name; read comm only if stat failed.
  if (probe.name.empty()) probe.name = ReadThreadName(pid, tid);

  auto sched_file = files.Read(tid, "sched", kSchedMax);
  if (sched_file.ok()) {
    probe.sched = ParseSched(sched_file.text);
    // A running thread is not blocked (ClassifyWait says 0), and reading
    // "now" for its CPU would mean waiting there for a turn beside it.
    if (probe.sched && probe.state != 'R') {
      SchedInfo self;
      self.exec_start_ns = now.NowNs(cpu);
      probe.blocked_ns = BlockedNs(*probe.sched, self);
    }
  }
  // Last, right before the caller decides whether to stop the thread: the
  // syscall line is what that decision rests on, so keep it fresh.
  KeptRecord own;
  auto syscall = files.ReadAndKeep(tid, "syscall", kSyscallMax,
                                   syscall_file != nullptr ? syscall_file : &own);
  if (syscall.ok()) probe.syscall = ParseSyscall(syscall.text);
  probe.probed_at_ns = MonotonicNs();
  return probe;
}

}  // namespace parkscope
