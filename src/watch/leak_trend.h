// Leak trend alarms: a wait site whose parked count keeps growing.
//
// The gauge that found the leak in the story behind this project was a
// goroutine count climbing in lockstep with memory. Per site, the detector
// keeps the last `window` samples' parked counts and raises one alarm when
// over that window the count
//   - never went down (a leak only adds; a pool that shrinks is not one),
//   - grew in both halves of the window (a pool that filled up once and
//     stayed is a step, not a trend), and
//   - grew at least min_slope_per_min threads per minute, first to last.
// One alarm per episode: the site is re-armed once a sample no longer meets
// the rule (the leak paused, or threads were released).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "watch/site_counts.h"

namespace parkscope {

struct LeakTrendOptions {
  size_t window = 10;              // samples, at least 3
  double min_slope_per_min = 1.0;  // threads per minute
  size_t max_sites = 10000;        // sites tracked; bounds memory
};

struct LeakAlarm {
  std::string reason;
  WaitSite site;
  size_t count = 0;        // parked there now
  size_t first_count = 0;  // at the start of the window
  double rate_per_min = 0;
  double window_seconds = 0;
  std::optional<WaitSite> created_by;
  Tid created_by_tid = 0;
};

class LeakTrendDetector {
 public:
  explicit LeakTrendDetector(LeakTrendOptions options) : options_(options) {}

  // One sample's counts at monotonic time now_ns; sites absent from counts
  // count zero. Returns the alarms this sample raises.
  std::vector<LeakAlarm> Observe(int64_t now_ns, const std::vector<SiteCount>& counts);

  size_t tracked_sites() const { return series_.size(); }

 private:
  struct Series {
    std::deque<std::pair<int64_t, size_t>> points;  // (time, count), oldest first
    bool alarmed = false;
  };
  std::optional<LeakAlarm> Check(Series& series, const SiteCount& latest) const;

  LeakTrendOptions options_;
  std::unordered_map<std::string, Series> series_;
};

}  // namespace parkscope
