#include "ptrace/cpu_yield.h"

#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

#include "proc/task_list.h"
#include "ptrace/periodic_thread.h"
#include "ptrace/run_queue_starvation.h"

namespace parkscope {
namespace {

// Policy changes of ours and the starvation watchdog's are made under one
// lock, so none of ours undoes the watchdog's return to normal priority.
std::mutex g_policy_mu;
bool g_active = false;    // a scope watches; guarded by g_policy_mu
bool g_yielding = false;  // ... and yields every thread; guarded by g_policy_mu
bool g_starved = false;   // ... and its watchdog saw starvation; guarded by g_policy_mu
thread_local bool t_idle_before_hold = false;

bool SetPolicy(pid_t tid, int policy) {
  sched_param param{};
  return sched_setscheduler(tid, policy, &param) == 0;
}

// Only the threads we made SCHED_IDLE: the daemon's other threads keep
// whatever policy they were started with.
void StopYielding() {
  std::lock_guard<std::mutex> lock(g_policy_mu);
  g_starved = true;
  TaskList tasks = ListTasks(getpid(), kMaxOwnThreads);
  for (Tid tid : tasks.tids) {
    if (sched_getscheduler(tid) == SCHED_IDLE) SetPolicy(tid, SCHED_OTHER);
  }
}

// What the starvation watchdog does each period: true to look again.
// Unreadable counters leave no way to see starvation, so they end the
// yielding as starvation does. The first samples are taken by the thread
// that starts the watchdog, before it yields.
std::function<bool()> LookForStarvation() {
  return [before = SampleOurThreads()]() mutable {
    std::optional<RunSamples> now = SampleOurThreads();
    if (now) now->erase(static_cast<Tid>(syscall(SYS_gettid)));  // the watchdog
    if (!before || !now || Starved(*before, *now, kStarvedWaitNs)) {
      StopYielding();
      return false;
    }
    before = std::move(now);
    return true;
  };
}

}  // namespace

// Asked of the kernel itself: a thread of ours is set to SCHED_IDLE and
// back. Our capabilities cannot tell: can_nice() (kernel/sched/syscalls.c)
// wants CAP_SYS_NICE in the initial user namespace, or an RLIMIT_NICE that
// allows nice 0, and in a container's user namespace the capability bit is
// set but does not count. The subject sleeps all along, changed from here:
// a runnable SCHED_IDLE subject waited 142 ms for a CPU beside spinning
// threads, with the caller joining it and no watchdog yet. If it cannot
// come back it is left to end on its own, whenever it gets a CPU.
bool MayLeaveIdlePolicy() {
  static const bool may = [] {
    std::promise<void> end;
    std::thread subject([ended = end.get_future()] { ended.wait(); });
    sched_param param{};
    const bool leaves =
        pthread_setschedparam(subject.native_handle(), SCHED_IDLE, &param) == 0 &&
        pthread_setschedparam(subject.native_handle(), SCHED_OTHER, &param) == 0;
    end.set_value();
    if (leaves) {
      subject.join();
    } else {
      subject.detach();
    }
    return leaves;
  }();
  return may;
}

CpuYieldScope::CpuYieldScope(CpuYield what) {
  {
    std::lock_guard<std::mutex> lock(g_policy_mu);
    if (g_active) return;  // an outer scope is
  }
  if (!MayLeaveIdlePolicy()) return;
  // Started before the switch, so it stays at normal priority.
  watchdog_.emplace(kStarvationLookEvery, LookForStarvation());
  std::lock_guard<std::mutex> lock(g_policy_mu);
  g_active = true;
  g_starved = false;
  g_yielding = what == CpuYield::kEveryThread && SetPolicy(0, SCHED_IDLE);
}

CpuYieldScope::~CpuYieldScope() {
  if (!watchdog_) return;
  watchdog_.reset();  // joins it: outside g_policy_mu, which it may be taking
  std::lock_guard<std::mutex> lock(g_policy_mu);
  if (g_yielding) SetPolicy(0, SCHED_OTHER);
  g_active = g_yielding = g_starved = false;
}

void ApplyWorkPolicy(pthread_t thread) {
  std::lock_guard<std::mutex> lock(g_policy_mu);
  sched_param param{};
  pthread_setschedparam(thread, g_yielding && !g_starved ? SCHED_IDLE : SCHED_OTHER, &param);
}

void ApplyHelperPolicy(pthread_t thread) {
  std::lock_guard<std::mutex> lock(g_policy_mu);
  sched_param param{};
  pthread_setschedparam(thread, g_active && !g_starved ? SCHED_IDLE : SCHED_OTHER, &param);
}

void OnFirstThreadHeld() {
  std::lock_guard<std::mutex> lock(g_policy_mu);
  t_idle_before_hold = g_yielding && sched_getscheduler(0) == SCHED_IDLE;
  if (t_idle_before_hold) SetPolicy(0, SCHED_OTHER);
}

void OnLastThreadReleased() {
  std::lock_guard<std::mutex> lock(g_policy_mu);
  if (t_idle_before_hold && g_yielding && !g_starved) SetPolicy(0, SCHED_IDLE);
  t_idle_before_hold = false;
}

}  // namespace parkscope
