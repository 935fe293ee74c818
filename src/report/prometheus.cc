#include "report/prometheus.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <map>
#include <optional>
#include <sstream>
#include <vector>

#include "report/site_text.h"

namespace parkscope {
namespace {

constexpr double kNsPerSecond = 1e9;

// Integers as integers; anything else as the shortest text that reads
// back as the same double (what Go's client prints, strconv 'g' -1).
std::string Number(double value) {
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (std::isnan(value)) return "NaN";
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return std::to_string(static_cast<int64_t>(value));
  }
  for (int precision = 1; precision < 17; ++precision) {
    std::ostringstream shorter;
    shorter << std::setprecision(precision) << value;
    if (std::stod(shorter.str()) == value) return shorter.str();
  }
  std::ostringstream exact;
  exact << std::setprecision(17) << value;
  return exact.str();
}

void Family(std::ostream& out, const char* name, const char* type, const char* help) {
  out << "# HELP " << name << ' ' << help << '\n' << "# TYPE " << name << ' ' << type << '\n';
}

void Sample(std::ostream& out, const char* name, double value) {
  out << name << ' ' << Number(value) << '\n';
}

struct SiteSeries {
  size_t parked = 0;
  std::optional<int64_t> longest_ns;
};
using SiteKey = std::pair<std::string, std::string>;  // reason, site text

// Parked groups by label text (two groups may print the same: stripped
// sites, shortened names), capped at kMaxSiteSeries with the rest summed.
std::vector<std::pair<SiteKey, SiteSeries>> ParkedSeries(const ProcessSnapshot& snapshot) {
  std::map<SiteKey, SiteSeries> by_label;
  for (const StackGroup& group : snapshot.groups) {
    if (group.tids.empty()) continue;
    const ThreadSnapshot& rep = snapshot.threads[group.representative];
    if (!IsParked(rep.wait.reason)) continue;
    SiteSeries& series = by_label[{ValidUtf8(group.reason), SiteText(group.site)}];
    series.parked += group.tids.size();
    if (group.max_blocked_ns) {
      series.longest_ns = std::max(series.longest_ns.value_or(0), *group.max_blocked_ns);
    }
  }
  std::vector<std::pair<SiteKey, SiteSeries>> series(by_label.begin(), by_label.end());
  std::stable_sort(series.begin(), series.end(),
                   [](const auto& a, const auto& b) { return a.second.parked > b.second.parked; });
  if (series.size() > kMaxSiteSeries) {
    std::map<std::string, SiteSeries> other;  // by reason
    for (size_t i = kMaxSiteSeries; i < series.size(); ++i) {
      SiteSeries& o = other[series[i].first.first];
      o.parked += series[i].second.parked;
      if (series[i].second.longest_ns) {
        o.longest_ns = std::max(o.longest_ns.value_or(0), *series[i].second.longest_ns);
      }
    }
    series.resize(kMaxSiteSeries);
    for (auto& [reason, o] : other) series.push_back({{reason, "(other)"}, o});
  }
  return series;
}

std::string Labels(const SiteKey& key) {
  return "{reason=\"" + PrometheusLabelValue(key.first) + "\",site=\"" +
         PrometheusLabelValue(key.second) + "\"}";
}

void WriteHistogram(const ProcessSnapshot& snapshot, std::ostream& out) {
  constexpr size_t kBuckets = std::size(kBlockedBuckets);
  std::vector<uint64_t> counts(kBuckets, 0);
  uint64_t total = 0;
  double sum = 0;
  for (const ThreadSnapshot& t : snapshot.threads) {
    if (!IsParked(t.wait.reason) || !t.wait.blocked_ns) continue;
    const double seconds = static_cast<double>(*t.wait.blocked_ns) / kNsPerSecond;
    for (size_t i = 0; i < kBuckets; ++i) counts[i] += seconds <= kBlockedBuckets[i];
    ++total;
    sum += seconds;
  }
  Family(out, "parkscope_blocked_seconds", "histogram",
         "How long each parked thread has been blocked (threads whose duration is known).");
  for (size_t i = 0; i < kBuckets; ++i) {
    out << "parkscope_blocked_seconds_bucket{le=\"" << Number(kBlockedBuckets[i]) << "\"} "
        << counts[i] << '\n';
  }
  out << "parkscope_blocked_seconds_bucket{le=\"+Inf\"} " << total << '\n';
  out << "parkscope_blocked_seconds_sum " << Number(sum) << '\n';
  out << "parkscope_blocked_seconds_count " << total << '\n';
}

}  // namespace

std::string PrometheusLabelValue(std::string_view value) {
  std::string out;
  for (char c : ValidUtf8(value)) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void WritePrometheus(const ProcessSnapshot& snapshot, const WatchCounters& counters,
                     std::ostream& out) {
  Family(out, "parkscope_threads", "gauge", "Threads of the watched process (like go_goroutines).");
  Sample(out, "parkscope_threads", static_cast<double>(snapshot.threads.size()));

  const auto series = ParkedSeries(snapshot);
  Family(out, "parkscope_parked_threads", "gauge", "Threads parked, by wait reason and wait site.");
  for (const auto& [key, s] : series) {
    out << "parkscope_parked_threads" << Labels(key) << ' ' << s.parked << '\n';
  }
  Family(out, "parkscope_longest_blocked_seconds", "gauge",
         "Longest blocked duration among the threads parked at a site.");
  for (const auto& [key, s] : series) {
    if (!s.longest_ns) continue;
    out << "parkscope_longest_blocked_seconds" << Labels(key) << ' '
        << Number(static_cast<double>(*s.longest_ns) / kNsPerSecond) << '\n';
  }
  WriteHistogram(snapshot, out);

  size_t deadlocked = 0;
  for (const Deadlock& d : snapshot.deadlocks) deadlocked += d.tids.size();
  Family(out, "parkscope_deadlocked_threads", "gauge", "Threads in a wait-for cycle.");
  Sample(out, "parkscope_deadlocked_threads", static_cast<double>(deadlocked));
  Family(out, "parkscope_agent_present", "gauge",
         "1 when the preload agent reports exact waits, else 0.");
  Sample(out, "parkscope_agent_present", snapshot.agent_present ? 1 : 0);

  Family(out, "parkscope_samples_total", "counter", "Samples taken.");
  Sample(out, "parkscope_samples_total", static_cast<double>(counters.samples_total));
  Family(out, "parkscope_sample_errors_total", "counter", "Samples that captured nothing.");
  Sample(out, "parkscope_sample_errors_total", static_cast<double>(counters.sample_errors_total));
  Family(out, "parkscope_threads_stopped_total", "counter",
         "Thread stops (ptrace) over all samples.");
  Sample(out, "parkscope_threads_stopped_total",
         static_cast<double>(counters.threads_stopped_total));
  Family(out, "parkscope_threads_reused_total", "counter",
         "Threads not touched because they had not run since the previous sample.");
  Sample(out, "parkscope_threads_reused_total", static_cast<double>(counters.threads_reused_total));
  Family(out, "parkscope_leak_alarms_total", "counter", "Leak trend alarms logged.");
  Sample(out, "parkscope_leak_alarms_total", static_cast<double>(counters.leak_alarms_total));
  Family(out, "parkscope_stuck_threads_total", "counter", "Stuck-thread events logged.");
  Sample(out, "parkscope_stuck_threads_total", static_cast<double>(counters.stuck_threads_total));
  Family(out, "parkscope_log_lines_dropped_total", "counter",
         "Log lines dropped because the log could not keep up.");
  Sample(out, "parkscope_log_lines_dropped_total",
         static_cast<double>(counters.log_lines_dropped_total));

  Family(out, "parkscope_last_sample_timestamp_seconds", "gauge",
         "When the latest sample was taken (Unix time).");
  Sample(out, "parkscope_last_sample_timestamp_seconds", counters.last_sample_unix_seconds);
  Family(out, "parkscope_last_sample_duration_seconds", "gauge",
         "Wall time the latest sample took.");
  Sample(out, "parkscope_last_sample_duration_seconds", counters.last_sample_duration_seconds);
  Family(out, "parkscope_last_sample_stopped_seconds", "gauge",
         "Time threads were kept stopped in the latest sample, summed over threads.");
  Sample(out, "parkscope_last_sample_stopped_seconds", counters.last_sample_stopped_seconds);
  Family(out, "parkscope_last_sample_longest_stop_seconds", "gauge",
         "Longest stop of one thread in the latest sample.");
  Sample(out, "parkscope_last_sample_longest_stop_seconds",
         counters.last_sample_longest_stop_seconds);
}

}  // namespace parkscope
