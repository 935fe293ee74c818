// The Prometheus text exposition format 0.0.4 for `parkscope watch`'s
// /metrics: the thread gauge (like Go's go_goroutines), parked threads and
// their longest blocked duration per wait site, a histogram of blocked
// durations, and the daemon's own sampling counters. Checked in tests with
// `promtool check metrics`, which lints names, types, HELP text and suffixes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>

#include "model/snapshot.h"

namespace parkscope {

// What the watch daemon counts across samples (counters) and measured on
// the latest one (gauges).
struct WatchCounters {
  uint64_t samples_total = 0;
  uint64_t sample_errors_total = 0;
  uint64_t threads_stopped_total = 0;  // ptrace stops, summed over samples
  uint64_t threads_reused_total = 0;   // threads skipped because unchanged
  uint64_t leak_alarms_total = 0;
  uint64_t stuck_threads_total = 0;
  uint64_t log_lines_dropped_total = 0;
  double last_sample_unix_seconds = 0;
  double last_sample_duration_seconds = 0;
  double last_sample_stopped_seconds = 0;  // summed over stopped threads
  double last_sample_longest_stop_seconds = 0;
};

// At most this many (reason, site) series per labelled family; the rest
// are summed into site="(other)" so a process with thousands of distinct
// sites cannot make the response unbounded.
inline constexpr size_t kMaxSiteSeries = 200;

// Upper bounds of the blocked-duration histogram, in seconds: from "just
// parked" to "parked for a day", roughly a decade or a natural unit apart.
inline constexpr double kBlockedBuckets[] = {0.01, 0.1, 1, 10, 60, 300, 1800, 3600, 21600, 86400};

// Writes every family with HELP and TYPE lines; ends with a newline.
void WritePrometheus(const ProcessSnapshot& snapshot, const WatchCounters& counters,
                     std::ostream& out);

// A label value escaped for the text format (\\, \", \n) and made valid
// UTF-8.
std::string PrometheusLabelValue(std::string_view value);

}  // namespace parkscope
