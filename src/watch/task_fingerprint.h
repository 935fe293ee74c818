// Whether a thread has run since parkscope last captured it, decided from
// two small /proc files and no ptrace call: the basis of incremental
// sampling (CaptureOptions::unchanged_since_previous).
//
// The evidence is the scheduler's count of how often the thread was put on
// a CPU (/proc/PID/task/TID/schedstat, third field; the kernel counts at the
// switch in, so a thread running right now has already moved it), with the
// total runtime (first field) as a cross-check. Its name (comm, which
// another thread can change without waking it) is compared every few
// samples only (Sampler: kNameCheckEvery). The baseline is taken while the thread sleeps
// in a known wait (SameWaitAfterCapture); as long as count and runtime stay
// equal it has not been on a CPU since, so its user stack, registers, wait
// and agent record (written only by the thread itself) are as they were.
// It may have been woken and not yet run: then it has not left its wait
// either. Without schedstat (kernels without CONFIG_SCHED_INFO) the context
// switch counts and the state from status serve instead; those count the
// switch out, so the state must also still say it sleeps.
//
// Rejected: stat's state letter on every sample (the stat file costs three
// times schedstat to generate: 1.5 ms against 0.5 ms for 1,000 threads,
// most of a 5 ms budget), and the syscall line (nr, args, sp, pc) as the
// test: a thread can wake, run, and park again at the same instruction with
// the same sp (a condition variable loop), so the line proves nothing about
// what ran in between; the count does. The syscall line is checked once,
// when a baseline is set, to make sure the thread we released is back in
// the very wait we copied.
//
// The baseline must be read after the capture released the thread: the
// ptrace stop itself puts the thread on a CPU twice (into the stop, and back
// into its syscall after the detach; measured: schedstat's count +2, and a
// timed sleep or futex comes back as restart_syscall with the same
// arguments, sp and pc).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "model/snapshot.h"
#include "proc/syscall_parser.h"

namespace parkscope {

struct TaskFingerprint {
  std::string name;
  uint64_t run_count = 0;   // times put on a CPU (schedstat) or taken off (status)
  uint64_t runtime_ns = 0;  // schedstat's sum_exec_runtime; 0 from status
  // From status only ('?' with schedstat): there the counts do not move
  // while a woken thread runs, so the state must still say it sleeps.
  char state = '?';
  bool operator==(const TaskFingerprint&) const = default;
};

// schedstat: "RUNTIME_NS WAIT_NS TIMESLICES\n" -> {runtime, timeslices}.
// nullopt unless exactly three unsigned decimal fields.
std::optional<std::pair<uint64_t, uint64_t>> ParseSchedstat(std::string_view text);

// S or D: asleep in the kernel.
bool IsAsleep(char state);

// After a capture released a thread: is it back in the wait that was
// copied, having done nothing else? before/before_syscall were read just
// before the capture (before_syscall by the capture's own probe);
// after/after_state/after_syscall just now. Requires both syscall lines in
// a syscall with equal sp, pc and arguments, the number equal or
// restart_syscall, the thread asleep under the same name, and its run count
// grown by no more than the stop itself explains (2 when it was stopped, 0
// when it was not).
bool SameWaitAfterCapture(const TaskFingerprint& before, const SyscallState& before_syscall,
                          const TaskFingerprint& after, char after_state,
                          const SyscallState& after_syscall, bool was_stopped);

// Reads fingerprints of one process's threads, keeping each thread's two
// files (comm, schedstat) open between samples: a pread on an open /proc
// file costs about a fifth of open+read+close (measured: 1,000 threads'
// schedstat in 0.5 ms against 2.3 ms). An open file also stays bound to its thread: once the
// thread exits, reads fail with ESRCH even if the tid is reused.
// At most max_cached_tasks threads keep files open (two descriptors each);
// the rest are read with open+read+close.
class TaskFingerprintReader {
 public:
  TaskFingerprintReader(Pid pid, size_t max_cached_tasks);
  ~TaskFingerprintReader();
  TaskFingerprintReader(const TaskFingerprintReader&) = delete;
  TaskFingerprintReader& operator=(const TaskFingerprintReader&) = delete;

  // nullopt when the thread is gone or its files cannot be parsed. Without
  // with_name the name is left empty and comm is not read (half the reads).
  std::optional<TaskFingerprint> Read(Tid tid, bool with_name = true);
  // The state letter and the syscall line, read fresh (not cached; used
  // once per capture).
  char ReadState(Tid tid);
  std::optional<SyscallState> ReadSyscall(Tid tid);
  // Closes the thread's files (it exited).
  void Forget(Tid tid);
  size_t cached_tasks() const { return files_.size(); }

 private:
  enum class Counters { kUnknown, kSchedstat, kStatus };
  struct Files {
    int comm = -1;
    int counters = -1;  // schedstat, or status without it
  };
  bool OpenFiles(Tid tid, Files* files);
  std::optional<TaskFingerprint> Parse(std::string_view comm, std::string_view counters) const;
  std::optional<TaskFingerprint> ReadFiles(const Files& files, bool with_name) const;

  Pid pid_;
  size_t max_cached_tasks_;
  Counters counters_ = Counters::kUnknown;
  std::unordered_map<Tid, Files> files_;
};

}  // namespace parkscope
