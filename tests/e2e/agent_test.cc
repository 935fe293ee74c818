// The preload agent seen from the collector: exact reasons and objects,
// blocked-since times, "created by" stacks, annotations, and `parkscope run`.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "all_waits_expectations.h"
#include "e2e_support.h"

namespace parkscope::e2e {
namespace {

using nlohmann::json;

#define NEED_AGENT() \
  if (AgentPath().empty()) GTEST_SKIP() << "the agent was not built (agent/ missing)"

// The innermost non-runtime frame of the creation stack.
json CreatorFrame(const json& thread) {
  for (const auto& f : thread["created_by"]["frames"]) {
    if (!f["runtime"].get<bool>()) return f;
  }
  return json();
}

// How long a thread parked just before READY has been blocked when a dump
// that ran from `start` to `end` (monotonic seconds) captured it. The capture
// instant lies somewhere inside the dump (after parkscope's own start-up,
// which sanitizer builds make slow), so the check is against that interval.
struct ParkedWindow {
  double lo_s;
  double hi_s;
};

ParkedWindow WindowOf(double ready_at, double start, double end) {
  // Threads park at most ~50 ms before the fixture prints READY.
  return {start - ready_at - 0.005, end - ready_at + 0.05};
}

void ExpectBlockedWithin(double blocked_s, ParkedWindow w, const std::string& who) {
  EXPECT_GE(blocked_s, w.lo_s) << who;
  EXPECT_LE(blocked_s, w.hi_s) << who;
}

// Checks the fan-out workers as the agent reports them.
void ExpectAgentFanout(const json& snap, pid_t main_tid, size_t workers, ParkedWindow parked) {
  EXPECT_TRUE(snap["agent_present"].get<bool>());
  auto threads = ThreadsNamed(snap, "worker");
  ASSERT_EQ(threads.size(), workers);
  for (const auto& w : threads) {
    EXPECT_EQ(w["wait"]["reason"], "chan send");
    EXPECT_EQ(w["wait"]["blocked_source"], "agent");
    EXPECT_EQ(w["site"]["line"], MarkerLine("fanout_leak.cc", "fanout-send")) << w["site"];
    ASSERT_TRUE(w["created_by"].is_object()) << w.dump();
    EXPECT_EQ(w["created_by"]["tid"], main_tid);
    json creator = CreatorFrame(w);
    ASSERT_FALSE(creator.is_null());
    EXPECT_EQ(creator["line"], MarkerLine("fanout_leak.cc", "fanout-create"));
    const double blocked_s = w["wait"]["blocked_ns"].get<double>() / 1e9;
    ExpectBlockedWithin(blocked_s, parked, w["tid"].dump());
  }
}

TEST(Agent, LdPreloadThenDumpFromOutside) {
  NEED_AGENT();
  Fixture fx("fanout_leak", {"--requests", "3", "--workers", "2"}, Launch::kPreload);
  ASSERT_TRUE(fx.WaitReady()) << fx.why();
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  const double dump_at = MonotonicSeconds();
  json snap = DumpJson(fx.pid());
  ExpectAgentFanout(snap, fx.pid(), 6, WindowOf(fx.ready_at(), dump_at, MonotonicSeconds()));
  RunResult text = RunParkscope({"dump", "-p", std::to_string(fx.pid())});
  EXPECT_NE(text.out.find("[chan send"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("created by (anonymous namespace)::Gather"), std::string::npos)
      << text.out;
  RunResult debug2 = RunParkscope({"dump", "-p", std::to_string(fx.pid()), "--format", "debug2"});
  EXPECT_NE(debug2.out.find("created by (anonymous namespace)::Gather"), std::string::npos)
      << debug2.out;
}

TEST(Agent, RunDumpsOnSigquitWithoutStoppingTheProgram) {
  NEED_AGENT();
  const std::string report = ::testing::TempDir() + "/parkscope-run-report.json";
  std::remove(report.c_str());
  Fixture fx("fanout_leak", {"--requests", "2", "--workers", "2"}, Launch::kUnderRun,
             {"--format", "json", "-o", report});
  ASSERT_TRUE(fx.WaitReady()) << fx.why();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const double dump_at = MonotonicSeconds();
  kill(fx.pid(), SIGQUIT);
  std::string text;
  for (int i = 0; i < 100 && text.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::ifstream in(report);
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  const double report_seen_at = MonotonicSeconds();
  json snap = json::parse(text, nullptr, false);
  ASSERT_FALSE(snap.is_discarded()) << text;
  EXPECT_EQ(snap["pid"], fx.ready_pid());
  ExpectAgentFanout(snap, fx.ready_pid(), 4, WindowOf(fx.ready_at(), dump_at, report_seen_at));
  // Still running after the dump; SIGTERM is passed on and its death is
  // parkscope's exit status.
  EXPECT_EQ(kill(fx.ready_pid(), 0), 0);
  int status = fx.StopAndWait(SIGTERM);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGTERM);
}

TEST(Agent, RunPassesTheExitStatusAndPreloads) {
  NEED_AGENT();
  RunResult exit7 = RunParkscope({"run", "--", "/bin/sh", "-c", "exit 7"});
  EXPECT_EQ(exit7.exit_code, 7);
  RunResult killed = RunParkscope({"run", "--", "/bin/sh", "-c", "kill -TERM $$"});
  EXPECT_EQ(killed.exit_code, 128 + SIGTERM);
  RunResult env = RunParkscope({"run", "--", "/bin/sh", "-c", "echo \"$LD_PRELOAD\""});
  EXPECT_EQ(env.exit_code, 0);
  EXPECT_NE(env.out.find("libparkscope_agent.so"), std::string::npos) << env.out;
  RunResult missing = RunParkscope({"run", "--", "/nonexistent/program"});
  EXPECT_EQ(missing.exit_code, 127);
  EXPECT_NE(missing.err.find("cannot run /nonexistent/program"), std::string::npos);
  RunResult bad_signal = RunParkscope({"run", "--dump-on", "NOPE", "--", "/bin/true"});
  EXPECT_EQ(bad_signal.exit_code, 64);
}

struct Expected {
  std::string thread;
  std::string reason;
  std::string marker;
};

void ExpectAgentReasons(const std::string& fixture, const std::string& file,
                        const std::vector<Expected>& expected) {
  Fixture fx(fixture, {}, Launch::kPreload);
  ASSERT_TRUE(fx.WaitReady()) << fx.why();
  json snap = DumpJson(fx.pid());
  EXPECT_TRUE(snap["agent_present"].get<bool>());
  for (const auto& e : expected) {
    auto threads = ThreadsNamed(snap, e.thread);
    ASSERT_EQ(threads.size(), 1u) << e.thread;
    const json& t = threads[0];
    EXPECT_EQ(t["wait"]["reason"], e.reason) << e.thread;
    EXPECT_EQ(t["wait"]["blocked_source"], "agent") << e.thread;
    EXPECT_EQ(t["site"]["line"], MarkerLine(file, e.marker)) << e.thread << " " << t["site"];
    EXPECT_TRUE(t["created_by"].is_object()) << e.thread;
  }
}

TEST(Agent, EveryPrimitiveIsExact) {
  NEED_AGENT();
  ExpectAgentReasons("deadlock_abba", "deadlock_abba.cc",
                     {{"locker-a", "mutex lock", "abba-a"},
                      {"locker-b", "mutex lock", "abba-b"},
                      {"bystander", "mutex lock", "abba-bystander"}});
  ExpectAgentReasons("future_never_set", "future_never_set.cc",
                     {{"getter", "futex wait", "future-get"}});
  ExpectAgentReasons("sem_wait", "sem_wait.cc",
                     {{"sem-waiter", "sem wait", "sem-wait"},
                      {"counting-sem", "futex wait", "counting-sem"}});
  ExpectAgentReasons("join_forever", "join_forever.cc",
                     {{"target", "cond wait", "join-target"}, {"joiner", "join", "join-wait"}});
  ExpectAgentReasons("pipe_read", "pipe_read.cc",
                     {{"pipe-reader", "io wait", "pipe-read"},
                      {"sock-reader", "io wait", "socket-recv"}});
  ExpectAgentReasons("sleep_for", "sleep_for.cc",
                     {{"sleeper", "sleep", "sleep-for"}, {"nanosleeper", "sleep", "nanosleep"}});
  ExpectAgentReasons("epoll_wait", "epoll_wait.cc", {{"epoller", "epoll wait", "epoll-wait"}});
}

TEST(Agent, OwnersAndDeadlocksStillFound) {
  NEED_AGENT();
  Fixture fx("deadlock_abba", {}, Launch::kPreload);
  ASSERT_TRUE(fx.WaitReady()) << fx.why();
  json snap = DumpJson(fx.pid());
  auto a = ThreadsNamed(snap, "locker-a");
  auto b = ThreadsNamed(snap, "locker-b");
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(a[0]["wait"]["owner_tid"], b[0]["tid"]);
  EXPECT_EQ(b[0]["wait"]["owner_tid"], a[0]["tid"]);
  EXPECT_EQ(snap["deadlocks"].size(), 1u);

  Fixture join("join_forever", {}, Launch::kPreload);
  ASSERT_TRUE(join.WaitReady()) << join.why();
  json js = DumpJson(join.pid());
  auto joiner = ThreadsNamed(js, "joiner");
  auto target = ThreadsNamed(js, "target");
  ASSERT_EQ(joiner.size(), 1u);
  ASSERT_EQ(target.size(), 1u);
  EXPECT_EQ(joiner[0]["wait"]["object_kind"], "pthread");
  EXPECT_EQ(joiner[0]["wait"]["owner_tid"], target[0]["tid"]);
}

TEST(Agent, EveryHookedPrimitiveReasonObjectSinceAndCreator) {
  NEED_AGENT();
  Fixture fx("all_waits", {}, Launch::kPreload);
  ASSERT_TRUE(fx.WaitReady()) << fx.why();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const double dump_at = MonotonicSeconds();
  json snap = DumpJson(fx.pid());
  const ParkedWindow parked = WindowOf(fx.ready_at(), dump_at, MonotonicSeconds());
  ExpectAllWaitsFromAgent(snap, fx.pid(), {parked.lo_s, parked.hi_s}, "all_waits");
}

TEST(Agent, ForkExecUnderTheAgentKeepsExitCodes) {
  NEED_AGENT();
  // The shell forks, the child execs another shell, both preloaded.
  RunResult r = RunParkscope(
      {"run", "--", "/bin/sh", "-c", "/bin/sh -c 'exit 3'; echo child=$?; exit 5"});
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_NE(r.out.find("child=3"), std::string::npos) << r.out;
}

TEST(Agent, ThreadsExitingWhileDumpsRun) {
  NEED_AGENT();
  Fixture fx("churn", {}, Launch::kPreload);
  ASSERT_TRUE(fx.WaitReady()) << fx.why();
  for (int i = 0; i < 20; ++i) {
    RunResult r = RunParkscope({"dump", "-p", std::to_string(fx.pid()), "--format", "json"});
    ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
    auto snap = json::parse(r.out, nullptr, false);
    ASSERT_FALSE(snap.is_discarded());
    EXPECT_TRUE(snap["agent_present"].get<bool>());
    EXPECT_EQ(ThreadsNamed(snap, "parked").size(), 10u);
  }
  EXPECT_TRUE(StoppedOrTracedThreads(fx.pid()).empty());
  kill(fx.pid(), SIGUSR1);
  auto line = fx.ReadLine();
  ASSERT_TRUE(line && line->rfind("CREATED ", 0) == 0);
  EXPECT_GT(std::stol(line->substr(8)), 1000);  // the agent did not stall creation
}

TEST(Agent, TimeoutsReturnCodesAndErrnoUnchangedWhileDumped) {
  NEED_AGENT();
  // wait_checker classifies every return of its timed waits; under the
  // agent and 30 dumps, none may fail, come early or see EINTR.
  Fixture fx("wait_checker", {"--seconds", "600"}, Launch::kPreload);
  ASSERT_TRUE(fx.WaitReady()) << fx.why();
  for (int i = 0; i < 30; ++i) {
    RunResult r = RunParkscope({"dump", "-p", std::to_string(fx.pid()), "--format", "json"});
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  }
  kill(fx.pid(), SIGUSR1);
  int kinds = 0;
  while (auto line = fx.ReadLine(30)) {
    if (*line == "DONE") break;
    if (line->rfind("CALL ", 0) != 0) continue;
    ++kinds;
    EXPECT_NE(line->find(" eintr=0 early=0 errors=0"), std::string::npos) << *line;
    EXPECT_EQ(line->find(" iters=0 "), std::string::npos) << *line;
  }
  EXPECT_GE(kinds, 12);
}

}  // namespace
}  // namespace parkscope::e2e
