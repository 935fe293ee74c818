// The /metrics text, pinned exactly for a synthetic snapshot (promtool
// lints the live endpoint in tests/e2e/watch_metrics_test.cc), plus the
// rules that keep it valid and bounded whatever the target is called.
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "../golden/synthetic_snapshots.h"
#include "report/prometheus.h"

namespace parkscope {
namespace {

using testing::Analyzed;
using testing::FanoutFilter;
using testing::FanoutSnapshot;

WatchCounters SomeCounters() {
  WatchCounters c;
  c.samples_total = 7;
  c.sample_errors_total = 1;
  c.threads_stopped_total = 12;
  c.threads_reused_total = 30;
  c.leak_alarms_total = 1;
  c.stuck_threads_total = 2;
  c.last_sample_unix_seconds = 1760000000.123;
  c.last_sample_duration_seconds = 0.0042;
  c.last_sample_stopped_seconds = 0.000125;
  c.last_sample_longest_stop_seconds = 0.00004;
  return c;
}

std::string Metrics(const ProcessSnapshot& s, const WatchCounters& c = SomeCounters()) {
  std::ostringstream out;
  WritePrometheus(s, c, out);
  return out.str();
}

TEST(Prometheus, FanoutExactText) {
  const std::string expected =
      R"prom(# HELP parkscope_threads Threads of the watched process (like go_goroutines).
# TYPE parkscope_threads gauge
parkscope_threads 7
# HELP parkscope_parked_threads Threads parked, by wait reason and wait site.
# TYPE parkscope_parked_threads gauge
parkscope_parked_threads{reason="chan send",site="fetch.cc:88 worker(Channel&)"} 2
parkscope_parked_threads{reason="epoll wait",site="unknown"} 1
parkscope_parked_threads{reason="io wait",site="unknown"} 1
parkscope_parked_threads{reason="join",site="fanout.cc:120 main"} 1
parkscope_parked_threads{reason="sleep",site="flusher.cc:22 Flusher::Run()"} 1
# HELP parkscope_longest_blocked_seconds Longest blocked duration among the threads parked at a site.
# TYPE parkscope_longest_blocked_seconds gauge
parkscope_longest_blocked_seconds{reason="chan send",site="fetch.cc:88 worker(Channel&)"} 580
parkscope_longest_blocked_seconds{reason="io wait",site="unknown"} 3.204
parkscope_longest_blocked_seconds{reason="join",site="fanout.cc:120 main"} 590
parkscope_longest_blocked_seconds{reason="sleep",site="flusher.cc:22 Flusher::Run()"} 12.345
# HELP parkscope_blocked_seconds How long each parked thread has been blocked (threads whose duration is known).
# TYPE parkscope_blocked_seconds histogram
parkscope_blocked_seconds_bucket{le="0.01"} 0
parkscope_blocked_seconds_bucket{le="0.1"} 0
parkscope_blocked_seconds_bucket{le="1"} 0
parkscope_blocked_seconds_bucket{le="10"} 1
parkscope_blocked_seconds_bucket{le="60"} 2
parkscope_blocked_seconds_bucket{le="300"} 2
parkscope_blocked_seconds_bucket{le="1800"} 5
parkscope_blocked_seconds_bucket{le="3600"} 5
parkscope_blocked_seconds_bucket{le="21600"} 5
parkscope_blocked_seconds_bucket{le="86400"} 5
parkscope_blocked_seconds_bucket{le="+Inf"} 5
parkscope_blocked_seconds_sum 1765.199
parkscope_blocked_seconds_count 5
# HELP parkscope_deadlocked_threads Threads in a wait-for cycle.
# TYPE parkscope_deadlocked_threads gauge
parkscope_deadlocked_threads 0
# HELP parkscope_agent_present 1 when the preload agent reports exact waits, else 0.
# TYPE parkscope_agent_present gauge
parkscope_agent_present 1
# HELP parkscope_samples_total Samples taken.
# TYPE parkscope_samples_total counter
parkscope_samples_total 7
# HELP parkscope_sample_errors_total Samples that captured nothing.
# TYPE parkscope_sample_errors_total counter
parkscope_sample_errors_total 1
# HELP parkscope_threads_stopped_total Thread stops (ptrace) over all samples.
# TYPE parkscope_threads_stopped_total counter
parkscope_threads_stopped_total 12
# HELP parkscope_threads_reused_total Threads not touched because they had not run since the previous sample.
# TYPE parkscope_threads_reused_total counter
parkscope_threads_reused_total 30
# HELP parkscope_leak_alarms_total Leak trend alarms logged.
# TYPE parkscope_leak_alarms_total counter
parkscope_leak_alarms_total 1
# HELP parkscope_stuck_threads_total Stuck-thread events logged.
# TYPE parkscope_stuck_threads_total counter
parkscope_stuck_threads_total 2
# HELP parkscope_log_lines_dropped_total Log lines dropped because the log could not keep up.
# TYPE parkscope_log_lines_dropped_total counter
parkscope_log_lines_dropped_total 0
# HELP parkscope_last_sample_timestamp_seconds When the latest sample was taken (Unix time).
# TYPE parkscope_last_sample_timestamp_seconds gauge
parkscope_last_sample_timestamp_seconds 1760000000.123
# HELP parkscope_last_sample_duration_seconds Wall time the latest sample took.
# TYPE parkscope_last_sample_duration_seconds gauge
parkscope_last_sample_duration_seconds 0.0042
# HELP parkscope_last_sample_stopped_seconds Time threads were kept stopped in the latest sample, summed over threads.
# TYPE parkscope_last_sample_stopped_seconds gauge
parkscope_last_sample_stopped_seconds 0.000125
# HELP parkscope_last_sample_longest_stop_seconds Longest stop of one thread in the latest sample.
# TYPE parkscope_last_sample_longest_stop_seconds gauge
parkscope_last_sample_longest_stop_seconds 4e-05
)prom";
  EXPECT_EQ(Metrics(Analyzed(FanoutSnapshot(2), FanoutFilter())), expected);
}

TEST(Prometheus, LabelValuesAreEscapedAndValidUtf8) {
  EXPECT_EQ(PrometheusLabelValue("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  EXPECT_EQ(PrometheusLabelValue("x\xff"), "x\xEF\xBF\xBD");
  ProcessSnapshot s = FanoutSnapshot(1);
  for (auto& t : s.threads) {
    for (auto& f : t.frames) {
      if (f.function == "worker(Channel&)") f.function = "odd\"name\nwith\\stuff";
    }
  }
  const std::string text = Metrics(Analyzed(s, FanoutFilter()));
  EXPECT_NE(text.find("site=\"fetch.cc:88 odd\\\"name\\nwith\\\\stuff\"}"), std::string::npos)
      << text;
}

TEST(Prometheus, SitesBeyondTheCapAreSummedIntoOther) {
  ProcessSnapshot s = FanoutSnapshot(kMaxSiteSeries + 50);
  // Give every worker a site of its own.
  int site_line = 1;
  for (auto& t : s.threads) {
    if (t.name != "worker") continue;
    for (auto& f : t.frames) {
      if (f.function == "worker(Channel&)" && !f.inlined) f.line = site_line;
    }
    ++site_line;
  }
  const ProcessSnapshot analyzed = Analyzed(s, FanoutFilter());
  const std::string text = Metrics(analyzed);
  std::istringstream lines(text);
  std::string line;
  size_t series = 0, others = 0, parked = 0;
  while (std::getline(lines, line)) {
    if (line.rfind("parkscope_parked_threads{", 0) != 0) continue;
    ++series;
    others += line.find("site=\"(other)\"") != std::string::npos;
    parked += std::stoul(line.substr(line.rfind(' ') + 1));
  }
  // 200 sites kept, then one "(other)" per reason among the rest; nothing
  // is lost in the summing.
  EXPECT_GE(others, 1u);
  EXPECT_EQ(series, kMaxSiteSeries + others);
  EXPECT_EQ(parked, analyzed.ParkedCount());
  EXPECT_NE(text.find("parkscope_parked_threads{reason=\"chan send\",site=\"(other)\"} "),
            std::string::npos);
}

TEST(Prometheus, HistogramBucketsAreCumulativeAndCountMatchesInf) {
  const std::string text = Metrics(Analyzed(FanoutSnapshot(30), FanoutFilter()));
  std::istringstream lines(text);
  std::string line;
  long previous = -1, inf = -1, count = -2;
  while (std::getline(lines, line)) {
    if (line.rfind("parkscope_blocked_seconds_bucket", 0) == 0) {
      const long v = std::stol(line.substr(line.rfind(' ') + 1));
      EXPECT_GE(v, previous) << line;
      previous = v;
      if (line.find("+Inf") != std::string::npos) inf = v;
    }
    if (line.rfind("parkscope_blocked_seconds_count ", 0) == 0) count = std::stol(line.substr(32));
  }
  EXPECT_EQ(inf, count);
  EXPECT_EQ(count, 33);  // 30 workers, main, loader, flusher: the parked threads with a duration
}

TEST(Prometheus, EndsWithNewlineAndEveryFamilyHasHelpAndType) {
  const std::string text = Metrics(Analyzed(FanoutSnapshot(1), FanoutFilter()));
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  std::istringstream lines(text);
  std::string line, last_help;
  while (std::getline(lines, line)) {
    if (line.rfind("# HELP ", 0) == 0) last_help = line.substr(7, line.find(' ', 7) - 7);
    if (line.rfind("# TYPE ", 0) == 0) EXPECT_EQ(line.substr(7, last_help.size()), last_help);
  }
}

}  // namespace
}  // namespace parkscope
