#include "watch/leak_trend.h"

#include <algorithm>

namespace parkscope {
namespace {

constexpr double kNsPerMinute = 60e9;

}  // namespace

std::optional<LeakAlarm> LeakTrendDetector::Check(Series& series, const SiteCount& latest) const {
  const auto& p = series.points;
  const size_t window = std::max<size_t>(options_.window, 3);
  bool trend = p.size() >= window;
  for (size_t i = 1; trend && i < p.size(); ++i) trend = p[i].second >= p[i - 1].second;
  const size_t mid = p.size() / 2;
  double rate = 0;
  if (trend) {
    trend = p[mid].second > p.front().second && p.back().second > p[mid].second;
  }
  if (trend) {
    const double minutes = static_cast<double>(p.back().first - p.front().first) / kNsPerMinute;
    rate = minutes > 0 ? static_cast<double>(p.back().second - p.front().second) / minutes : 0;
    trend = rate >= options_.min_slope_per_min;
  }
  if (!trend) {
    series.alarmed = false;  // re-armed
    return std::nullopt;
  }
  if (series.alarmed) return std::nullopt;
  series.alarmed = true;
  LeakAlarm alarm;
  alarm.reason = latest.reason;
  alarm.site = latest.site;
  alarm.count = p.back().second;
  alarm.first_count = p.front().second;
  alarm.rate_per_min = rate;
  alarm.window_seconds = static_cast<double>(p.back().first - p.front().first) / 1e9;
  alarm.created_by = latest.created_by;
  alarm.created_by_tid = latest.created_by_tid;
  return alarm;
}

std::vector<LeakAlarm> LeakTrendDetector::Observe(int64_t now_ns,
                                                  const std::vector<SiteCount>& counts) {
  const size_t window = std::max<size_t>(options_.window, 3);
  std::unordered_map<std::string, const SiteCount*> present;
  for (const SiteCount& c : counts) present[c.key] = &c;
  for (const SiteCount& c : counts) {
    if (series_.size() >= options_.max_sites && !series_.count(c.key)) continue;
    series_.try_emplace(c.key);
  }
  std::vector<LeakAlarm> alarms;
  for (auto it = series_.begin(); it != series_.end();) {
    Series& series = it->second;
    auto found = present.find(it->first);
    const size_t count = found == present.end() ? 0 : found->second->count;
    series.points.emplace_back(now_ns, count);
    while (series.points.size() > window) series.points.pop_front();
    // A site nobody has parked at for a whole window is forgotten.
    const bool all_zero = std::all_of(series.points.begin(), series.points.end(),
                                      [](const auto& point) { return point.second == 0; });
    if (all_zero && series.points.size() >= window) {
      it = series_.erase(it);
      continue;
    }
    if (found != present.end()) {
      if (auto alarm = Check(series, *found->second)) alarms.push_back(std::move(*alarm));
    } else {
      series.alarmed = false;
    }
    ++it;
  }
  return alarms;
}

}  // namespace parkscope
