#include "ptrace/helper_thread.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <time.h>

#include <atomic>
#include <thread>
#include <vector>

#include "ptrace/cpu_yield.h"

namespace parkscope {
namespace {

double Seconds(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

TEST(HelperThread, WorksAtIdlePriorityWithEverySignalBlockedAndJoinsOnce) {
  int policy = -1;
  bool sigterm_blocked = false;
  HelperThread helper([&] {
    policy = sched_getscheduler(0);
    sigset_t mask;
    pthread_sigmask(SIG_BLOCK, nullptr, &mask);
    sigterm_blocked = sigismember(&mask, SIGTERM) == 1;
  });
  helper.Join();
  helper.Join();  // a second time: nothing
  EXPECT_EQ(policy, SCHED_IDLE);
  EXPECT_TRUE(sigterm_blocked);
  HelperThread never_started;
  never_started.Join();
}

// Two spinning threads of normal priority on every CPU: a SCHED_IDLE
// helper would get about 0.15 % of one, 20 s for the 30 ms of work below.
// Join sees it starved and gives it normal priority back.
TEST(HelperThread, AStarvedHelperIsReturnedToNormalPriorityWhileJoined) {
  if (!MayLeaveIdlePolicy()) {
    GTEST_SKIP() << "this process may not leave SCHED_IDLE (needs CAP_SYS_NICE, as root has, "
                    "or RLIMIT_NICE >= 20)";
  }
  std::atomic<bool> done{false};
  std::vector<std::thread> hogs;
  for (unsigned i = 0; i < 2 * std::max(1u, std::thread::hardware_concurrency()); ++i) {
    hogs.emplace_back([&] {
      while (!done.load(std::memory_order_relaxed)) {
      }
    });
  }
  int policy_at_end = -1;
  const double started = Seconds(CLOCK_MONOTONIC);
  HelperThread helper([&] {
    const double cpu_start = Seconds(CLOCK_THREAD_CPUTIME_ID);
    while (Seconds(CLOCK_THREAD_CPUTIME_ID) - cpu_start < 0.03 &&
           Seconds(CLOCK_MONOTONIC) - started < 10) {
    }
    policy_at_end = sched_getscheduler(0);
  });
  helper.Join();
  const double took = Seconds(CLOCK_MONOTONIC) - started;
  done.store(true);
  for (auto& hog : hogs) hog.join();
  EXPECT_EQ(policy_at_end, SCHED_OTHER) << "the helper was never returned to normal priority";
  // Liveness with a wide margin: a look every 20 ms, then a third of a CPU.
  EXPECT_LT(took, 1.0);
}

}  // namespace
}  // namespace parkscope
