// The target is sacred: whatever happens to a capture, no thread is left
// stopped or traced, and the target's waits see nothing.
#include <gtest/gtest.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "e2e_support.h"

namespace parkscope::e2e {
namespace {

using nlohmann::json;

pid_t StartDump(pid_t target) { return StartParkscope({"dump", "-p", std::to_string(target)}); }

// Parked threads are copied without a stop by default; --stop-all makes
// every one a ptrace stop, so an interruption lands among held threads.
pid_t StartStoppingDump(pid_t target) {
  return StartParkscope({"dump", "-p", std::to_string(target), "--stop-all"});
}

TEST(Safety, SigtermAndSigintDuringCaptureLeaveNothingStopped) {
  Fixture fx("many_threads", {"--threads", "1000", "--depth", "10"});
  ASSERT_TRUE(fx.WaitReady()) << fx.why();
  for (int i = 0; i < 30; ++i) {
    pid_t dump = i % 3 ? StartStoppingDump(fx.pid()) : StartDump(fx.pid());
    std::this_thread::sleep_for(std::chrono::microseconds(2000 + 1500 * i));
    kill(dump, i % 2 ? SIGINT : SIGTERM);
    int status = 0;
    waitpid(dump, &status, 0);
    auto bad = StoppedOrTracedThreads(fx.pid());
    ASSERT_TRUE(bad.empty()) << "round " << i << ": " << bad.front();
  }
}

TEST(Safety, SigkillDuringCaptureLeavesNothingStopped) {
  Fixture fx("many_threads", {"--threads", "500", "--depth", "10"});
  ASSERT_TRUE(fx.WaitReady()) << fx.why();
  for (int i = 0; i < 30; ++i) {
    pid_t dump = i % 3 ? StartStoppingDump(fx.pid()) : StartDump(fx.pid());
    std::this_thread::sleep_for(std::chrono::microseconds(1000 + 1000 * i));
    kill(dump, SIGKILL);
    waitpid(dump, nullptr, 0);
    // The kernel detaches a dead tracer's tracees as it exits.
    auto bad = StoppedOrTracedThreads(fx.pid());
    ASSERT_TRUE(bad.empty()) << "round " << i << ": " << bad.front();
  }
}

TEST(Safety, TargetExitsMidCapture) {
  for (int i = 0; i < 10; ++i) {
    Fixture fx("many_threads", {"--threads", "300", "--depth", "5"});
    ASSERT_TRUE(fx.WaitReady()) << fx.why();
    pid_t dump = fork();
    if (dump == 0) {
      int devnull = open("/dev/null", O_WRONLY);
      dup2(devnull, 1);
      dup2(devnull, 2);
      execl(PARKSCOPE_BIN, PARKSCOPE_BIN, "dump", "-p", std::to_string(fx.pid()).c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    std::this_thread::sleep_for(std::chrono::microseconds(500 * (i + 1)));
    fx.StopAndWait(SIGKILL);
    int status = 0;
    waitpid(dump, &status, 0);
    ASSERT_TRUE(WIFEXITED(status)) << "parkscope died of signal " << WTERMSIG(status);
    EXPECT_LE(WEXITSTATUS(status), 2);
  }
}

// The churn fixture's count of threads created so far (its SIGUSR1 report).
long CreatedSoFar(Fixture& fx) {
  kill(fx.pid(), SIGUSR1);
  auto line = fx.ReadLine();
  EXPECT_TRUE(line && line->rfind("CREATED ", 0) == 0) << (line ? *line : "EOF");
  return line && line->rfind("CREATED ", 0) == 0 ? std::stol(line->substr(8)) : 0;
}

// The bar is a target creating 20,000 threads per second while it is
// captured; the rate is measured over the dumps, so the test proves it ran
// at that load rather than assuming it.
TEST(Safety, ThreadsStartingAndExitingDuringCapture) {
  Fixture fx("churn");
  ASSERT_TRUE(fx.WaitReady()) << fx.why();
  const long created_before = CreatedSoFar(fx);
  const double started = MonotonicSeconds();
  for (int i = 0; i < 40; ++i) {
    RunResult raw;
    json snap = DumpJson(fx.pid(), {}, &raw);
    ASSERT_GE(ThreadsWithReason(snap, "cond wait").size(), 10u)
        << "dump " << i << ": " << raw.out.substr(0, 4000);
  }
  const double seconds = MonotonicSeconds() - started;
  const long created = CreatedSoFar(fx) - created_before;
  EXPECT_TRUE(StoppedOrTracedThreads(fx.pid()).empty());
  const double per_second = created / seconds;
  std::printf("churn: %ld threads created during 40 dumps in %.2f s: %.0f/s\n", created,
              seconds, per_second);
  EXPECT_GE(per_second, 20000) << "the target did not churn at the rate this test promises";
}

TEST(Safety, ThreadInUninterruptibleSleepIsUnwoundWithoutStopping) {
  Fixture fx("uninterruptible", {"--threads", "4"});
  ASSERT_TRUE(fx.WaitReady()) << fx.why();
  const double started = MonotonicSeconds();
  RunResult raw;
  json snap = DumpJson(fx.pid(), {}, &raw);
  // A stop would wait for the thread to leave the kernel, which it never
  // does here: the dump must not wait for it.
  EXPECT_LT(MonotonicSeconds() - started, 5.0);
  EXPECT_EQ(raw.exit_code, 0) << raw.err;
  auto vforker = ThreadsNamed(snap, "vforker");
  ASSERT_EQ(vforker.size(), 1u) << raw.out;
  const json& t = vforker[0];
  EXPECT_EQ(t["state"], "D");
  EXPECT_EQ(t["capture_method"], "nostop");
  bool found = false;
  for (const auto& f : t["frames"]) {
    found = found || f["function"].get<std::string>().find("VforkAndWait") != std::string::npos;
  }
  EXPECT_TRUE(found) << t["frames"];
  EXPECT_EQ(ThreadsNamed(snap, "parked").size(), 4u);
  EXPECT_TRUE(StoppedOrTracedThreads(fx.pid()).empty());
}

TEST(Safety, DumpFinishesPromptlyOnABusyMachine) {
  // Every CPU busy at normal priority: the debug information loader, which
  // runs at idle priority while the capture holds threads, must not be left
  // starving once the capture is over (it once waited 3 to 22 s for a CPU).
  Fixture fx("many_threads", {"--threads", "20", "--depth", "5"});
  ASSERT_TRUE(fx.WaitReady()) << fx.why();
  std::vector<double> walls;
  {
    CpuHogs hogs;
    for (int i = 0; i < 3; ++i) {
      const double started = MonotonicSeconds();
      RunResult r = RunParkscope({"dump", "-p", std::to_string(fx.pid())});
      walls.push_back(MonotonicSeconds() - started);
      EXPECT_EQ(r.exit_code, 0) << r.err;
    }
  }
  for (double wall : walls) EXPECT_LT(wall, 2.5);
}

// Processes whose parent is pid, and whether any of them is stopped or
// traced (a child forked while its parent was held must not inherit that).
std::vector<std::string> StoppedOrTracedChildren(pid_t pid) {
  std::vector<std::string> bad;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream status(entry.path() / "status");
    std::string line, state;
    pid_t ppid = 0, tracer = 0;
    while (std::getline(status, line)) {
      if (line.rfind("State:", 0) == 0) state = line.substr(line.find_first_not_of(" \t", 6));
      if (line.rfind("PPid:", 0) == 0) ppid = std::stoi(line.substr(5));
      if (line.rfind("TracerPid:", 0) == 0) tracer = std::stoi(line.substr(10));
    }
    if (ppid == pid && (tracer != 0 || state.rfind("t", 0) == 0 || state.rfind("T", 0) == 0)) {
      bad.push_back("child " + name + " state " + state + " tracer " + std::to_string(tracer));
    }
  }
  return bad;
}

TEST(Safety, ForksDuringCapturesLeaveNothingStopped) {
  Fixture fx("fork_exec", {"--threads", "50", "--forkers", "1"});
  ASSERT_TRUE(fx.WaitReady()) << fx.why();
  for (int i = 0; i < 30; ++i) {
    EXPECT_EQ(ThreadsWithReason(DumpJson(fx.pid()), "cond wait").size(), 50u) << "dump " << i;
    auto bad = StoppedOrTracedThreads(fx.pid());
    ASSERT_TRUE(bad.empty()) << "dump " << i << ": " << bad.front();
    auto children = StoppedOrTracedChildren(fx.pid());
    ASSERT_TRUE(children.empty()) << "dump " << i << ": " << children.front();
  }
}

TEST(Safety, ExecDuringCapturesLeavesTheNewImageRunning) {
  for (int round = 0; round < 5; ++round) {
    Fixture fx("fork_exec", {"--threads", "100", "--exec-after", std::to_string(10 + 20 * round)});
    ASSERT_TRUE(fx.WaitReady()) << fx.why();
    // Dumps back to back across the exec: each ends with a verdict (complete,
    // partial, or nothing captured), never hangs or crashes.
    const double until = MonotonicSeconds() + 0.4;
    int dumps = 0;
    while (MonotonicSeconds() < until) {
      const int rc = WaitExitCode(StartParkscope({"dump", "-p", std::to_string(fx.pid())}));
      EXPECT_TRUE(rc == 0 || rc == 1 || rc == 2) << "round " << round << ": exit " << rc;
      ++dumps;
    }
    auto again = fx.ReadLine(10);
    ASSERT_TRUE(again && again->rfind("READY ", 0) == 0) << "round " << round << ": no exec";
    auto bad = StoppedOrTracedThreads(fx.pid());
    ASSERT_TRUE(bad.empty()) << "round " << round << ": " << bad.front();
    // The new image is whole: every thread of it parked and dumpable.
    const double deadline = MonotonicSeconds() + 10;
    size_t parked = 0;
    while (MonotonicSeconds() < deadline && parked < 100) {
      parked = ThreadsWithReason(DumpJson(fx.pid()), "cond wait").size();
    }
    EXPECT_EQ(parked, 100u) << "round " << round << " after " << dumps << " dumps";
  }
}

TEST(Safety, ZombieLeaderStillDumps) {
  Fixture fx("zombie_leader");
  ASSERT_TRUE(fx.WaitReady()) << fx.why();
  auto snap = DumpJson(fx.pid());
  auto parked = ThreadsWithReason(snap, "cond wait");
  ASSERT_EQ(parked.size(), 3u);
  for (const auto& t : parked) {
    EXPECT_GT(t["frames"].size(), 3u);
    EXPECT_EQ(t["site"]["line"], MarkerLine("zombie_leader.cc", "zombie-parked"));
  }
  EXPECT_EQ(ThreadsWithReason(snap, "zombie").size(), 1u);
}

}  // namespace
}  // namespace parkscope::e2e
