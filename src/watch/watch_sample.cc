#include "watch/watch_sample.h"

#include "analyze/deadlock.h"
#include "analyze/group.h"

namespace parkscope {
namespace {

// Distinct renderings kept per sample; the keys come from a handful of
// formats, so this only matters against a client cycling query strings.
constexpr size_t kMaxRendered = 16;

}  // namespace

size_t WatchSample::ParkedCount() const {
  size_t parked = 0;
  for (const SampledThread& t : threads) parked += IsParked(t.thread->wait.reason);
  return parked;
}

const ProcessSnapshot& WatchSample::Snapshot() const {
  std::call_once(snapshot_once_, [this] {
    auto s = std::make_unique<ProcessSnapshot>();
    s->pid = pid;
    s->command = command;
    s->taken_at_unix_ns = taken_at_unix_ns;
    s->capture = capture;
    s->agent_present = agent_present;
    s->threads.reserve(threads.size());
    for (const SampledThread& sampled : threads) {
      ThreadSnapshot thread = *sampled.thread;
      thread.wait.blocked_ns = sampled.blocked_ns;
      thread.wait.blocked_source = sampled.blocked_source;
      thread.wait.owner_tid = sampled.owner_tid;
      if (sampled.reused) thread.stopped_us = 0;
      s->threads.push_back(std::move(thread));
    }
    // Sites and runtime flags were marked when each thread was captured;
    // only what spans threads is computed here.
    s->deadlocks = FindDeadlocks(*s);
    GroupAndSort(*s);
    snapshot_ = std::move(s);
  });
  return *snapshot_;
}

std::shared_ptr<const std::string> WatchSample::Rendered(
    const std::string& key, const std::function<std::string(const WatchSample&)>& render) const {
  {
    std::lock_guard lock(rendered_mutex_);
    if (auto it = rendered_.find(key); it != rendered_.end()) return it->second;
  }
  // Rendered outside the lock: two first requests may both render, but no
  // request waits for another's rendering of a different format.
  auto text = std::make_shared<const std::string>(render(*this));
  std::lock_guard lock(rendered_mutex_);
  if (rendered_.size() < kMaxRendered) rendered_.emplace(key, text);
  return text;
}

void LatestSample::Publish(std::shared_ptr<const WatchSample> sample) {
  std::shared_ptr<const WatchSample> old;
  {
    std::lock_guard lock(mutex_);
    old = std::move(sample_);
    sample_ = std::move(sample);
  }
  // `old` is released here, outside the lock: freeing a sample with its
  // built snapshot takes milliseconds that no reader should wait for.
}

std::shared_ptr<const WatchSample> LatestSample::Get() const {
  std::lock_guard lock(mutex_);
  return sample_;
}

}  // namespace parkscope
