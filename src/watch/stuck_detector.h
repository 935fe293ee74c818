// Stuck threads: one event per thread the first time a sample finds it
// parked longer than --stuck-after, with its stack. The thread is not
// reported again while it stays parked at the same site; it is re-armed
// when it leaves (runs, parks elsewhere, or its blocked duration starts
// over) and forgotten when it exits.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "watch/watch_sample.h"

namespace parkscope {

class StuckDetector {
 public:
  explicit StuckDetector(int64_t stuck_after_ns) : stuck_after_ns_(stuck_after_ns) {}

  // The threads of this sample that just became stuck.
  std::vector<const SampledThread*> Observe(const WatchSample& sample);

 private:
  struct Parking {
    // The capture this parking was last checked against: a thread reused
    // from one sample to the next keeps its ThreadSnapshot, and then its
    // reason and site need no second look (a thousand string builds a
    // sample otherwise). Held, so that its address cannot be reused.
    std::shared_ptr<const ThreadSnapshot> checked;
    std::string where;  // reason and site
    int64_t last_blocked_ns = 0;
    bool reported = false;
    uint64_t seen_in = 0;
  };

  int64_t stuck_after_ns_;
  std::unordered_map<Tid, Parking> parkings_;
};

}  // namespace parkscope
