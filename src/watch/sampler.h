// The watch daemon's sampler: one snapshot of the target per call, each
// built on the previous one. A thread that has not run since it was last
// captured (task_fingerprint.h) is not touched at all: no probe beyond two
// small /proc reads, no ptrace call, no unwinding; its stack, wait and site
// are shared with the previous sample. Only threads that ran are captured
// again.
//
// Per-thread history also gives every parked thread an observed "blocked
// at least since" (BlockedSource::kObserved) when neither the agent nor
// /proc/PID/task/TID/sched can tell: from the moment its baseline was read,
// every later sample that found it unchanged proves it did not run.
//
// Not thread-safe: one sampler, one thread (the one that ptraces).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "collect/take_snapshot.h"
#include "watch/task_fingerprint.h"
#include "watch/watch_sample.h"

namespace parkscope {

struct SamplerOptions {
  SnapshotOptions snapshot;  // the sampler sets its cache and capture hook
  // Threads whose /proc files stay open between samples (two descriptors
  // each); see TaskFingerprintReader.
  size_t max_cached_tasks = 1024;
  size_t history_points = 600;  // chart points kept
};

struct SampleOutcome {
  CaptureStatus status = CaptureStatus::kError;
  std::string error;  // why nothing was captured
  // Null when nothing was captured. Mutable until published, so the
  // caller can add its own counters.
  std::shared_ptr<WatchSample> sample;
  bool exec = false;    // the command line changed since the previous sample
  size_t captured = 0;  // threads captured anew (stopped or not)
  size_t reused = 0;    // threads left untouched
};

// A thread's blocked duration as of a sample that began at sample_ns:
//   - known when it was captured (sched, agent): that value, plus the time
//     since it was read (valid_at_ns) if the thread is reused, since a
//     thread that did not run has been blocked that much longer;
//   - unknown: if the thread is parked and has not run since parked_since_ns,
//     at least that long (kObserved);
//   - otherwise unknown.
struct BlockedAtSample {
  std::optional<int64_t> ns;
  BlockedSource source = BlockedSource::kUnknown;
};
BlockedAtSample BlockedDuration(const WaitState& wait, bool reused, int64_t valid_at_ns,
                                std::optional<int64_t> parked_since_ns, int64_t sample_ns);

class Sampler {
 public:
  Sampler(Pid pid, SamplerOptions options);
  Sampler(const Sampler&) = delete;
  Sampler& operator=(const Sampler&) = delete;

  SampleOutcome Sample();
  const WatchCounters& counters() const { return counters_; }

 private:
  struct ThreadHistory {
    std::shared_ptr<const ThreadSnapshot> thread;
    int64_t valid_at_ns = 0;                  // CLOCK_MONOTONIC when thread->wait was read
    std::optional<TaskFingerprint> baseline;  // read after the capture released it
    int64_t baseline_at_ns = 0;
    std::optional<int64_t> parked_since_ns;  // has not run since (monotonic)
    uint64_t seen_in = 0;                    // the last sample that found the thread
    bool reused = false;                     // that sample left it untouched
  };

  // The capture's hook: true when tid matches its baseline.
  bool Unchanged(Tid tid);
  ThreadHistory FromCapture(ThreadSnapshot thread, const SnapshotResult& result, int64_t started);
  std::shared_ptr<WatchSample> BuildSample(const SnapshotResult& result, int64_t started);

  Pid pid_;
  SamplerOptions options_;
  SamplingCache cache_;
  MapsMemo maps_memo_;
  TaskFingerprintReader reader_;
  std::unordered_map<Tid, ThreadHistory> history_;
  // This sample's fingerprints of the threads it captures, read just
  // before their probe; compared with the reads after the capture.
  std::unordered_map<Tid, TaskFingerprint> before_;
  WatchCounters counters_;
  std::deque<CountPoint> points_;
  uint64_t seq_ = 0;
  bool agent_present_ = false;
  std::string command_;
};

}  // namespace parkscope
