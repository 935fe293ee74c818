// Parked threads counted per wait site in one watch sample: the input of
// the leak trend detector.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
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

// One entry per site with at least one parked thread, by key.
std::vector<SiteCount> CountParkedBySite(const WatchSample& sample);

}  // namespace parkscope
