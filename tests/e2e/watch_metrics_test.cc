// /metrics of a live daemon through promtool (Debian prometheus), which
// lints names, types, HELP text and suffixes the way a Prometheus server
// would reject them; and the values against the same sample's JSON report.
#include <gtest/gtest.h>

#include "e2e_support.h"
#include "watch_e2e.h"

namespace parkscope::e2e {
namespace {

double Value(const std::string& metrics, const std::string& series) {
  const size_t at = metrics.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(metrics.substr(at + series.size() + 2));
}

TEST(WatchMetrics, PromtoolAcceptsThemAndTheyMatchTheSample) {
  Fixture fixture("fanout_leak", {"--requests", "3", "--workers", "2"});
  ASSERT_TRUE(fixture.WaitReady()) << fixture.why();
  WatchDaemon watch(fixture.pid(), {"--interval", "1h"});  // one sample behind every endpoint
  const int port = watch.Port();
  ASSERT_GT(port, 0) << watch.Stderr();
  HttpResponse metrics = HttpRequest(port, "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.headers.find("Content-Type: text/plain; version=0.0.4; charset=utf-8"),
            std::string::npos)
      << metrics.headers;

  const std::string promtool = Which("promtool");
  if (!promtool.empty()) {
    RunResult check = RunTool({promtool, "check", "metrics"}, {}, 60, metrics.body);
    EXPECT_EQ(check.exit_code, 0) << check.out << check.err << metrics.body;
    EXPECT_EQ(check.out + check.err, "");
  }

  auto json = nlohmann::json::parse(HttpRequest(port, "/debug/pprof/threads?format=json").body);
  EXPECT_EQ(Value(metrics.body, "parkscope_threads"), static_cast<double>(json["threads"].size()));
  const std::string site =
      "fanout_leak.cc:" + std::to_string(MarkerLine("fanout_leak.cc", "fanout-send-inner")) +
      " (anonymous namespace)::Channel<int>::Send(int)";
  EXPECT_EQ(
      Value(metrics.body, "parkscope_parked_threads{reason=\"cond wait\",site=\"" + site + "\"}"),
      6)
      << metrics.body;
  EXPECT_GT(Value(metrics.body,
                  "parkscope_longest_blocked_seconds{reason=\"cond wait\",site=\"" + site + "\"}"),
            0);
  EXPECT_EQ(Value(metrics.body, "parkscope_samples_total"), 1);
  EXPECT_EQ(Value(metrics.body, "parkscope_blocked_seconds_count"), 7);
  // Every thread of the fixture is asleep in a wait: copied without a stop.
  EXPECT_EQ(Value(metrics.body, "parkscope_threads_stopped_total"), 0);
  EXPECT_GT(Value(metrics.body, "parkscope_last_sample_timestamp_seconds"), 1.7e9);
  EXPECT_EQ(watch.Stop(SIGTERM), 0);
  if (promtool.empty()) GTEST_SKIP() << "promtool is not installed (apt install prometheus)";
}

}  // namespace
}  // namespace parkscope::e2e
