// WatchSamples made from the synthetic snapshots, for the watch unit tests.
#pragma once

#include <memory>

#include "../golden/synthetic_snapshots.h"
#include "watch/watch_sample.h"

namespace parkscope::testing {

// Every thread captured anew (not reused), with its own durations.
inline std::shared_ptr<WatchSample> SampleOf(const ProcessSnapshot& s, uint64_t seq = 1) {
  auto sample = std::make_shared<WatchSample>();
  sample->seq = seq;
  sample->pid = s.pid;
  sample->command = s.command;
  sample->taken_at_unix_ns = s.taken_at_unix_ns;
  sample->agent_present = s.agent_present;
  sample->capture = s.capture;
  for (const ThreadSnapshot& t : s.threads) {
    SampledThread st;
    st.thread = std::make_shared<const ThreadSnapshot>(t);
    st.blocked_ns = t.wait.blocked_ns;
    st.blocked_source = t.wait.blocked_source;
    st.owner_tid = t.wait.owner_tid;
    sample->threads.push_back(std::move(st));
  }
  return sample;
}

inline std::shared_ptr<WatchSample> FanoutSample(int workers = 3, uint64_t seq = 1) {
  return SampleOf(Analyzed(FanoutSnapshot(workers), FanoutFilter()), seq);
}

}  // namespace parkscope::testing
