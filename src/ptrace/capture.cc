#include "ptrace/capture.h"

#include <time.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <deque>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>

#include "proc/proc_files.h"
#include "proc/sched_parser.h"
#include "proc/status_parser.h"
#include "proc/task_files.h"
#include "proc/task_list.h"
#include "ptrace/disturbed_calls.h"
#include "ptrace/helper_thread.h"
#include "ptrace/remote_memory.h"
#include "ptrace/seize_watchdog.h"
#include "ptrace/signal_guard.h"
#include "ptrace/stop_notice.h"
#include "ptrace/thread_stop.h"

namespace parkscope {
namespace {

// When sp lies in no mapping we knew of (a thread created after maps were
// read), copy this much and let the short read stop at the first hole.
constexpr uint64_t kUnknownStackWindow = 64 * 1024;
constexpr size_t kMapsMax = 64 << 20;
// Rounds a thread found on a CPU is put back before it is stopped anyway,
// and how long after the first look each retry comes. A thread that is
// only passing through user space between two waits is back in the kernel
// within microseconds; probing again at once (a bare sched_yield) looked at
// it while it was still on its way, and the final stop then landed just as
// it entered an EINTR-prone call (seen as recv with SO_RCVTIMEO returning
// EINTR under a loaded ctest run). Spreading the looks over a few
// milliseconds decorrelates them; a thread that is truly busy costs the
// capture at most their sum (3.5 ms) of sleep, not CPU.
constexpr int kRunningRetries = 3;
constexpr int64_t kRetryAfterNs[kRunningRetries] = {500'000, 1'000'000, 2'000'000};

void SleepUntil(int64_t monotonic_ns) {
  const int64_t now = MonotonicNs();
  if (now >= monotonic_ns) return;
  const int64_t left = monotonic_ns - now;
  timespec pause{static_cast<time_t>(left / 1'000'000'000), static_cast<long>(left % 1'000'000'000)};
  nanosleep(&pause, nullptr);  // an early wake-up (EINTR) only shortens the wait
}

std::vector<MapEntry> ReadMaps(Pid pid, Tid any_tid, MapsMemo* memo = nullptr) {
  auto file = ReadProcFile(ProcPath(pid, "maps"), kMapsMax);
  // A zombie leader has an empty /proc/PID/maps; a live thread still has
  // the process's maps under its own task directory.
  if ((!file.ok() || file.text.empty()) && any_tid != 0) {
    file = ReadProcFile(TaskPath(pid, any_tid, "maps"), kMapsMax);
  }
  if (!file.ok()) return {};
  if (memo == nullptr) return ParseMaps(file.text).entries;
  if (file.text != memo->text) {
    memo->entries = ParseMaps(file.text).entries;
    memo->text = std::move(file.text);
  }
  return memo->entries;
}

// Copies [sp - red zone, end of sp's mapping), at most max_bytes.
void CopyStack(Tid tid, const std::vector<MapEntry>& maps, size_t max_bytes,
               RawThread* thread) {
  const uint64_t sp = thread->regs.sp();
  uint64_t start = sp >= kRedZoneBytes ? sp - kRedZoneBytes : 0;
  uint64_t end;
  const MapEntry* mapping = FindMapping(maps, sp);
  if (mapping != nullptr) {
    start = std::max(start, mapping->start);
    end = mapping->end;
  } else {
    end = start + kUnknownStackWindow;
    thread->note = "stack mapping unknown; copied up to 64 KiB";
  }
  if (end - start > max_bytes) {
    end = start + max_bytes;
    thread->note = "stack cut at " + std::to_string(max_bytes / 1024) +
                   " KiB (--max-stack)";
  }
  thread->stack.resize(end - start);
  long got = ReadRemote(tid, start, thread->stack.data(), thread->stack.size());
  thread->stack.resize(got > 0 ? static_cast<size_t>(got) : 0);
  thread->stack_start = start;
  if (got <= 0) thread->note = "stack unreadable";
}

enum class Plan { kSkip, kStop, kNoStop, kCopyAsleep };

Plan PlanFor(Pid pid, const TaskProbe& probe, const CaptureOptions& options,
             std::string* why) {
  if (probe.state == 'Z' || probe.state == 'X') {
    *why = "zombie: exited, no stack";
    return Plan::kSkip;
  }
  const bool in_syscall =
      probe.syscall && probe.syscall->kind == SyscallState::Kind::kInSyscall;
  // Uninterruptible sleep reports a ptrace stop only when it leaves the
  // kernel, which may be never; its sp/pc are readable without a stop.
  if (probe.state == 'D' && probe.syscall &&
      probe.syscall->kind != SyscallState::Kind::kRunning) {
    *why = "in uninterruptible sleep: unwound without stopping";
    return Plan::kNoStop;
  }
  if (options.stop_all || options.consistent || !in_syscall) return Plan::kStop;
  const int nr = probe.syscall->nr;
  if (IsAlwaysDisturbedByStop(nr) ||
      (IsSocketCall(nr) && SocketHasTimeout(pid, probe.syscall->args[0]))) {
    *why = "not stopped: a stop would make its syscall " + std::to_string(nr) +
           " return EINTR (use --stop-all); unwound from sp/pc only";
    return Plan::kNoStop;
  }
  // Asleep ('S') rather than 'D', 'T' or 't': a sleeping thread is woken only
  // by its own wait ending, and its run time tells whether it did.
  if (probe.state == 'S' && probe.sched && probe.sched->sum_exec_runtime_ns) {
    return Plan::kCopyAsleep;
  }
  return Plan::kStop;
}

std::string DescribeStopFailure(const ThreadStop& stop) {
  switch (stop.status()) {
    case StopStatus::kGone: return "exited during capture";
    case StopStatus::kAlreadyTraced: return "traced by another process";
    case StopStatus::kNoPermission: return "no permission to trace (EPERM)";
    case StopStatus::kTimeout: return "did not stop within the stop timeout";
    default: return std::string("ptrace failed: ") + strerror(stop.err());
  }
}

// Reads registers and stack of a thread that `stop` holds.
void CopyStopped(const std::vector<MapEntry>& maps, const CaptureOptions& options,
                 const ThreadStop& stop, RawThread* thread) {
  if (stop.status() != StopStatus::kStopped) {
    thread->error = DescribeStopFailure(stop);
    return;
  }
  if (int err = ReadRegisters(thread->tid, &thread->regs); err != 0) {
    thread->error = std::string("reading registers failed: ") + strerror(err);
    return;
  }
  CopyStack(thread->tid, maps, options.max_stack_bytes, thread);
  thread->method = CaptureMethod::kPtraceStop;
}

// A thread parked in the kernel cannot move its stack, so a copy taken
// without stopping it is exact as long as it stays parked. Takes registers
// from the syscall line the probe read and copies the stack; true if the
// same line read again afterwards is unchanged (a thread on a CPU says
// "running").
bool CopyFromSyscallLine(const KeptRecord& syscall_file, const std::vector<MapEntry>& maps,
                         const CaptureOptions& options, RawThread* thread) {
  const SyscallState& before = *thread->probe.syscall;
  thread->regs = RegistersFromSyscall(before);
  CopyStack(thread->tid, maps, options.max_stack_bytes, thread);
  auto after_file = syscall_file.ReadAgain(512);
  auto after = after_file.ok() ? ParseSyscall(after_file.text) : std::nullopt;
  return after && after->kind == before.kind && after->sp == before.sp &&
         after->pc == before.pc && after->nr == before.nr;
}

// A thread in a call that a stop would disturb is never stopped; if it
// woke during the copy, the report says so.
void CaptureNoStop(const KeptRecord& syscall_file, const std::vector<MapEntry>& maps,
                   const CaptureOptions& options, RawThread* thread) {
  std::string why = thread->note;
  const bool parked = CopyFromSyscallLine(syscall_file, maps, options, thread);
  if (!thread->note.empty() && thread->note != why) why += "; " + thread->note;
  thread->note = why;
  if (!parked) thread->note += "; woke during the copy, stack may be torn";
  thread->method = CaptureMethod::kNoStop;
}

// A thread asleep in a syscall does not touch its stack until it wakes and
// runs, so while it sleeps its stack can be copied without stopping it:
// the thread is never interrupted, and no ptrace call is made on it at all.
// Whether it stayed asleep is checked afterwards, in this order: its
// syscall line, then its run time (se.sum_exec_runtime, which grows with
// every run that has ended). Both unchanged since the probe read them
// means it did not run between the probe and the check, so the copy is
// exact. Otherwise false, and the caller stops it.
bool CopyAsleep(const TaskFiles& files, const KeptRecord& syscall_file,
                const std::vector<MapEntry>& maps, const CaptureOptions& options,
                RawThread* thread) {
  if (!CopyFromSyscallLine(syscall_file, maps, options, thread)) return false;
  auto run_file = files.Read(thread->tid, "schedstat", 256);
  auto run_ns = run_file.ok() ? ParseSchedstatRunNs(run_file.text) : std::nullopt;
  if (!run_ns || *run_ns != *thread->probe.sched->sum_exec_runtime_ns) return false;
  thread->method = CaptureMethod::kNoStop;
  thread->copied_asleep = true;
  return true;
}

void RecordHeld(const ThreadStop& stop, RawThread* thread, CaptureStats* stats) {
  thread->held_ns = stop.held_ns();
  const uint64_t us = static_cast<uint64_t>(stop.held_ns() / 1000);
  stats->threads_stopped_total_us += us;
  if (us >= stats->longest_stop_us) {
    stats->longest_stop_us = us;
    stats->longest_stop_tid = thread->tid;
  }
}

CaptureStatus Summarize(RawCapture* capture) {
  size_t captured = 0, no_permission = 0, traced = 0, failed = 0;
  for (const auto& t : capture->threads) {
    if (t.method != CaptureMethod::kNone) ++captured;
    if (t.error.empty()) continue;
    ++failed;
    if (t.error.find("no permission") != std::string::npos) ++no_permission;
    if (t.error.find("another process") != std::string::npos) ++traced;
  }
  capture->stats.complete = failed == 0;
  if (failed == 0) return CaptureStatus::kOk;
  if (captured > 0) return CaptureStatus::kPartial;
  if (traced > 0) return CaptureStatus::kAlreadyTraced;
  if (no_permission > 0) return CaptureStatus::kNoPermission;
  return CaptureStatus::kError;
}

enum class ThreadOutcome { kDone, kDeferred };

// A thread asked to stop and not yet collected.
struct InFlightStop {
  RawThread thread;
  ThreadStop stop;
};

// How many stops are asked for before the oldest is waited on. A stop is a
// round trip: the thread must be scheduled, take the trap and report it,
// and one at a time that round trip (not the copy) was most of a thread's
// cost. With several in flight they overlap, while each thread is still
// held only for the copies of the few ahead of it (about 10 us each), so
// the longest stop stays far below 1 ms.
constexpr size_t kStopsInFlight = 3;
// A first round of this many threads or more is shared with a helper
// (AsleepShare): half the /proc reads and copies on the other CPU.
constexpr size_t kThreadsWorthAShare = 200;

// Waits for the oldest in-flight stop, copies the thread and releases it.
void CollectOldest(const CaptureOptions& options, std::deque<InFlightStop>* in_flight,
                   RawCapture* capture) {
  InFlightStop& oldest = in_flight->front();
  oldest.stop.Wait(options.stop_timeout_ns);
  if (oldest.stop.status() != StopStatus::kGone) {
    CopyStopped(capture->maps, options, oldest.stop, &oldest.thread);
    oldest.stop.Release();
    RecordHeld(oldest.stop, &oldest.thread, &capture->stats);
    capture->threads.push_back(std::move(oldest.thread));
  }
  in_flight->pop_front();  // releases the stop if it was not released above
}

void CollectAll(const CaptureOptions& options, std::deque<InFlightStop>* in_flight,
                RawCapture* capture) {
  while (!in_flight->empty()) CollectOldest(options, in_flight, capture);
}

// Probes one thread and captures it as its plan says. A thread to stop is
// asked to stop right after its probe (the probe is what decided that a
// stop is safe, so the gap stays as short as it can be) and collected
// later, from `in_flight`.
ThreadOutcome CaptureThread(const TaskFiles& files, Tid tid, const CaptureOptions& options,
                            SchedClock& clock, bool may_defer,
                            std::vector<ThreadStop>* frozen,
                            std::deque<InFlightStop>* in_flight, RawCapture* capture) {
  const Pid pid = files.pid();
  RawThread thread;
  thread.tid = tid;
  KeptRecord syscall_file;
  thread.probe = ProbeTask(files, tid, clock, &syscall_file);
  if (!thread.probe.exists) return ThreadOutcome::kDone;  // exited meanwhile
  const bool on_cpu =
      thread.probe.state == 'R' || (thread.probe.syscall &&
                                    thread.probe.syscall->kind == SyscallState::Kind::kRunning);
  if (may_defer && on_cpu) return ThreadOutcome::kDeferred;
  std::string why;
  Plan plan = PlanFor(pid, thread.probe, options, &why);
  thread.note = why;
  // Incremental sampling defers reading maps (the largest /proc file of a
  // process with many thread stacks) until a thread needs a copy.
  if (options.unchanged_since_previous && plan != Plan::kSkip && capture->maps.empty()) {
    capture->maps = ReadMaps(pid, tid, options.maps_memo);
  }
  if (plan == Plan::kCopyAsleep) {
    if (CopyAsleep(files, syscall_file, capture->maps, options, &thread)) {
      capture->threads.push_back(std::move(thread));
      // A stop asked for earlier is collected now, not when two more stops
      // fill the queue: among threads copied asleep that could be the end
      // of the round (a heartbeat thread was held 46 ms that way).
      if (!in_flight->empty()) CollectOldest(options, in_flight, capture);
      return ThreadOutcome::kDone;
    }
    // It ran meanwhile: stop it, for a copy that cannot be torn.
    thread.note.clear();
    thread.stack.clear();
    thread.regs = RegisterSet{};
    plan = Plan::kStop;
  }
  if (plan == Plan::kStop) {
    ThreadStop stop(tid);
    if (stop.Begin() == StopStatus::kGone) return ThreadOutcome::kDone;
    if (options.consistent) {
      stop.Wait(options.stop_timeout_ns);
      if (stop.status() == StopStatus::kGone) return ThreadOutcome::kDone;
      frozen->push_back(std::move(stop));
    } else {
      in_flight->push_back({std::move(thread), std::move(stop)});
      if (in_flight->size() >= kStopsInFlight) CollectOldest(options, in_flight, capture);
      return ThreadOutcome::kDone;
    }
  } else if (plan == Plan::kNoStop) {
    CaptureNoStop(syscall_file, capture->maps, options, &thread);
  }
  capture->threads.push_back(std::move(thread));
  return ThreadOutcome::kDone;
}

// A helper thread (on the other CPU) that takes its share of a large first
// round: both it and the capture thread take the next thread from one
// counter, so the faster does more (a fixed half left the helper, sharing
// its CPU with the symbol prefetch, working 20 ms after the capture thread
// was done). The threads it finds asleep it copies without a stop, and
// those parked in calls a stop would disturb it copies as CaptureNoStop
// does: no ptrace call at all. Every thread that needs a stop it hands
// back to the capture thread, since only the thread that seized a tracee
// can wait for it.
class AsleepShare {
 public:
  // tids, next and maps must outlive Finish.
  AsleepShare(const TaskFiles& files, const std::vector<Tid>& tids, std::atomic<size_t>* next,
              const CaptureOptions& options, const std::vector<MapEntry>& maps,
              SchedClock clock)
      : tids_(tids), next_(next), clock_(std::move(clock)) {
    helper_ = StartHelperThread([this, &files, &options, &maps] { Run(files, options, maps); });
  }
  ~AsleepShare() { Finish(); }
  AsleepShare(const AsleepShare&) = delete;
  AsleepShare& operator=(const AsleepShare&) = delete;

  // Waits for the helper; what it handed back is then in handed_back().
  void Finish() {
    if (helper_.joinable()) helper_.join();
  }
  std::vector<RawThread>& copied() { return copied_; }
  const std::vector<Tid>& handed_back() const { return handed_back_; }
  // Asks the helper to take no more threads (an interrupted capture).
  void Abandon() { abandon_requested_.store(true, std::memory_order_relaxed); }

 private:
  void Run(const TaskFiles& files, const CaptureOptions& options,
           const std::vector<MapEntry>& maps) {
    for (size_t i; !Abandoned() && (i = next_->fetch_add(1)) < tids_.size();) {
      RawThread thread;
      thread.tid = tids_[i];
      KeptRecord syscall_file;
      thread.probe = ProbeTask(files, thread.tid, clock_, &syscall_file);
      if (!thread.probe.exists) continue;  // exited meanwhile
      std::string why;
      const Plan plan = PlanFor(files.pid(), thread.probe, options, &why);
      thread.note = why;
      if (plan == Plan::kCopyAsleep && CopyAsleep(files, syscall_file, maps, options, &thread)) {
        copied_.push_back(std::move(thread));
      } else if (plan == Plan::kNoStop) {
        CaptureNoStop(syscall_file, maps, options, &thread);
        copied_.push_back(std::move(thread));
      } else if (plan == Plan::kSkip) {
        copied_.push_back(std::move(thread));
      } else {
        handed_back_.push_back(thread.tid);
      }
    }
  }
  bool Abandoned() const { return abandon_requested_.load(std::memory_order_relaxed); }

  const std::vector<Tid>& tids_;
  std::atomic<size_t>* next_;
  SchedClock clock_;  // the capture thread's readings (SchedClock::ReadingsCopy)
  std::vector<RawThread> copied_;
  std::vector<Tid> handed_back_;
  std::atomic<bool> abandon_requested_{false};
  std::thread helper_;
};

// Worth a helper: enough threads to split, a second CPU, and a one-off
// capture that stops only what must be stopped.
bool ShareWithAHelper(const CaptureOptions& options, size_t threads) {
  return threads >= kThreadsWorthAShare && !options.consistent && !options.stop_all &&
         !options.unchanged_since_previous && std::thread::hardware_concurrency() >= 2;
}

}  // namespace

RawCapture CaptureProcess(Pid pid, const CaptureOptions& options) {
  RawCapture capture;
  capture.pid = pid;
  const int64_t began = MonotonicNs();
  SignalGuard signals;
  StopNoticeScope stop_notices;
  SeizeWatchdog exec_deadlock_breaker;

  TaskList tasks = ListTasks(pid);
  if (tasks.status != ListStatus::kOk || tasks.tids.empty()) {
    capture.status = CaptureStatus::kGone;
    capture.error = "no process with pid " + std::to_string(pid);
    return capture;
  }
  if (auto status_file = ReadProcFile(ProcPath(pid, "status"), 16384);
      status_file.ok()) {
    auto status = ParseStatus(status_file.text);
    if (status && status->tracer_pid != 0) {
      capture.status = CaptureStatus::kAlreadyTraced;
      capture.error = "pid " + std::to_string(pid) +
                      " is already traced by pid " +
                      std::to_string(status->tracer_pid);
      return capture;
    }
  }
  if (!options.unchanged_since_previous) capture.maps = ReadMaps(pid, tasks.tids.back());

  const TaskFiles files(pid);
  std::set<Tid> seen;
  std::vector<ThreadStop> frozen;  // --consistent: held until all are copied
  // Declared after `frozen`, so it is released first on an early return.
  std::deque<InFlightStop> in_flight;
  SchedClock clock([&] { CollectAll(options, &in_flight, &capture); });
  for (int pass = 0; pass < options.max_passes; ++pass) {
    if (pass > 0) tasks = ListTasks(pid);
    if (tasks.status != ListStatus::kOk) break;
    capture.stats.passes = pass + 1;
    std::vector<Tid> pending;
    capture.threads.reserve(capture.threads.size() + tasks.tids.size());
    if (options.unchanged_since_previous) {
      pending = tasks.tids;  // one pass only (see below): nothing seen before
    } else {
      for (Tid tid : tasks.tids) {
        if (seen.insert(tid).second) pending.push_back(tid);
      }
    }
    if (pending.empty()) break;
    // A thread seen on a CPU may be about to enter a call that a stop
    // would interrupt (the probe cannot see the future), so it is probed
    // again after the others, when it has most likely parked; only the
    // last round stops it regardless.
    int64_t round_end_ns = 0;
    for (int round = 0; round <= kRunningRetries && !pending.empty(); ++round) {
      if (round > 0) SleepUntil(round_end_ns + kRetryAfterNs[round - 1]);
      std::vector<Tid> running;
      // False when a held signal asks us to stop.
      auto visit = [&](Tid tid) {
        // Before the signal check: a thread left untouched needs no bail-out
        // point, and a thousand sigpending calls are a fifth of a repeat
        // sample's budget.
        if (options.unchanged_since_previous && options.unchanged_since_previous(tid)) {
          RawThread& reused = capture.threads.emplace_back();
          reused.tid = tid;
          reused.reused = true;
          reused.probe.exists = true;
          return true;
        }
        if (signals.Interrupted()) return false;
        const bool may_defer = round < kRunningRetries && !options.stop_all;
        if (CaptureThread(files, tid, options, clock, may_defer, &frozen, &in_flight,
                          &capture) == ThreadOutcome::kDeferred) {
          running.push_back(tid);
        }
        return true;
      };
      std::atomic<size_t> next{0};
      std::optional<AsleepShare> share;
      if (round == 0 && ShareWithAHelper(options, pending.size())) {
        clock.ReadAll(static_cast<int>(std::thread::hardware_concurrency()));
        share.emplace(files, pending, &next, options, capture.maps, clock.ReadingsCopy());
      }
      bool interrupted = false;
      for (size_t i; !interrupted && (i = next.fetch_add(1)) < pending.size();) {
        interrupted = !visit(pending[i]);
      }
      if (share) {
        if (interrupted) share->Abandon();
        share->Finish();
        for (RawThread& copied : share->copied()) capture.threads.push_back(std::move(copied));
        for (size_t i = 0; i < share->handed_back().size() && !interrupted; ++i) {
          interrupted = !visit(share->handed_back()[i]);
        }
      }
      if (interrupted) {
        capture.status = CaptureStatus::kInterrupted;
        capture.error = "interrupted; every thread was released";
        return capture;  // `frozen` and `in_flight` release on the way out
      }
      CollectAll(options, &in_flight, &capture);
      pending = std::move(running);
      round_end_ns = MonotonicNs();
    }
    // Incremental sampling lists the tasks once: listing 1,000 of them
    // costs a millisecond, a fifth of a repeat sample's budget, and the
    // next sample (one interval later) finds a thread created during this
    // pass, as if it had been created a moment after it.
    if (options.unchanged_since_previous) break;
  }

  if (options.consistent) {
    capture.stats.consistent = true;
    std::unordered_map<Tid, RawThread*> by_tid;
    for (RawThread& t : capture.threads) by_tid[t.tid] = &t;
    for (auto& stop : frozen) {
      if (auto it = by_tid.find(stop.tid()); it != by_tid.end()) {
        CopyStopped(capture.maps, options, stop, it->second);
      }
    }
    for (auto& stop : frozen) stop.Release();
    for (auto& stop : frozen) {
      if (auto it = by_tid.find(stop.tid()); it != by_tid.end()) {
        RecordHeld(stop, it->second, &capture.stats);
      }
    }
  }

  // Reads of memory and files go through the leader while it lives; once it
  // is a zombie, through the oldest captured thread (short-lived threads
  // may be gone by the time we symbolize).
  // A reused thread was parked and is alive as far as we know, so it
  // serves as well as a captured one.
  auto usable = [](const RawThread& t) { return t.method != CaptureMethod::kNone || t.reused; };
  for (const auto& t : capture.threads) {
    if (t.tid == pid && usable(t)) capture.memory_tid = pid;
  }
  for (const auto& t : capture.threads) {
    if (capture.memory_tid != 0) break;
    if (usable(t)) capture.memory_tid = t.tid;
  }
  if (capture.threads.empty()) {
    capture.status = CaptureStatus::kGone;
    capture.error = "pid " + std::to_string(pid) + " exited during the capture";
  } else {
    capture.status = Summarize(&capture);
  }
  capture.stats.wall_us = static_cast<uint64_t>((MonotonicNs() - began) / 1000);
  return capture;
}

std::vector<size_t> StopAndCopyAgain(const CaptureOptions& options,
                                     const std::vector<size_t>& indices,
                                     RawCapture* capture) {
  std::vector<size_t> stopped;
  SignalGuard signals;
  StopNoticeScope stop_notices;
  SeizeWatchdog exec_deadlock_breaker;
  for (size_t i : indices) {
    if (signals.Interrupted()) break;
    RawThread& first = capture->threads[i];
    ThreadStop stop(first.tid);
    if (stop.Begin() == StopStatus::kGone) continue;
    stop.Wait(options.stop_timeout_ns);
    RawThread again;
    again.tid = first.tid;
    CopyStopped(capture->maps, options, stop, &again);
    stop.Release();
    if (again.method != CaptureMethod::kPtraceStop) continue;
    RecordHeld(stop, &again, &capture->stats);
    first.regs = again.regs;
    first.stack = std::move(again.stack);
    first.stack_start = again.stack_start;
    first.note = again.note;
    first.method = again.method;
    first.held_ns = again.held_ns;
    first.copied_asleep = false;
    stopped.push_back(i);
  }
  return stopped;
}

}  // namespace parkscope
