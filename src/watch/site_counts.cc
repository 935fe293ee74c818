#include "watch/site_counts.h"

#include "report/thread_text.h"

namespace parkscope {
namespace {

std::string SiteKey(const ThreadSnapshot& thread, const std::string& reason) {
  const WaitSite site = thread.Site();
  std::string key =
      reason + '\x1f' + site.function + '\x1f' + site.file + ':' + std::to_string(site.line);
  if (site.function.empty() && site.file.empty() && thread.site_frame >= 0) {
    const Frame& frame = thread.frames[static_cast<size_t>(thread.site_frame)];
    key += '\x1f' + frame.module + '+' + std::to_string(frame.module_offset);
  }
  return key;
}

}  // namespace

std::vector<SiteCount> SiteCounter::Count(const WatchSample& sample) {
  std::vector<SiteCount> counts;
  std::unordered_map<std::string, size_t> index;  // key -> counts[i]
  for (const SampledThread& sampled : sample.threads) {
    const ThreadSnapshot& thread = *sampled.thread;
    if (!IsParked(thread.wait.reason)) continue;
    Cached& cached = cache_[thread.tid];
    if (cached.thread != sampled.thread) {
      cached.thread = sampled.thread;
      cached.key = SiteKey(thread, thread.wait.Label());
    }
    cached.seen_in = sample.seq;
    auto [it, added] = index.try_emplace(cached.key, counts.size());
    if (added) {
      SiteCount& count = counts.emplace_back();
      count.key = cached.key;
      count.reason = thread.wait.Label();
      count.site = thread.Site();
    }
    SiteCount& count = counts[it->second];
    ++count.count;
    // Threads are in tid order; the last one with a creator is (usually)
    // the newest, the one a leak keeps adding.
    if (thread.created_by) {
      if (const Frame* creator = CreatorFrame(*thread.created_by)) {
        count.created_by = WaitSite{creator->function, creator->file, creator->line};
        count.created_by_tid = thread.created_by->tid;
      }
    }
  }
  for (auto it = cache_.begin(); it != cache_.end();) {
    it = it->second.seen_in == sample.seq ? std::next(it) : cache_.erase(it);
  }
  return counts;
}

std::vector<SiteCount> CountParkedBySite(const WatchSample& sample) {
  return SiteCounter().Count(sample);
}

}  // namespace parkscope
