// parkscope dump on each fixture: the reason, the wait site's file:line (read
// from the fixture's SITE marker), group counts, owners and deadlocks.
#include <gtest/gtest.h>

#include <regex>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>

#include "e2e_support.h"

namespace parkscope::e2e {
namespace {

using nlohmann::json;

#define START_FIXTURE(var, name, ...)                                  \
  Fixture var(name, ##__VA_ARGS__);                                    \
  if (!var.WaitReady()) {                                              \
    if (var.why().rfind("SKIP", 0) == 0) GTEST_SKIP() << var.why();    \
    FAIL() << name << ": " << var.why();                               \
  }

// True when the thread's wait site is fixtures/<file>:<line of marker>.
::testing::AssertionResult SiteIs(const json& thread, const std::string& file,
                                  const std::string& marker) {
  const int line = MarkerLine(file, marker);
  if (line == 0) return ::testing::AssertionFailure() << "no marker " << marker;
  if (thread["site"].is_null()) {
    return ::testing::AssertionFailure() << "thread " << thread["tid"] << " has no site";
  }
  const json& site = thread["site"];
  std::string got_file = BaseName(site["file"].get<std::string>());
  int got_line = site["line"].get<int>();
  if (got_file == file && got_line == line) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "thread " << thread["tid"] << " site " << got_file << ":" << got_line
         << " in " << site["function"] << ", expected " << file << ":" << line
         << " (" << marker << ")";
}

const json* GroupAt(const json& snapshot, const std::string& file, int line) {
  for (const auto& g : snapshot["groups"]) {
    if (BaseName(g["site"]["file"].get<std::string>()) == file && g["site"]["line"] == line) {
      return &g;
    }
  }
  return nullptr;
}

TEST(DumpFanoutLeak, WorkersGroupedAtTheChannelSend) {
  START_FIXTURE(fx, "fanout_leak", {"--requests", "20", "--workers", "4"});
  json snap = DumpJson(fx.pid());
  ASSERT_EQ(snap["schema"], "parkscope.snapshot/1");
  EXPECT_EQ(snap["pid"], fx.pid());
  auto workers = ThreadsNamed(snap, "worker");
  ASSERT_EQ(workers.size(), 80u);
  for (const auto& w : workers) {
    EXPECT_EQ(w["wait"]["reason"], "cond wait");
    EXPECT_TRUE(SiteIs(w, "fanout_leak.cc", "fanout-send-inner"));
    // Asleep in a futex wait: copied without a stop.
    EXPECT_EQ(w["capture_method"], "nostop");
    EXPECT_EQ(w["stopped_us"], 0);
    EXPECT_TRUE(w["wait"]["blocked_ns"].is_number());
    EXPECT_EQ(w["wait"]["blocked_source"], "sched");
  }
  const json* group = GroupAt(snap, "fanout_leak.cc", MarkerLine("fanout_leak.cc", "fanout-send-inner"));
  ASSERT_NE(group, nullptr);
  EXPECT_EQ((*group)["count"], 80);
  EXPECT_EQ((*group)["tids"].size(), 80u);
  // The group of 80 leaked workers comes first: they are blocked longest.
  EXPECT_EQ(snap["groups"][0]["count"], 80);
  EXPECT_TRUE(snap["capture"]["complete"].get<bool>());
  EXPECT_LT(snap["capture"]["longest_stop_us"].get<int>(), 100000);
}

TEST(DumpFanoutLeak, RuntimeFramesMoveTheSiteToTheCaller) {
  START_FIXTURE(fx, "fanout_leak", {"--requests", "2", "--workers", "2"});
  json snap = DumpJson(fx.pid(), {"--runtime-frames", "Channel<.*>::Send"});
  auto workers = ThreadsNamed(snap, "worker");
  ASSERT_EQ(workers.size(), 4u);
  for (const auto& w : workers) EXPECT_TRUE(SiteIs(w, "fanout_leak.cc", "fanout-send"));
}

TEST(DumpDeadlock, FindsTheCycleAndOwners) {
  START_FIXTURE(fx, "deadlock_abba");
  json snap = DumpJson(fx.pid());
  auto a = ThreadsNamed(snap, "locker-a");
  auto b = ThreadsNamed(snap, "locker-b");
  auto bystander = ThreadsNamed(snap, "bystander");
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  ASSERT_EQ(bystander.size(), 1u);
  EXPECT_EQ(a[0]["wait"]["reason"], "mutex lock");
  EXPECT_EQ(b[0]["wait"]["reason"], "mutex lock");
  EXPECT_EQ(a[0]["wait"]["owner_tid"], b[0]["tid"]);
  EXPECT_EQ(b[0]["wait"]["owner_tid"], a[0]["tid"]);
  EXPECT_EQ(bystander[0]["wait"]["owner_tid"], a[0]["tid"]);
  EXPECT_TRUE(SiteIs(a[0], "deadlock_abba.cc", "abba-a"));
  EXPECT_TRUE(SiteIs(b[0], "deadlock_abba.cc", "abba-b"));
  EXPECT_TRUE(SiteIs(bystander[0], "deadlock_abba.cc", "abba-bystander"));
  ASSERT_EQ(snap["deadlocks"].size(), 1u);
  std::set<int> cycle(snap["deadlocks"][0]["tids"].begin(), snap["deadlocks"][0]["tids"].end());
  EXPECT_EQ(cycle, (std::set<int>{a[0]["tid"].get<int>(), b[0]["tid"].get<int>()}));
  EXPECT_TRUE(snap["groups"][0]["in_deadlock"].get<bool>());

  RunResult text = RunParkscope({"dump", "-p", std::to_string(fx.pid())});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("DEADLOCK"), std::string::npos) << text.out;
}

TEST(DumpFuture, GetOnAPromiseNeverSet) {
  START_FIXTURE(fx, "future_never_set");
  json snap = DumpJson(fx.pid());
  auto waits = ThreadsWithReason(snap, "futex wait");
  ASSERT_EQ(waits.size(), 1u);
  EXPECT_TRUE(SiteIs(waits[0], "future_never_set.cc", "future-get"));
  EXPECT_EQ(waits[0]["wait"]["object_kind"], "futex");
}

TEST(DumpSemaphore, PosixAndCountingSemaphores) {
  START_FIXTURE(fx, "sem_wait");
  json snap = DumpJson(fx.pid());
  auto sem = ThreadsWithReason(snap, "sem wait");
  ASSERT_EQ(sem.size(), 1u);
  EXPECT_TRUE(SiteIs(sem[0], "sem_wait.cc", "sem-wait"));
  // std::counting_semaphore waits with a raw futex from header code.
  auto futex = ThreadsWithReason(snap, "futex wait");
  ASSERT_EQ(futex.size(), 1u);
  EXPECT_TRUE(SiteIs(futex[0], "sem_wait.cc", "counting-sem"));
}

TEST(DumpJoin, JoinNamesTheJoinedThread) {
  START_FIXTURE(fx, "join_forever");
  json snap = DumpJson(fx.pid());
  auto joiner = ThreadsNamed(snap, "joiner");
  auto target = ThreadsNamed(snap, "target");
  ASSERT_EQ(joiner.size(), 1u);
  ASSERT_EQ(target.size(), 1u);
  EXPECT_EQ(joiner[0]["wait"]["reason"], "join");
  EXPECT_TRUE(SiteIs(joiner[0], "join_forever.cc", "join-wait"));
  EXPECT_EQ(target[0]["wait"]["reason"], "cond wait");
  EXPECT_TRUE(SiteIs(target[0], "join_forever.cc", "join-target"));
  EXPECT_EQ(joiner[0]["wait"]["owner_tid"], target[0]["tid"]);
  // main joins the joiner.
  const json* main_thread = nullptr;
  for (const auto& t : snap["threads"]) {
    if (t["tid"] == fx.pid()) main_thread = &t;
  }
  ASSERT_NE(main_thread, nullptr);
  EXPECT_EQ((*main_thread)["wait"]["reason"], "join");
  EXPECT_TRUE(SiteIs(*main_thread, "join_forever.cc", "join-main"));
  EXPECT_EQ((*main_thread)["wait"]["owner_tid"], joiner[0]["tid"]);
}

TEST(DumpIo, PipeReadAndSocketRecv) {
  START_FIXTURE(fx, "pipe_read");
  json snap = DumpJson(fx.pid());
  auto io = ThreadsWithReason(snap, "io wait");
  ASSERT_EQ(io.size(), 2u);
  std::set<std::string> kinds;
  for (const auto& t : io) {
    kinds.insert(t["wait"]["fd_kind"].get<std::string>());
    EXPECT_EQ(t["wait"]["object_kind"], "fd");
    const std::string marker = t["wait"]["fd_kind"] == "pipe" ? "pipe-read" : "socket-recv";
    EXPECT_TRUE(SiteIs(t, "pipe_read.cc", marker));
  }
  EXPECT_EQ(kinds, (std::set<std::string>{"pipe", "socket"}));
}

TEST(DumpSleep, SleepForAndNanosleep) {
  START_FIXTURE(fx, "sleep_for");
  // Twice: after the first capture the kernel resumes the sleeps as
  // restart_syscall, which must still read as "sleep".
  for (int round = 0; round < 2; ++round) {
    json snap = DumpJson(fx.pid());
    auto sleeps = ThreadsWithReason(snap, "sleep");
    ASSERT_EQ(sleeps.size(), 2u) << "round " << round;
    std::set<int> lines;
    for (const auto& t : sleeps) lines.insert(t["site"]["line"].get<int>());
    EXPECT_EQ(lines, (std::set<int>{MarkerLine("sleep_for.cc", "sleep-for"),
                                    MarkerLine("sleep_for.cc", "nanosleep")}));
  }
}

TEST(DumpEpoll, UnwoundWithoutStoppingByDefault) {
  START_FIXTURE(fx, "epoll_wait");
  for (int i = 0; i < 5; ++i) {
    json snap = DumpJson(fx.pid());
    auto epoll = ThreadsWithReason(snap, "epoll wait");
    ASSERT_EQ(epoll.size(), 1u);
    EXPECT_EQ(epoll[0]["capture_method"], "nostop");
    EXPECT_EQ(epoll[0]["wait"]["fd_kind"], "epoll");
    EXPECT_TRUE(SiteIs(epoll[0], "epoll_wait.cc", "epoll-wait"));
  }
  kill(fx.pid(), SIGUSR1);
  auto line = fx.ReadLine();
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(*line, "EINTR 0");
}

TEST(DumpStripped, StrippedBinaryGivesModuleOffsets) {
  START_FIXTURE(fx, "stripped");
  json snap = DumpJson(fx.pid());
  auto io = ThreadsWithReason(snap, "io wait");
  ASSERT_EQ(io.size(), 1u);
  bool saw_offset_frame = false;
  for (const auto& f : io[0]["frames"]) {
    if (f["module"] == "fixture_stripped") {
      saw_offset_frame = true;
      EXPECT_GT(f["module_offset"].get<uint64_t>(), 0u);
    }
  }
  EXPECT_TRUE(saw_offset_frame);
  RunResult text = RunParkscope({"dump", "-p", std::to_string(fx.pid())});
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_NE(text.out.find("fixture_stripped+0x"), std::string::npos) << text.out;
}

TEST(DumpManyThreads, AThousandParkedThreads) {
  START_FIXTURE(fx, "many_threads", {"--threads", "1000", "--depth", "25"});
  RunResult raw;
  json snap = DumpJson(fx.pid(), {}, &raw);
  auto parked = ThreadsWithReason(snap, "cond wait");
  EXPECT_EQ(parked.size(), 1000u);
  const json* group = GroupAt(snap, "many_threads.cc", MarkerLine("many_threads.cc", "many-wait"));
  ASSERT_NE(group, nullptr);
  EXPECT_EQ((*group)["count"], 1000);
  for (const auto& t : parked) {
    EXPECT_GE(t["frames"].size(), 25u);
    if (t["frames"].size() < 25u) break;
  }
  EXPECT_TRUE(snap["capture"]["complete"].get<bool>());
}

TEST(DumpManyThreads, StackCopyIsBoundedAndTheCutIsReported) {
  // Its recursion frames are 16 bytes each: 200 of them outgrow 1 KiB.
  START_FIXTURE(fx, "many_threads", {"--threads", "20", "--depth", "200"});
  json full = DumpJson(fx.pid());
  json cut = DumpJson(fx.pid(), {"--max-stack", "1"});
  auto full_parked = ThreadsWithReason(full, "cond wait");
  auto cut_parked = ThreadsWithReason(cut, "cond wait");
  ASSERT_EQ(full_parked.size(), 20u);
  ASSERT_EQ(cut_parked.size(), 20u);
  for (size_t i = 0; i < cut_parked.size(); ++i) {
    EXPECT_GE(full_parked[i]["frames"].size(), 200u);
    EXPECT_LT(cut_parked[i]["frames"].size(), full_parked[i]["frames"].size());
    EXPECT_NE(cut_parked[i]["stack_note"].get<std::string>().find("stack cut at 1 KiB (--max-stack)"),
              std::string::npos)
        << cut_parked[i]["stack_note"];
  }
}

TEST(DumpManyThreads, TimingsNameEveryStage) {
  START_FIXTURE(fx, "many_threads", {"--threads", "20", "--depth", "5"});
  RunResult r = RunParkscope({"dump", "-p", std::to_string(fx.pid()), "--timings"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::smatch m;
  const std::regex line(
      "parkscope: timings ms: capture [0-9.]+, agent [0-9.]+, modules [0-9.]+, unwind [0-9.]+, "
      "prefetch wait [0-9.]+, symbolize [0-9.]+, analyze [0-9.]+\n");
  EXPECT_TRUE(std::regex_search(r.err, m, line)) << r.err;
  EXPECT_NE(r.out.find("threads"), std::string::npos) << r.out;
}

TEST(DumpFormats, EveryFormatOnALiveProcess) {
  START_FIXTURE(fx, "fanout_leak", {"--requests", "3", "--workers", "2"});
  const std::string pid = std::to_string(fx.pid());
  RunResult summary = RunParkscope({"dump", "-p", pid});
  EXPECT_EQ(summary.exit_code, 0);
  EXPECT_NE(summary.out.find("6 threads"), std::string::npos) << summary.out;
  RunResult debug2 = RunParkscope({"dump", "-p", pid, "--format", "debug2"});
  EXPECT_EQ(debug2.exit_code, 0);
  EXPECT_NE(debug2.out.find("\"worker\" [cond wait"), std::string::npos) << debug2.out;
  RunResult debug1 = RunParkscope({"dump", "-p", pid, "--format", "debug1"});
  EXPECT_EQ(debug1.exit_code, 0);
  EXPECT_NE(debug1.out.find("6 @ 0x"), std::string::npos) << debug1.out;
}

}  // namespace
}  // namespace parkscope::e2e

namespace parkscope::e2e {
namespace {

TEST(DumpDeletedBinary, SymbolsComeFromTheMappedFile) {
  // Copy a fixture, start the copy, delete it: its symbols must still come
  // from the mapping (/proc/PID/map_files), not from a path that is gone.
  const std::string copy = ::testing::TempDir() + "/fixture_sleep_for_deleted";
  ASSERT_EQ(system(("cp " + FixturePath("sleep_for") + " " + copy).c_str()), 0);
  pid_t pid = 0;
  {
    int out[2];
    ASSERT_EQ(pipe(out), 0);
    pid = fork();
    if (pid == 0) {
      dup2(out[1], 1);
      execl(copy.c_str(), copy.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    close(out[1]);
    char buf[256];
    ASSERT_GT(read(out[0], buf, sizeof buf), 0);  // READY
    close(out[0]);
  }
  unlink(copy.c_str());
  usleep(200000);
  json snap = DumpJson(pid);
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  auto sleeps = ThreadsWithReason(snap, "sleep");
  ASSERT_EQ(sleeps.size(), 2u);
  for (const auto& t : sleeps) {
    EXPECT_EQ(BaseName(t["site"]["file"].get<std::string>()), "sleep_for.cc");
    EXPECT_GT(t["site"]["line"].get<int>(), 0);
  }
}

TEST(DumpConsistent, FreezesEveryThreadForOneInstant) {
  START_FIXTURE(fx, "deadlock_abba");
  json snap = DumpJson(fx.pid(), {"--consistent"});
  EXPECT_TRUE(snap["capture"]["consistent"].get<bool>());
  EXPECT_TRUE(snap["capture"]["complete"].get<bool>());
  EXPECT_EQ(snap["deadlocks"].size(), 1u);
  for (const auto& t : snap["threads"]) EXPECT_EQ(t["capture_method"], "ptrace");
  EXPECT_TRUE(StoppedOrTracedThreads(fx.pid()).empty());
}

}  // namespace
}  // namespace parkscope::e2e
