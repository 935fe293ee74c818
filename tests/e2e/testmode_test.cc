// `parkscope run` as a test runner: leak checks at exit with per-test
// blame, --fail-on-blocked, --timeout dumps, ignore options, and programs
// that exit oddly (exit() from a worker, fork, _exit, no threads).
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "e2e_support.h"

namespace parkscope::e2e {
namespace {

using nlohmann::json;

#define NEED_AGENT() \
  if (AgentPath().empty()) GTEST_SKIP() << "the agent was not built (agent/ missing)"

RunResult RunChecked(std::vector<std::string> flags, const std::string& fixture,
                     std::vector<std::string> args = {}) {
  std::vector<std::string> argv{"run"};
  argv.insert(argv.end(), flags.begin(), flags.end());
  argv.push_back("--");
  argv.push_back(FixturePath(fixture));
  argv.insert(argv.end(), args.begin(), args.end());
  return RunParkscope(argv, 60);
}

json ReadJsonFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str(), nullptr, false);
}

const json* ThreadIn(const json& snapshot, int tid) {
  for (const auto& t : snapshot["threads"]) {
    if (t["tid"] == tid) return &t;
  }
  return nullptr;
}

TEST(TestMode, LeakIsBlamedOnTheTestThatCreatedTheThread) {
  NEED_AGENT();
  const std::string report = ::testing::TempDir() + "/leak-report.json";
  RunResult r = RunChecked({"--check-leaks", "--format", "json", "-o", report}, "leaky_gtest",
                           {"--gtest_filter=Leaky.*"});
  EXPECT_EQ(r.exit_code, 66) << r.err;
  json j = ReadJsonFile(report);
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["schema"], "parkscope.leakcheck/1");
  EXPECT_TRUE(j["failed"].get<bool>());
  ASSERT_EQ(j["leaks"].size(), 1u);
  const json& leak = j["leaks"][0];
  EXPECT_EQ(leak["test"], "Leaky.StartsWorker");  // not Leaky.RunsLater
  EXPECT_EQ(leak["count"], 1);
  EXPECT_EQ(leak["created_at"]["line"], MarkerLine("leaky_gtest.cc", "leaky-create"));
  const json* thread = ThreadIn(j["snapshot"], leak["tids"][0].get<int>());
  ASSERT_NE(thread, nullptr);
  EXPECT_EQ((*thread)["wait"]["reason"], "cond wait");
  EXPECT_EQ((*thread)["site"]["line"], MarkerLine("leaky_gtest.cc", "leaky-park"));
  EXPECT_EQ((*thread)["created_by"]["test"], "Leaky.StartsWorker");
}

TEST(TestMode, TextReportNamesTestCreatorAndStack) {
  NEED_AGENT();
  RunResult r = RunChecked({"--check-leaks"}, "leaky_gtest", {"--gtest_filter=Leaky.*"});
  EXPECT_EQ(r.exit_code, 66);
  EXPECT_NE(r.err.find("1 leaked thread at exit"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("created in test Leaky.StartsWorker by"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("StartBackgroundWorker"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[cond wait, blocked"), std::string::npos) << r.err;
}

TEST(TestMode, CleanTestsPassAfterSettling) {
  NEED_AGENT();
  RunResult r = RunChecked({"--check-leaks"}, "leaky_gtest", {"--gtest_filter=Clean.*"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("leaked"), std::string::npos) << r.err;
}

TEST(TestMode, VerifyNoLeaksFailsTheTestThatLeaked) {
  NEED_AGENT();
  RunResult r = RunChecked({}, "leaky_gtest", {"--gtest_filter=VerifyNoLeaks.*"});
  EXPECT_EQ(r.exit_code, 1) << r.out;  // GoogleTest's own failure status
  EXPECT_NE(r.out.find("thread(s) created by this test are still alive"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("StartBackgroundWorker"), std::string::npos) << r.out;
}

TEST(TestMode, IgnoreOptions) {
  NEED_AGENT();
  for (const auto& flags : std::vector<std::vector<std::string>>{
           {"--ignore-top", "*Park"},
           {"--ignore-any", "re:Park\\(\\)"},
           {"--ignore-created-by", "*StartBackgroundWorker"}}) {
    std::vector<std::string> all{"--check-leaks"};
    all.insert(all.end(), flags.begin(), flags.end());
    RunResult r = RunChecked(all, "leaky_gtest", {"--gtest_filter=Leaky.*"});
    EXPECT_EQ(r.exit_code, 0) << flags[0] << " " << flags[1] << "\n" << r.err;
  }
  RunResult unmatched = RunChecked({"--check-leaks", "--ignore-top", "Nope"},
                                   "leaky_gtest", {"--gtest_filter=Leaky.*"});
  EXPECT_EQ(unmatched.exit_code, 66);
}

TEST(TestMode, TimeoutDumpsEveryStackAndKills) {
  NEED_AGENT();
  const double began = MonotonicSeconds();
  RunResult r = RunChecked({"--timeout", "2s"}, "deadlock_abba");
  EXPECT_EQ(r.exit_code, 124);
  EXPECT_LT(MonotonicSeconds() - began, 10.0);
  EXPECT_NE(r.err.find("still running after --timeout 2s"), std::string::npos) << r.err;
  // Summary first (deadlock first within it), then every thread, debug2.
  const size_t deadlock = r.err.find("DEADLOCK");
  const size_t debug2 = r.err.find("\"locker-a\" [mutex lock");
  ASSERT_NE(deadlock, std::string::npos) << r.err;
  ASSERT_NE(debug2, std::string::npos) << r.err;
  EXPECT_LT(deadlock, debug2);
}

TEST(TestMode, ExitFromAWorkerThread) {
  NEED_AGENT();
  const std::string report = ::testing::TempDir() + "/exit-worker.json";
  RunResult r = RunChecked({"--check-leaks", "--settle", "100ms", "--format", "json", "-o", report},
                           "exit_from_worker");
  EXPECT_EQ(r.exit_code, 66) << r.err;
  json j = ReadJsonFile(report);
  ASSERT_FALSE(j.is_discarded());
  ASSERT_EQ(j["leaks"].size(), 1u);
  ASSERT_EQ(j["leaks"][0]["tids"].size(), 1u);
  const json* leaked = ThreadIn(j["snapshot"], j["leaks"][0]["tids"][0].get<int>());
  ASSERT_NE(leaked, nullptr);
  EXPECT_EQ((*leaked)["name"], "parked");
  const json* exiter = ThreadIn(j["snapshot"], j["exiting_tid"].get<int>());
  ASSERT_NE(exiter, nullptr);
  EXPECT_EQ((*exiter)["name"], "exiter");
}

TEST(TestMode, ForksExecsAndNoThreadsPass) {
  NEED_AGENT();
  RunResult forks = RunChecked({"--check-leaks"}, "forks");
  EXPECT_EQ(forks.exit_code, 0) << forks.err;
  RunResult none = RunChecked({"--check-leaks"}, "no_threads");
  EXPECT_EQ(none.exit_code, 0) << none.err;
  RunResult own = RunChecked({"--check-leaks"}, "no_threads", {"3"});
  EXPECT_EQ(own.exit_code, 3);  // the program's own failure wins
}

TEST(TestMode, UnderscoreExitDoesNotHang) {
  NEED_AGENT();
  RunResult r = RunChecked({"--check-leaks"}, "park_then_exit", {"--underscore-exit"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.err.find("ended without an exit check"), std::string::npos) << r.err;
}

TEST(TestMode, FailOnBlocked) {
  NEED_AGENT();
  RunResult r = RunChecked({"--fail-on-blocked", "100ms", "--check-at", "300ms"},
                           "park_then_exit", {"--park-ms", "700"});
  EXPECT_EQ(r.exit_code, 67) << r.err;
  EXPECT_NE(r.err.find("parked longer than 100ms at check 300ms"), std::string::npos) << r.err;
  RunResult fine = RunChecked({"--fail-on-blocked", "2s", "--check-at", "300ms"},
                              "park_then_exit", {"--park-ms", "700"});
  EXPECT_EQ(fine.exit_code, 0) << fine.err;
}

TEST(TestMode, BadFlagsAreUsageErrors) {
  for (const auto& flags : std::vector<std::vector<std::string>>{
           {"--settle", "soon"}, {"--timeout", "5"}, {"--fail-on-blocked", "-1s"},
           {"--check-at", "x"}, {"--ignore-any", "re:("}, {"--ignore-top", ""}}) {
    RunResult r = RunChecked(flags, "no_threads");
    EXPECT_EQ(r.exit_code, 64) << flags[0] << " " << flags[1] << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

}  // namespace
}  // namespace parkscope::e2e
