// parkscope yields the CPU to the target (ptrace/cpu_yield.h), but on a
// machine that leaves no CPU idle it must still finish: its threads return
// to normal priority once they are seen waiting for a CPU.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "e2e_support.h"

namespace parkscope::e2e {
namespace {

// Spinning threads of normal priority, two per CPU, for as long as it lives.
class CpuHogs {
 public:
  CpuHogs() {
    const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    for (long i = 0; i < 2 * (cpus > 0 ? cpus : 1); ++i) {
      hogs_.emplace_back([this] {
        while (!done_.load(std::memory_order_relaxed)) {
        }
      });
    }
  }
  ~CpuHogs() {
    done_.store(true);
    for (auto& hog : hogs_) hog.join();
  }

 private:
  std::atomic<bool> done_{false};
  std::vector<std::thread> hogs_;
};

// Before the starvation watchdog the capture's SCHED_IDLE helpers got
// almost no CPU beside three such spinners: a dump of 1,000 threads took
// 4.9 s instead of 0.05 s. With it, 0.2 s. The bound below is a liveness
// check with a wide margin, not a performance figure (scripts/bench has
// those).
TEST(BusyMachine, ADumpFinishesWhenNoCpuIsIdle) {
  Fixture fx("many_threads", {"--threads", "1000", "--depth", "25"});
  ASSERT_TRUE(fx.WaitReady()) << fx.why();
  for (const char* mode : {"", "--stop-all"}) {
    std::vector<std::string> args = {"dump", "-p", std::to_string(fx.pid())};
    if (*mode != '\0') args.push_back(mode);
    RunResult result;
    double took_s = 0;
    {
      CpuHogs hogs;
      const double start = MonotonicSeconds();
      result = RunParkscope(args, 120);
      took_s = MonotonicSeconds() - start;
    }
    EXPECT_EQ(result.exit_code, 0) << mode << ": " << result.err;
    EXPECT_NE(result.out.find("1000 threads  [cond wait"), std::string::npos)
        << mode << ": " << result.out.substr(0, 400);
    EXPECT_LT(took_s, 3.0) << mode;
    auto bad = StoppedOrTracedThreads(fx.pid());
    EXPECT_TRUE(bad.empty()) << mode << ": " << (bad.empty() ? "" : bad.front());
  }
}

}  // namespace
}  // namespace parkscope::e2e
