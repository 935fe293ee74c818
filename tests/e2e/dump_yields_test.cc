// A dump gives the CPU to its target (ptrace/cpu_yield.h): its threads run
// SCHED_IDLE; and on a machine that leaves no CPU idle it still finishes,
// its threads returning to normal priority once they are seen waiting.
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "e2e_support.h"
#include "proc/proc_files.h"
#include "ptrace/cpu_yield.h"

namespace parkscope::e2e {
namespace {

// The scheduling policy of a task (field 41 of /proc/PID/task/TID/stat),
// -1 if it cannot be read: the dump's threads exit while they are watched,
// and a read of an exited thread's file fails with ESRCH (which
// std::istreambuf_iterator turned into an exception, once in CI).
int PolicyOf(pid_t pid, pid_t tid) {
  ReadResult file = ReadProcRecord(TaskPath(pid, tid, "stat"), 1024);
  if (!file.ok()) return -1;
  const std::string& text = file.text;
  const size_t close = text.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(text.substr(close + 2));  // from field 3, the state
  std::string field;
  for (int n = 3; fields >> field; ++n) {
    if (n == 41) return std::stoi(field);
  }
  return -1;
}

TEST(DumpYields, ItsThreadsRunAtIdlePriority) {
  if (!MayLeaveIdlePolicy()) {
    GTEST_SKIP() << "this process may not leave SCHED_IDLE (needs CAP_SYS_NICE, as root has, "
                    "or RLIMIT_NICE >= 20), so a dump it starts does not yield";
  }
  Fixture fx("many_threads", {"--threads", "3000", "--depth", "25"});
  ASSERT_TRUE(fx.WaitReady()) << fx.why();
  const pid_t dump = StartParkscope({"dump", "-p", std::to_string(fx.pid())});
  // Watched until it exits: its main thread, and any other thread of it
  // (the capture's and unwinder's helpers, the symbol prefetch).
  // (The main thread is at normal priority for the moments it holds a
  // stopped thread, such as the fixture's running heartbeat.)
  bool main_idle = false, other_idle = false;
  int status = 0;
  while (waitpid(dump, &status, WNOHANG) == 0) {
    main_idle |= PolicyOf(dump, dump) == SCHED_IDLE;
    std::error_code ec;
    const std::string tasks = "/proc/" + std::to_string(dump) + "/task";
    for (const auto& entry : std::filesystem::directory_iterator(tasks, ec)) {
      const pid_t tid = std::atoi(entry.path().filename().c_str());
      if (tid != dump) other_idle |= PolicyOf(dump, tid) == SCHED_IDLE;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_TRUE(main_idle) << "the dump's main thread was never seen at SCHED_IDLE";
  EXPECT_TRUE(other_idle) << "no other thread of the dump was seen at SCHED_IDLE";
  EXPECT_TRUE(StoppedOrTracedThreads(fx.pid()).empty());
}

// Before the starvation watchdog, the capture's SCHED_IDLE helpers got
// almost no CPU beside three spinning shells, and the main thread waited
// for them: a dump of 1,000 threads took 4.9 s instead of 0.05 s. With it,
// 0.2 s. The bound below is a liveness check with a wide margin, not a
// performance figure (scripts/bench has those).
TEST(DumpYields, AThousandThreadsFinishWhenNoCpuIsIdle) {
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
