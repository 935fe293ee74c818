#include "watch/site_counts.h"

#include <map>

#include "report/thread_text.h"

namespace parkscope {
namespace {

std::string SiteKey(const ThreadSnapshot& thread, const std::string& reason) {
  const WaitSite site = thread.Site();
  std::string key = reason + '\x1f' + site.function + '\x1f' + site.file + ':' +
                    std::to_string(site.line);
  if (site.function.empty() && site.file.empty() && thread.site_frame >= 0) {
    const Frame& frame = thread.frames[static_cast<size_t>(thread.site_frame)];
    key += '\x1f' + frame.module + '+' + std::to_string(frame.module_offset);
  }
  return key;
}

}  // namespace

std::vector<SiteCount> CountParkedBySite(const WatchSample& sample) {
  std::map<std::string, SiteCount> by_key;
  for (const SampledThread& sampled : sample.threads) {
    const ThreadSnapshot& thread = *sampled.thread;
    if (!IsParked(thread.wait.reason)) continue;
    const std::string reason = thread.wait.Label();
    const std::string key = SiteKey(thread, reason);
    SiteCount& count = by_key[key];
    if (count.count++ == 0) {
      count.key = key;
      count.reason = reason;
      count.site = thread.Site();
    }
    // Threads are in tid order; the last one with a creator is (usually)
    // the newest, the one a leak keeps adding.
    if (thread.created_by) {
      if (const Frame* creator = CreatorFrame(*thread.created_by)) {
        count.created_by = WaitSite{creator->function, creator->file, creator->line};
        count.created_by_tid = thread.created_by->tid;
      }
    }
  }
  std::vector<SiteCount> counts;
  counts.reserve(by_key.size());
  for (auto& [key, count] : by_key) counts.push_back(std::move(count));
  return counts;
}

}  // namespace parkscope
