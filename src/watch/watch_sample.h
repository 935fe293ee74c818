// One sample of the watch daemon, immutable once published: HTTP handlers
// render from it on their own threads while the sampler moves on.
//
// Threads that did not run since the previous sample share their
// ThreadSnapshot (stack, wait, site) with it, so an unchanged process costs
// a pointer copy per thread, not a copy of every frame (measured: copying a
// 1,000-thread snapshot of 34,000 frames takes 3.5 ms, the whole budget of a
// repeat sample). What changes from sample to sample without the thread
// running (its blocked duration, the owner of the lock it waits for) is
// kept beside the shared part. The full ProcessSnapshot, with groups and
// deadlocks over all threads, is built on first use by whoever needs it (a
// report, /metrics, the page), once per sample.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "model/snapshot.h"
#include "report/html.h"
#include "report/prometheus.h"

namespace parkscope {

struct SampledThread {
  std::shared_ptr<const ThreadSnapshot> thread;
  // This sample's values; they replace thread->wait's.
  std::optional<int64_t> blocked_ns;
  BlockedSource blocked_source = BlockedSource::kUnknown;
  std::optional<Tid> owner_tid;
  bool reused = false;  // not probed, not stopped: unchanged since the last capture
};

struct WatchSample {
  uint64_t seq = 0;  // 1 for the first sample
  Pid pid = 0;
  std::string command;
  int64_t taken_at_unix_ns = 0;
  int64_t monotonic_ns = 0;  // CLOCK_MONOTONIC at the start of the sample
  bool agent_present = false;
  std::vector<SampledThread> threads;  // ascending tid
  CaptureStats capture;                // of this sample's capture
  WatchCounters counters;              // as of this sample
  std::vector<CountPoint> history;     // the chart, oldest first, this sample last

  size_t ParkedCount() const;

  // The whole snapshot as `dump` would report it: threads with this
  // sample's durations and owners, deadlocks, groups. Built on the first
  // call (on the caller's thread), then shared.
  const ProcessSnapshot& Snapshot() const;

  // A rendered response, cached per sample and key so that many clients
  // asking for the same page cost one rendering.
  std::shared_ptr<const std::string> Rendered(
      const std::string& key, const std::function<std::string(const WatchSample&)>& render) const;

 private:
  mutable std::once_flag snapshot_once_;
  mutable std::unique_ptr<ProcessSnapshot> snapshot_;
  mutable std::mutex rendered_mutex_;
  mutable std::map<std::string, std::shared_ptr<const std::string>> rendered_;
};

// The latest published sample. Publishing and reading copy a pointer under
// a mutex and nothing else, so readers never hold up the sampler.
class LatestSample {
 public:
  void Publish(std::shared_ptr<const WatchSample> sample);
  std::shared_ptr<const WatchSample> Get() const;

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const WatchSample> sample_;
};

}  // namespace parkscope
