// Signals and stops that are not parkscope's own: a signal sent to a thread
// while parkscope holds it stopped is delivered once when it lets go, never
// lost and never twice; a process that was stopped (SIGSTOP, group-stop)
// before or during a dump is still stopped after it, and runs again on
// SIGCONT.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "e2e_support.h"

namespace parkscope::e2e {
namespace {

std::vector<pid_t> Tids(pid_t pid) {
  std::vector<pid_t> tids;
  std::error_code ec;
  for (const auto& entry :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    tids.push_back(static_cast<pid_t>(std::stoi(entry.path().filename().string())));
  }
  return tids;
}

// The first letter of "State:" in /proc/PID/task/TID/status.
char ThreadState(pid_t pid, pid_t tid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("State:", 0) == 0) {
      size_t at = line.find_first_not_of(" \t", 6);
      return at == std::string::npos ? '?' : line[at];
    }
  }
  return '?';
}

bool EveryThreadIn(pid_t pid, char state, double timeout_s) {
  const double deadline = MonotonicSeconds() + timeout_s;
  for (;;) {
    bool all = true;
    for (pid_t tid : Tids(pid)) all = all && ThreadState(pid, tid) == state;
    if (all) return true;
    if (MonotonicSeconds() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::vector<pid_t> TracedThreads(pid_t pid) {
  std::vector<pid_t> traced;
  for (pid_t tid : Tids(pid)) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid) +
                         "/status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("TracerPid:", 0) == 0 && std::stoi(line.substr(10)) != 0) traced.push_back(tid);
    }
  }
  return traced;
}

pid_t StartDump(pid_t target) { return StartParkscope({"dump", "-p", std::to_string(target)}); }

bool QueueAt(pid_t pid, pid_t tid, int sequence) {
  siginfo_t info{};
  info.si_signo = SIGRTMIN + 1;
  info.si_code = SI_QUEUE;
  info.si_pid = getpid();
  info.si_uid = getuid();
  info.si_value.sival_int = sequence;
  return syscall(SYS_rt_tgsigqueueinfo, pid, tid, SIGRTMIN + 1, &info) == 0;
}

struct Counts {
  long rt = -1, distinct = -1, dup = -1, cont = -1;
};

Counts ReadCounts(Fixture& fx) {
  kill(fx.pid(), SIGHUP);
  Counts counts;
  auto line = fx.ReadLine(10);
  if (!line) return counts;
  std::smatch m;
  static const std::regex kCounts("COUNTS rt=(\\d+) distinct=(\\d+) dup=(\\d+) cont=(\\d+)");
  if (std::regex_search(*line, m, kCounts)) {
    counts = {std::stol(m[1]), std::stol(m[2]), std::stol(m[3]), std::stol(m[4])};
  }
  return counts;
}

TEST(Signals, QueuedToThreadsDuringCapturesArriveExactlyOnce) {
  Fixture fx("signal_counter", {"--threads", "100"});
  ASSERT_TRUE(fx.WaitReady()) << fx.why();
  const std::vector<pid_t> tids = Tids(fx.pid());
  ASSERT_GE(tids.size(), 100u);
  // A sender queues signals round-robin at the threads for as long as each
  // dump runs, so they arrive before, during and after each thread's stop.
  // (The kernel takes a pending interrupt before it dequeues a signal, so a
  // signal sent during the stop waits in the queue; one dequeued between
  // the seize and the interrupt would come to parkscope as a
  // signal-delivery-stop and is passed back on detach.)
  int sent = 0;
  for (int round = 0; round < 20; ++round) {
    std::atomic<bool> dumping{true};
    std::atomic<int> failed_sends{0};
    std::thread sender([&] {
      size_t next = round;
      const int round_end = sent + 20000;  // bounded however slow the dump
      while (dumping.load() && sent < round_end) {
        if (!QueueAt(fx.pid(), tids[next++ % tids.size()], sent)) {
          failed_sends.fetch_add(1);
          std::this_thread::sleep_for(std::chrono::microseconds(100));  // queue full
          continue;
        }
        if (++sent % 8 == 0) std::this_thread::sleep_for(std::chrono::microseconds(50));
      }
    });
    pid_t dump = StartDump(fx.pid());
    const int rc = WaitExitCode(dump);
    dumping.store(false);
    sender.join();
    EXPECT_EQ(rc, 0) << "round " << round;
    EXPECT_TRUE(TracedThreads(fx.pid()).empty()) << "round " << round;
    ASSERT_LT(sent, 1 << 20) << "the fixture counts sequence numbers below 2^20";
  }
  // Every queued signal is handled before the reporter answers: they were
  // queued before SIGHUP, and each thread takes its own in order.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  Counts counts = ReadCounts(fx);
  EXPECT_EQ(counts.rt, sent) << "queued " << sent << " signals";
  EXPECT_EQ(counts.distinct, sent);
  EXPECT_EQ(counts.dup, 0);
}

TEST(Signals, AStoppedProcessStaysStoppedAndContinues) {
  Fixture fx("signal_counter", {"--threads", "20"});
  ASSERT_TRUE(fx.WaitReady()) << fx.why();
  ASSERT_EQ(kill(fx.pid(), SIGSTOP), 0);
  ASSERT_TRUE(EveryThreadIn(fx.pid(), 'T', 10)) << "the fixture did not stop";

  RunResult dump = RunParkscope({"dump", "-p", std::to_string(fx.pid()), "--format", "json"});
  ASSERT_EQ(dump.exit_code, 0) << dump.err;
  auto snap = nlohmann::json::parse(dump.out);
  EXPECT_EQ(ThreadsWithReason(snap, "stopped").size(), snap["threads"].size()) << dump.out;

  // Still in the group-stop it was in, and not traced.
  EXPECT_TRUE(EveryThreadIn(fx.pid(), 'T', 1));
  EXPECT_TRUE(TracedThreads(fx.pid()).empty());

  ASSERT_EQ(kill(fx.pid(), SIGCONT), 0);
  EXPECT_TRUE(EveryThreadIn(fx.pid(), 'S', 10)) << "the fixture did not continue";
  Counts counts = ReadCounts(fx);
  EXPECT_EQ(counts.cont, 1);
}

TEST(Signals, StopAndContinueDuringCapturesAreObeyedOnce) {
  Fixture fx("signal_counter", {"--threads", "200"});
  ASSERT_TRUE(fx.WaitReady()) << fx.why();
  for (int round = 0; round < 10; ++round) {
    pid_t dump = StartDump(fx.pid());
    std::this_thread::sleep_for(std::chrono::microseconds(300 + 700 * round));
    kill(fx.pid(), SIGSTOP);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    kill(fx.pid(), SIGCONT);
    const int rc = WaitExitCode(dump);
    EXPECT_TRUE(rc == 0 || rc == 1) << "round " << round << ": exit " << rc;
    EXPECT_TRUE(TracedThreads(fx.pid()).empty()) << "round " << round;
    // The SIGCONT came last, so the program runs: no thread may be left in
    // a stop, ours or the group's.
    EXPECT_TRUE(EveryThreadIn(fx.pid(), 'S', 10)) << "round " << round;
  }
  Counts counts = ReadCounts(fx);
  EXPECT_EQ(counts.cont, 10);
}

}  // namespace
}  // namespace parkscope::e2e
