// The sched clock is per CPU; a blocked duration must be measured on the
// clock of the CPU the thread last ran on. On a VM the CPUs' clocks differ
// by their steal time, seconds apart, so reading "now" on whatever CPU the
// collector happens to be on gives durations that are seconds off.
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "proc/sched_clock.h"
#include "ptrace/task_probe.h"
#include "ptrace/thread_stop.h"

namespace parkscope {
namespace {

struct ParkedOnCpu {
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  Tid tid = 0;
  int64_t parked_at_ns = 0;
  std::thread thread;

  explicit ParkedOnCpu(int cpu) {
    std::unique_lock<std::mutex> lock(mu);
    thread = std::thread([this, cpu] {
      cpu_set_t only;
      CPU_ZERO(&only);
      CPU_SET(cpu, &only);
      sched_setaffinity(0, sizeof only, &only);
      std::unique_lock<std::mutex> l(mu);
      tid = static_cast<Tid>(syscall(SYS_gettid));
      parked_at_ns = MonotonicNs();
      cv.notify_all();
      cv.wait(l, [this] { return release; });
    });
    cv.wait(lock, [this] { return tid != 0; });
  }
  ~ParkedOnCpu() {
    {
      std::lock_guard<std::mutex> l(mu);
      release = true;
    }
    cv.notify_all();
    thread.join();
  }
};

TEST(SchedClock, BlockedDurationIsRightOnEveryCpu) {
  cpu_set_t allowed;
  ASSERT_EQ(sched_getaffinity(0, sizeof allowed, &allowed), 0);
  // Pinned to one CPU, as a dump's capture thread is while debug
  // information loads on the others: the clocks of the rest still count.
  int first = 0;
  while (!CPU_ISSET(first, &allowed)) ++first;
  cpu_set_t pinned;
  CPU_ZERO(&pinned);
  CPU_SET(first, &pinned);
  ASSERT_EQ(sched_setaffinity(0, sizeof pinned, &pinned), 0);
  int checked = 0;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (!CPU_ISSET(cpu, &allowed)) continue;
    ParkedOnCpu parked(cpu);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    SchedClock clock;
    TaskProbe probe = ProbeTask(getpid(), parked.tid, clock);
    const int64_t elapsed = MonotonicNs() - parked.parked_at_ns;
    ASSERT_TRUE(probe.blocked_ns.has_value()) << "cpu " << cpu;
    // Up to the elapsed time (it ran last just after parked_at_ns), and not
    // far below it: the sched clock leaves out steal time, which a loaded
    // host makes a good part of 300 ms, but never seconds.
    EXPECT_LE(*probe.blocked_ns, elapsed + 20'000'000) << "cpu " << cpu;
    EXPECT_GE(*probe.blocked_ns, elapsed / 2 - 20'000'000) << "cpu " << cpu;
    ++checked;
  }
  sched_setaffinity(0, sizeof allowed, &allowed);
  EXPECT_EQ(checked, CPU_COUNT(&allowed));
}

TEST(SchedClock, NoReadingForACpuWeMayNotRunOn) {
  SchedClock clock;
  EXPECT_FALSE(clock.NowNs(-1).has_value());
  EXPECT_FALSE(clock.NowNs(CPU_SETSIZE).has_value());
}

}  // namespace
}  // namespace parkscope
