// A second thread for work beside the capture thread's, on the other CPUs:
// every signal blocked (SIGINT, SIGTERM and the stop notices are the
// capture thread's, ptrace/signal_guard.h and stop_notice.h), kept off the
// caller's CPU (a new thread inherits the caller's affinity, which
// collect/symbol_prefetch.h may have pinned to one CPU, and left beside it
// the two shared it), and SCHED_IDLE (unless a starved dump stopped
// yielding, ptrace/cpu_yield.h), so the target's own threads always
// come first (at normal priority a helper took the other CPU from them: a
// running heartbeat thread in the target saw 3.7 ms gaps against 1.5 ms of
// idle noise).
//
// The caller waits for its helper, and on a machine that leaves no CPU idle
// a SCHED_IDLE helper gets almost none (weight 3 against 1024): so Join
// watches it while it waits, and returns it to normal priority once it is
// seen starved (ptrace/run_queue_starvation.h). A dump has its own
// watchdog for every thread of it (ptrace/cpu_yield.h); watch, record and
// run, which do not yield, had none for their helpers.
#pragma once

#include <functional>
#include <memory>
#include <thread>

namespace parkscope {

class HelperThread {
 public:
  HelperThread() = default;
  explicit HelperThread(std::function<void()> work);
  HelperThread(HelperThread&&) = default;
  HelperThread& operator=(HelperThread&&) = default;
  ~HelperThread() { Join(); }

  // Waits for the work to end (nothing if it was never started or was
  // joined already).
  void Join();

  struct Progress;  // shared with the running thread

 private:
  std::shared_ptr<Progress> progress_;
  std::thread thread_;
};

// Only the first of those: work on a new thread with every signal blocked,
// for the threads beside a capture that are not helpers of its CPU work
// (the symbol prefetch, the watchdogs of ptrace/periodic_thread.h).
std::thread StartWithSignalsBlocked(std::function<void()> work);

}  // namespace parkscope
