#include "watch/stuck_detector.h"

namespace parkscope {

std::vector<const SampledThread*> StuckDetector::Observe(const WatchSample& sample) {
  std::vector<const SampledThread*> stuck;
  for (const SampledThread& sampled : sample.threads) {
    const ThreadSnapshot& thread = *sampled.thread;
    if (!IsParked(thread.wait.reason) || !sampled.blocked_ns) {
      parkings_.erase(thread.tid);
      continue;
    }
    Parking& parking = parkings_[thread.tid];
    if (parking.checked != sampled.thread) {
      const WaitSite site = thread.Site();
      std::string where = thread.wait.Label() + '\x1f' + site.function + '\x1f' + site.file + ':' +
                          std::to_string(site.line);
      if (parking.where != where) parking = Parking{nullptr, std::move(where), 0, false, 0};
      parking.checked = sampled.thread;
    }
    // A shorter duration than last time means the wait started over.
    if (*sampled.blocked_ns < parking.last_blocked_ns) parking.reported = false;
    parking.last_blocked_ns = *sampled.blocked_ns;
    parking.seen_in = sample.seq;
    if (!parking.reported && *sampled.blocked_ns >= stuck_after_ns_) {
      parking.reported = true;
      stuck.push_back(&sampled);
    }
  }
  for (auto it = parkings_.begin(); it != parkings_.end();) {
    it = it->second.seen_in == sample.seq ? std::next(it) : parkings_.erase(it);
  }
  return stuck;
}

}  // namespace parkscope
