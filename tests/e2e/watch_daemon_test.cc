// parkscope watch against live fixtures: the leak alarm on the fan-out
// fixture running in a loop, stuck events, zero ptrace calls for threads
// that did not run, and the daemon's life cycle (target exit, --keep,
// SIGTERM, exec, thread churn, bad flags). Every fixture and daemon is
// killed by its destructor.
#include <dirent.h>
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "e2e_support.h"
#include "watch_e2e.h"

namespace parkscope::e2e {
namespace {

std::vector<pid_t> TidsNamed(pid_t pid, const std::string& name) {
  std::vector<pid_t> tids;
  const std::string dir = "/proc/" + std::to_string(pid) + "/task";
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return tids;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    std::string comm = ReadWhole(dir + "/" + e->d_name + "/comm");
    if (!comm.empty() && comm.back() == '\n') comm.pop_back();
    if (comm == name) tids.push_back(std::atoi(e->d_name));
  }
  closedir(d);
  return tids;
}

std::string SendSite() {
  return "fanout_leak.cc:" + std::to_string(MarkerLine("fanout_leak.cc", "fanout-send-inner"));
}

TEST(WatchDaemon, LeakAlarmNamesTheSiteOfTheGrowingFanout) {
  Fixture fixture("fanout_leak", {"--requests", "2", "--workers", "4", "--loop-ms", "150"});
  ASSERT_TRUE(fixture.WaitReady()) << fixture.why();
  WatchDaemon watch(fixture.pid(), {"--interval", "200ms", "--window", "6"});
  auto leak = watch.WaitFor("leak", 30);
  ASSERT_TRUE(leak) << watch.Stderr();
  EXPECT_EQ((*leak)["reason"], "cond wait");
  EXPECT_EQ((*leak)["site"].get<std::string>().rfind(SendSite() + " ", 0), 0u) << *leak;
  EXPECT_EQ((*leak)["line"], MarkerLine("fanout_leak.cc", "fanout-send-inner"));
  EXPECT_GT((*leak)["count"].get<int>(), (*leak)["first_count"].get<int>());
  // 4 workers leaked every 150 ms is 1,600 a minute; sampling jitter aside.
  EXPECT_GT((*leak)["rate_per_min"].get<double>(), 400);
  EXPECT_TRUE((*leak)["created_by"].is_null());  // no agent, no creation stacks
  // One line per episode: more growth is no new alarm.
  ASSERT_TRUE(watch.WaitFor("start", 1));
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(watch.EventsNamed("leak").size(), 1u);
  EXPECT_EQ(watch.Stop(SIGTERM), 0);
}

TEST(WatchDaemon, WithTheAgentTheLeakAlarmNamesTheCreator) {
  if (AgentPath().empty()) GTEST_SKIP() << "the preload agent was not built";
  Fixture fixture("fanout_leak", {"--requests", "2", "--workers", "4", "--loop-ms", "150"},
                  Launch::kPreload);
  ASSERT_TRUE(fixture.WaitReady()) << fixture.why();
  WatchDaemon watch(fixture.pid(), {"--interval", "200ms", "--window", "6"});
  auto leak = watch.WaitFor("leak", 30);
  ASSERT_TRUE(leak) << watch.Stderr();
  EXPECT_EQ((*leak)["reason"], "chan send");  // the fixture's annotation
  const std::string created_by =
      (*leak)["created_by"].is_string() ? (*leak)["created_by"].get<std::string>() : "";
  EXPECT_EQ(
      created_by.rfind(
          "fanout_leak.cc:" + std::to_string(MarkerLine("fanout_leak.cc", "fanout-create")) + " ",
          0),
      0u)
      << *leak;
  EXPECT_EQ(watch.Stop(SIGTERM), 0);
}

TEST(WatchDaemon, StuckIsLoggedOncePerThreadWithItsStack) {
  Fixture fixture("fanout_leak", {"--requests", "3", "--workers", "2"});
  ASSERT_TRUE(fixture.WaitReady()) << fixture.why();
  WatchDaemon watch(fixture.pid(), {"--interval", "150ms", "--stuck-after", "300ms"});
  ASSERT_TRUE(watch.Port());
  const double deadline = MonotonicSeconds() + 20;
  while (watch.EventsNamed("stuck").size() < 7 && MonotonicSeconds() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));  // several more samples
  std::map<int, int> per_tid;
  for (const auto& e : watch.EventsNamed("stuck")) {
    ++per_tid[e["tid"].get<int>()];
    EXPECT_GE(e["blocked_s"].get<double>(), 0.3);
    if (e["name"] != "worker") continue;
    EXPECT_EQ(e["site"].get<std::string>().rfind(SendSite() + " ", 0), 0u) << e;
    bool send_frame = false;
    for (const auto& line : e["stack"]) {
      send_frame |= line.get<std::string>().find("Channel<int>::Send(int)  " + SendSite()) !=
                    std::string::npos;
    }
    EXPECT_TRUE(send_frame) << e["stack"];
  }
  EXPECT_EQ(per_tid.size(), 7u);  // 6 workers and main
  for (const auto& [tid, n] : per_tid) EXPECT_EQ(n, 1) << "tid " << tid;
  EXPECT_EQ(watch.Stop(SIGTERM), 0);
}

TEST(WatchDaemon, ThreadsThatDidNotRunAreNeverStoppedAgain) {
  Fixture fixture("fanout_leak", {"--requests", "5", "--workers", "4"});
  ASSERT_TRUE(fixture.WaitReady()) << fixture.why();
  const auto workers = TidsNamed(fixture.pid(), "worker");
  ASSERT_EQ(workers.size(), 20u);
  WatchDaemon watch(fixture.pid(), {"--interval", "100ms", "--log-samples"});
  auto seq = [](int n) {
    return [n](const nlohmann::json& e) { return e["seq"].get<int>() >= n; };
  };
  ASSERT_TRUE(watch.WaitFor("sample", 20, seq(3))) << watch.Stderr();
  std::map<pid_t, long> before;
  for (pid_t tid : workers) before[tid] = RunCount(fixture.pid(), tid);
  ASSERT_TRUE(watch.WaitFor("sample", 20, seq(13)));
  for (pid_t tid : workers) {
    // Not one switch onto a CPU: no stop, no wakeup, across ten samples.
    EXPECT_EQ(RunCount(fixture.pid(), tid), before[tid]) << "tid " << tid;
  }
  for (const auto& e : watch.EventsNamed("sample")) {
    if (e["seq"].get<int>() < 4) continue;
    EXPECT_EQ(e["captured"], 0) << e;
    EXPECT_EQ(e["reused"], 21) << e;
    EXPECT_EQ(e["stopped_us"], 0) << e;
  }
  // The durations still grow while the stacks are reused.
  auto json = HttpRequest(watch.Port(), "/debug/pprof/threads?format=json");
  ASSERT_EQ(json.status, 200);
  auto snapshot = nlohmann::json::parse(json.body);
  for (const auto& t : snapshot["threads"]) {
    if (t["name"] != "worker") continue;
    EXPECT_EQ(t["wait"]["blocked_source"], "sched");
    EXPECT_GT(t["wait"]["blocked_ns"].get<int64_t>(), 1'000'000'000);
    EXPECT_FALSE(t["frames"].empty());
  }
  EXPECT_EQ(watch.Stop(SIGTERM), 0);
}

// watch does not yield, but its capture, unwinder and snapshot helpers run
// SCHED_IDLE and it waits for them: beside two spinning threads per CPU
// they once got almost no CPU, with no watchdog to see it, and the first
// sample of 1,000 threads took 6.0 to 8.9 s (0.27 to 0.86 s under the
// watchdog, ptrace/cpu_yield.h). The bound is a liveness check with a wide
// margin, not a performance figure.
TEST(WatchDaemon, FirstSampleOfAThousandThreadsWhenNoCpuIsIdle) {
  Fixture fixture("many_threads", {"--threads", "1000", "--depth", "25"});
  ASSERT_TRUE(fixture.WaitReady()) << fixture.why();
  CpuHogs hogs;
  WatchDaemon watch(fixture.pid(), {"--interval", "1s", "--log-samples", "--listen", "none"});
  auto first = watch.WaitFor("sample", 30);
  ASSERT_TRUE(first) << watch.Stderr();
  EXPECT_GE((*first)["captured"].get<int>(), 1000) << *first;
  EXPECT_LT((*first)["duration_us"].get<int64_t>(), 3'000'000) << *first;
  EXPECT_EQ(watch.Stop(SIGTERM), 0);
}

TEST(WatchDaemon, TargetExitPrintsAFinalReportAndExitsZero) {
  Fixture fixture("fanout_leak", {"--requests", "1", "--workers", "2"});
  ASSERT_TRUE(fixture.WaitReady()) << fixture.why();
  const pid_t pid = fixture.pid();
  WatchDaemon watch(pid, {"--interval", "200ms"});
  ASSERT_TRUE(watch.Port());
  fixture.StopAndWait(SIGKILL);
  EXPECT_EQ(watch.Stop(0), 0) << watch.Stderr();
  ASSERT_TRUE(watch.WaitFor("exit", 1));
  EXPECT_EQ(watch.Stdout().rfind("parkscope: pid " + std::to_string(pid) + " (", 0), 0u)
      << watch.Stdout();
  EXPECT_NE(watch.Stdout().find("at " + SendSite()), std::string::npos);
}

TEST(WatchDaemon, KeepServesTheLastSampleAfterTheTargetExits) {
  Fixture fixture("fanout_leak", {"--requests", "1", "--workers", "2"});
  ASSERT_TRUE(fixture.WaitReady()) << fixture.why();
  WatchDaemon watch(fixture.pid(), {"--interval", "200ms", "--keep"});
  const int port = watch.Port();
  ASSERT_TRUE(port);
  fixture.StopAndWait(SIGKILL);
  ASSERT_TRUE(watch.WaitFor("keep", 20)) << watch.Stderr();
  auto metrics = HttpRequest(port, "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("parkscope_threads 3\n"), std::string::npos) << metrics.body;
  EXPECT_TRUE(watch.Running());
  EXPECT_EQ(watch.Stop(SIGTERM), 0);
  EXPECT_TRUE(watch.WaitFor("stop", 1));
}

TEST(WatchDaemon, SigtermAtAnyMomentLeavesNothingStopped) {
  Fixture fixture("many_threads", {"--threads", "300", "--depth", "10"});
  ASSERT_TRUE(fixture.WaitReady(60)) << fixture.why();
  std::mt19937 random(7);
  for (int round = 0; round < 5; ++round) {
    // A 10 ms interval keeps the sampler capturing most of the time, so
    // the signal lands inside a capture in some rounds.
    WatchDaemon watch(fixture.pid(), {"--interval", "10ms", "--listen", "none"});
    ASSERT_TRUE(watch.WaitFor("start", 60)) << watch.Stderr();
    std::this_thread::sleep_for(std::chrono::milliseconds(random() % 300));
    EXPECT_EQ(watch.Stop(SIGTERM), 0) << "round " << round;
    EXPECT_EQ(StoppedOrTracedThreads(fixture.pid()), std::vector<std::string>{})
        << "round " << round;
  }
}

TEST(WatchDaemon, ExecIsReportedAndTheNewImageIsSampled) {
  // sh sleeps, then execs a fixture in place: same pid, new program.
  const std::string script = "sleep 1; exec " + FixturePath("sleep_for");
  pid_t pid = fork();
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    execl("/bin/sh", "sh", "-c", script.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  ASSERT_GT(pid, 0);
  {
    WatchDaemon watch(pid, {"--interval", "100ms", "--log-samples"});
    auto exec = watch.WaitFor("exec", 20);
    ASSERT_TRUE(exec) << watch.Stderr();
    EXPECT_NE((*exec)["command"].get<std::string>().find("fixture_sleep_for"), std::string::npos);
    auto after = watch.WaitFor("sample", 20, [&](const nlohmann::json& e) {
      return e["seq"].get<int>() > 0 && e["threads"].get<int>() >= 2;
    });
    EXPECT_TRUE(after) << "the exec'd fixture's threads were never sampled";
    EXPECT_EQ(watch.Stop(SIGTERM), 0);
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

TEST(WatchDaemon, ThreadChurnIsSampledWithoutErrors) {
  Fixture fixture("churn");
  ASSERT_TRUE(fixture.WaitReady()) << fixture.why();
  WatchDaemon watch(fixture.pid(), {"--interval", "50ms", "--log-samples"});
  ASSERT_TRUE(watch.WaitFor("sample", 30, [](const nlohmann::json& e) { return e["seq"] >= 30; }))
      << watch.Stderr();
  EXPECT_TRUE(watch.EventsNamed("sample_error").empty());
  EXPECT_EQ(watch.Stop(SIGTERM), 0);
  EXPECT_EQ(StoppedOrTracedThreads(fixture.pid()), std::vector<std::string>{});
}

TEST(WatchDaemon, BadFlagsAreOneLineAndExit64) {
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"--interval", "fast"}, "--interval 'fast'"},
      {{"--interval", "1ms"}, "--interval '1ms'"},
      {{"--stuck-after", "0s"}, "--stuck-after"},
      {{"--listen", "0.0.0.0:6060"}, "--listen-any"},
      {{"--listen", "6060"}, "--listen"},
      {{"--window", "1"}, "--window"},
      {{"--log", "/nonexistent-dir/log"}, "/nonexistent-dir/log"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args{"watch", "-p", std::to_string(getpid())};
    args.insert(args.end(), c.args.begin(), c.args.end());
    RunResult r = RunParkscope(args, 20);
    EXPECT_EQ(r.exit_code, 64) << c.args[0] << ": " << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

TEST(WatchDaemon, NoSuchProcessExits2) {
  RunResult r = RunParkscope({"watch", "-p", "999999999", "--listen", "none"}, 20);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no process with pid 999999999"), std::string::npos) << r.err;
}

TEST(WatchDaemon, ListenAnyAllowsEveryInterface) {
  Fixture fixture("sleep_for");
  ASSERT_TRUE(fixture.WaitReady()) << fixture.why();
  WatchDaemon watch(fixture.pid(), {"--listen", "0.0.0.0:0", "--listen-any"});
  const int port = watch.Port();
  ASSERT_GT(port, 0) << watch.Stderr();
  EXPECT_EQ(HttpRequest(port, "/metrics").status, 200);
  EXPECT_EQ(watch.Stop(SIGTERM), 0);
}

}  // namespace
}  // namespace parkscope::e2e
