// go tool pprof (Debian golang-go) as the oracle for the profile.proto that
// watch serves and `parkscope record` writes: -raw, -traces and -top must
// read them and show the fixture's threads, labels and sites. Skips where
// Go is not installed.
#include <gtest/gtest.h>

#include <numeric>

#include "e2e_support.h"
#include "report/gzip.h"
#include "watch_e2e.h"

namespace parkscope::e2e {
namespace {

std::string SendSite() {
  return "fanout_leak.cc:" + std::to_string(MarkerLine("fanout_leak.cc", "fanout-send-inner"));
}

class GoPprof : public ::testing::Test {
 protected:
  void SetUp() override {
    go_ = Which("go");
    if (go_.empty())
      GTEST_SKIP() << "go is not installed (apt install golang-go); pprof checks skipped";
  }
  // PPROF_TMPDIR/HOME: pprof saves fetched profiles there; GOCACHE: go's
  // build cache, which `go tool` wants writable.
  RunResult Pprof(const std::vector<std::string>& args) {
    std::vector<std::string> argv{go_, "tool", "pprof"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunTool(argv,
                   {{"PPROF_TMPDIR", tmp_.path()},
                    {"HOME", tmp_.path()},
                    {"GOCACHE", tmp_.File("gocache")},
                    {"GOFLAGS", "-mod=mod"}},
                   120);
  }
  std::string go_;
  TempDir tmp_;
};

TEST_F(GoPprof, ReadsTheThreadsEndpointRawTracesAndTop) {
  Fixture fixture("fanout_leak", {"--requests", "3", "--workers", "2"});
  ASSERT_TRUE(fixture.WaitReady()) << fixture.why();
  WatchDaemon watch(fixture.pid(), {"--interval", "1h"});  // one sample: a stable answer
  const int port = watch.Port();
  ASSERT_GT(port, 0) << watch.Stderr();
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/debug/pprof/threads";

  RunResult raw = Pprof({"-raw", url});
  ASSERT_EQ(raw.exit_code, 0) << raw.err;
  EXPECT_NE(raw.out.find("PeriodType: threads count"), std::string::npos) << raw.out;
  EXPECT_NE(raw.out.find("threads/count[dflt] blocked/nanoseconds"), std::string::npos) << raw.out;
  EXPECT_NE(raw.out.find("reason:[cond wait]"), std::string::npos);
  EXPECT_NE(raw.out.find("thread_name:[worker]"), std::string::npos);
  EXPECT_NE(
      raw.out.find("site:[" + SendSite() + " (anonymous namespace)::Channel<int>::Send(int)]"),
      std::string::npos)
      << raw.out;
  EXPECT_NE(raw.out.find(" nanoseconds]"), std::string::npos);  // the numeric blocked label

  RunResult traces = Pprof({"-traces", url});
  ASSERT_EQ(traces.exit_code, 0) << traces.err;
  EXPECT_NE(traces.out.find("(anonymous namespace)::Channel<int>::Send(int)"), std::string::npos);
  EXPECT_NE(traces.out.find("pthread_cond_wait"), std::string::npos);
  EXPECT_NE(traces.out.find("(inline)"), std::string::npos) << "inlined frames as lines";

  RunResult top = Pprof({"-top", url});
  ASSERT_EQ(top.exit_code, 0) << top.err;
  // 6 workers and main: the default sample type counts threads.
  EXPECT_NE(top.out.find("Type: threads"), std::string::npos) << top.out;
  EXPECT_NE(top.out.find("Showing nodes accounting for 7, 100% of 7 total"), std::string::npos)
      << top.out;

  RunResult tagged = Pprof({"-top", "-tagfocus=reason=cond wait", url});
  ASSERT_EQ(tagged.exit_code, 0) << tagged.err;
  EXPECT_NE(tagged.out.find("accounting for 6, "), std::string::npos) << tagged.out;
  EXPECT_EQ(watch.Stop(SIGTERM), 0);
}

TEST_F(GoPprof, RecordWritesAWallClockProfile) {
  Fixture fixture("fanout_leak", {"--requests", "2", "--workers", "2"});
  ASSERT_TRUE(fixture.WaitReady()) << fixture.why();
  const std::string out = tmp_.File("profile.pb.gz");
  RunResult record = RunParkscope({"record", "-p", std::to_string(fixture.pid()), "--duration",
                                   "1s", "--rate", "20", "-o", out},
                                  60);
  ASSERT_EQ(record.exit_code, 0) << record.err;
  EXPECT_NE(record.err.find("parkscope: recorded "), std::string::npos);
  RunResult raw = Pprof({"-raw", out});
  ASSERT_EQ(raw.exit_code, 0) << raw.err;
  EXPECT_NE(raw.out.find("PeriodType: wall nanoseconds"), std::string::npos) << raw.out;
  EXPECT_NE(raw.out.find("Period: 50000000"), std::string::npos);
  EXPECT_NE(raw.out.find("samples/count wall/nanoseconds"), std::string::npos);
  RunResult top = Pprof({"-top", "-sample_index=samples", out});
  ASSERT_EQ(top.exit_code, 0) << top.err;
  EXPECT_NE(top.out.find("Channel<int>::Send(int)"), std::string::npos) << top.out;
  // About 20 samples of 5 threads; the first sample also counts.
  const size_t at = top.out.find("% of ");
  ASSERT_NE(at, std::string::npos) << top.out;
  const long total = std::stol(top.out.substr(at + 5));
  EXPECT_GE(total, 5 * 10);
  EXPECT_LE(total, 5 * 22);
}

TEST(Record, FoldedStacksEndInTheWaitReason) {
  Fixture fixture("fanout_leak", {"--requests", "2", "--workers", "2"});
  ASSERT_TRUE(fixture.WaitReady()) << fixture.why();
  RunResult record = RunParkscope({"record", "-p", std::to_string(fixture.pid()), "--duration",
                                   "500ms", "--rate", "10", "--format", "folded", "-o", "-"},
                                  60);
  ASSERT_EQ(record.exit_code, 0) << record.err;
  std::istringstream lines(record.out);
  std::string line;
  long workers = 0, all = 0;
  while (std::getline(lines, line)) {
    const long n = std::stol(line.substr(line.rfind(' ') + 1));
    all += n;
    if (line.find(";(anonymous namespace)::Channel<int>::Send(int);") != std::string::npos) {
      EXPECT_NE(line.find(";[cond wait] "), std::string::npos) << line;
      EXPECT_EQ(line.rfind("__clone3;start_thread;", 0), 0u) << "outermost first: " << line;
      workers += n;
    }
  }
  EXPECT_GT(workers, 0) << record.out;
  EXPECT_EQ(all % 5, 0) << "5 threads per sample";
  EXPECT_EQ(workers * 5, all * 4);
}

TEST(Record, TargetExitEndsTheRecordingAndKeepsWhatWasRecorded) {
  Fixture fixture("fanout_leak", {"--requests", "1", "--workers", "2"});
  ASSERT_TRUE(fixture.WaitReady()) << fixture.why();
  TempDir tmp;
  const std::string out = tmp.File("p.pb.gz");
  std::thread killer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    fixture.StopAndWait(SIGKILL);
  });
  RunResult record = RunParkscope(
      {"record", "-p", std::to_string(fixture.pid()), "--duration", "30s", "-o", out}, 60);
  killer.join();
  EXPECT_EQ(record.exit_code, 0) << record.err;
  EXPECT_NE(record.err.find("ended by target exit"), std::string::npos) << record.err;
  EXPECT_TRUE(Gunzip(ReadWhole(out)));
}

TEST(Record, BadFlagsExit64) {
  for (const std::vector<std::string>& bad : {std::vector<std::string>{"--duration", "forever"},
                                              {"--rate", "0"},
                                              {"--rate", "1000"},
                                              {"--format", "svg"},
                                              {"-o", "/nonexistent-dir/p.pb.gz"}}) {
    std::vector<std::string> args{"record", "-p", std::to_string(getpid())};
    args.insert(args.end(), bad.begin(), bad.end());
    RunResult r = RunParkscope(args, 20);
    EXPECT_EQ(r.exit_code, 64) << bad[0] << ": " << r.err;
  }
}

}  // namespace
}  // namespace parkscope::e2e
