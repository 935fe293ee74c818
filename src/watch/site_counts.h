// Parked threads counted per wait site in one watch sample: the input of
// the leak trend detector.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/snapshot.h"
#include "watch/watch_sample.h"

namespace parkscope {

struct SiteCount {
  // Identifies the site across samples: reason, site, and for a stripped
  // site (no function, no file) the frame's module and offset, as grouping
  // does (analyze/group.h).
  std::string key;
  std::string reason;  // WaitState::Label()
  WaitSite site;
  size_t count = 0;
  // Where the newest thread parked here was created (agent only).
  std::optional<WaitSite> created_by;
  Tid created_by_tid = 0;
};

// Counts sample after sample, remembering each thread's site key while
// its ThreadSnapshot is reused, so an unchanged thread costs a pointer
// compare rather than building its key again.
class SiteCounter {
 public:
  // One entry per site with at least one parked thread, by key.
  std::vector<SiteCount> Count(const WatchSample& sample);

 private:
  struct Cached {
    std::shared_ptr<const ThreadSnapshot> thread;  // held: its address stays unique
    std::string key;
    uint64_t seen_in = 0;
  };
  std::unordered_map<Tid, Cached> cache_;
};

// One sample on its own (tests, one-off use).
std::vector<SiteCount> CountParkedBySite(const WatchSample& sample);

}  // namespace parkscope
