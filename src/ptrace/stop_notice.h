// Sleeping until a tracee reports its stop, instead of spinning.
//
// The kernel tells a tracer of every ptrace-stop with SIGCHLD. While a
// StopNoticeScope lives, SIGCHLD is blocked on this thread so it stays
// pending, and AwaitStopNotice sleeps in sigtimedwait until it comes.
//
// Why not sched_yield between waitpid polls (the first design): a yield
// hands the CPU to whatever else is runnable there, and while a dump loads
// debug information on a SCHED_IDLE thread (collect/symbol_prefetch.h) that
// is the loader, which then keeps the CPU until the next tick, up to 4 ms,
// with three threads of the target held stopped meanwhile. A thread that
// sleeps and is woken preempts an idle-policy thread at once.
//
// The sleep is capped (kStopNoticeMaxWaitNs): the notice can go to another
// thread of this process that does not block SIGCHLD, or have been taken by
// an earlier wait; the caller polls waitpid between sleeps, so a lost
// notice costs at most one cap, never a hang. A SIGCHLD taken here may have
// been meant for someone else (`parkscope run` learns of its child's exit
// from it), so the scope raises one again on its way out if it took any.
#pragma once

#include <signal.h>

#include <cstdint>

namespace parkscope {

inline constexpr int64_t kStopNoticeMaxWaitNs = 100'000;

class StopNoticeScope {
 public:
  StopNoticeScope();
  ~StopNoticeScope();
  StopNoticeScope(const StopNoticeScope&) = delete;
  StopNoticeScope& operator=(const StopNoticeScope&) = delete;

 private:
  sigset_t previous_{};
};

// Sleeps until a SIGCHLD is pending or max_ns passes (at most
// kStopNoticeMaxWaitNs). Outside a scope it just sleeps.
void AwaitStopNotice(int64_t max_ns);

}  // namespace parkscope
