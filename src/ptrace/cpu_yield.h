// parkscope gives the CPU to the target while it works: its threads run
// SCHED_IDLE, so a thread of the target (or of anything else) that wakes
// takes the CPU from them at once, instead of waiting out a scheduler
// slice behind them.
//
// Why: sched_switch tracing of a running heartbeat thread in a
// 1,000-thread target showed it woken onto a CPU where one of our threads
// ran, and our thread keeping that CPU for 2.0 to 2.5 ms: between two
// threads of equal weight EEVDF preempts on wake-up only once the running
// one has used its slice. A waking normal thread preempts an idle-policy
// one (check_preempt_wakeup_fair), though EEVDF may still pick ours first
// for up to a tick. Side by side, 30 dumps each: the heartbeat's longest
// gap at the 75th percentile 2.1 and 3.1 ms before, 1.3 ms with this (1.05
// and 1.2 ms idle), its single worst 8.3 ms before, 3.3 ms with this.
//
// Two exceptions keep the capture's own promises:
// - While this process holds a thread stopped (ptrace/thread_stop.h), the
//   thread that holds it runs at normal priority: a stop must stay short
//   even on a busy machine, and a preempted tracer would lengthen it.
// - A machine that leaves no idle time would starve an idle-policy dump
//   (SCHED_IDLE weighs 3 against a normal thread's 1024: a 50 ms dump
//   could take seconds). A watchdog at normal priority looks every 20 ms at
//   our threads' scheduler counters; once they waited on a run queue half
//   of that period or more, or one of them waited a whole period
//   (ptrace/run_queue_starvation.h), every thread of ours returns to normal
//   priority for the rest of the scope.
//
// dump yields every thread (cli/main.cc); watch, record and run only their
// helpers (collect/take_snapshot.cc): for the daemon a repeat sample beside
// a busy target thread took 16 ms instead of 9, and 0.9 ms more CPU,
// against its 5 ms budget, with every thread yielding.
//
// Only a process that may come back from SCHED_IDLE yields (CAP_SYS_NICE,
// as root has, or an RLIMIT_NICE that allows nice 0): without it a thread
// cannot leave SCHED_IDLE, and neither exception could be kept; its
// helpers then work at normal priority too.
#pragma once

#include <pthread.h>

#include <optional>

#include "ptrace/periodic_thread.h"

namespace parkscope {

enum class CpuYield {
  kEveryThread,  // dump: the calling thread and every thread it starts
  kHelpersOnly,  // one capture of watch, record or run: only the helpers
};

// Yields the CPU from construction to destruction, for the calling thread
// and every thread it (or they) start meanwhile, which inherit its policy;
// or, with kHelpersOnly, only for the helper threads beside the capture
// (ApplyHelperPolicy). Either way the starvation watchdog looks after all
// of our threads meanwhile: a helper is SCHED_IDLE only under its watch,
// because whoever waits for a starved helper, in a join or behind a lock
// it holds, waits with it (beside two spinning threads per CPU, watch's
// first sample of 1,000 threads took 5.2 to 8.7 s with unwatched helpers).
// One scope is active at a time: a scope made while another is does
// nothing. The destructor puts the calling thread back to normal priority.
class CpuYieldScope {
 public:
  explicit CpuYieldScope(CpuYield what = CpuYield::kEveryThread);
  ~CpuYieldScope();
  CpuYieldScope(const CpuYieldScope&) = delete;
  CpuYieldScope& operator=(const CpuYieldScope&) = delete;

  // Whether this scope is the active one (false: another one is, or this
  // process may not come back from SCHED_IDLE).
  bool active() const { return watchdog_.has_value(); }

 private:
  std::optional<PeriodicThread> watchdog_;  // the starvation watchdog
};

// Whether a thread of this process may come back from SCHED_IDLE to
// SCHED_OTHER; a scope is active only if so. Asked once per process.
bool MayLeaveIdlePolicy();

// Sets a thread of ours to the policy it should work at now: a thread that
// the caller waits for (collect/symbol_prefetch.h's loader, once the
// capture is over) SCHED_IDLE inside a yielding scope, SCHED_OTHER outside
// one or once the scope was starved.
void ApplyWorkPolicy(pthread_t thread);
// A helper beside the capture thread (ptrace/helper_thread.h): SCHED_IDLE
// inside an active scope that was not starved, SCHED_OTHER otherwise.
void ApplyHelperPolicy(pthread_t thread);

// Called by ptrace/thread_stop.cc, on the tracer thread, when it begins to
// hold its first stopped thread and when it holds none any more.
void OnFirstThreadHeld();
void OnLastThreadReleased();

}  // namespace parkscope
