// Stuck-thread events: once per thread and parking, re-armed when the wait
// starts over or moves, forgotten when the thread is gone.
#include <gtest/gtest.h>

#include <algorithm>

#include "watch/site_counts.h"
#include "watch/stuck_detector.h"
#include "watch_test_samples.h"

namespace parkscope {
namespace {

using testing::FanoutSample;

constexpr int64_t kMinute = 60'000'000'000;

std::vector<Tid> Tids(const std::vector<const SampledThread*>& threads) {
  std::vector<Tid> tids;
  for (const auto* t : threads) tids.push_back(t->thread->tid);
  return tids;
}

TEST(StuckDetector, ReportsEachThreadOnceWhenItPassesTheThreshold) {
  // main has been joining for 9m50s; the workers are parked 9m39s..9m40s.
  StuckDetector d(585'000'000'000);
  auto first = FanoutSample(3, 1);
  EXPECT_EQ(Tids(d.Observe(*first)), (std::vector<Tid>{1234}));
  auto later = FanoutSample(3, 2);
  for (auto& t : later->threads) {
    if (t.blocked_ns) *t.blocked_ns += kMinute;
  }
  EXPECT_EQ(Tids(d.Observe(*later)), (std::vector<Tid>{1240, 1241, 1242}));
  auto again = FanoutSample(3, 3);
  for (auto& t : again->threads) {
    if (t.blocked_ns) *t.blocked_ns += 2 * kMinute;
  }
  EXPECT_TRUE(d.Observe(*again).empty());
}

TEST(StuckDetector, ReArmsWhenTheWaitStartsOverAndIgnoresUnknownDurations) {
  StuckDetector d(kMinute);
  auto first = FanoutSample(1, 1);
  const auto reported = Tids(d.Observe(*first));
  // The poller (epoll, no known duration) and the running thread never are.
  EXPECT_EQ(std::count(reported.begin(), reported.end(), 1321), 0);
  EXPECT_EQ(std::count(reported.begin(), reported.end(), 1320), 0);
  EXPECT_EQ(std::count(reported.begin(), reported.end(), 1240), 1);
  auto restarted = FanoutSample(1, 2);
  for (auto& t : restarted->threads) {
    if (t.thread->tid == 1240) t.blocked_ns = 2 * kMinute;  // shorter: a new wait
  }
  EXPECT_EQ(Tids(d.Observe(*restarted)), (std::vector<Tid>{1240}));
}

TEST(SiteCounts, CountsParkedThreadsPerSiteWithTheirCreator) {
  auto sample = FanoutSample(5);
  auto counts = CountParkedBySite(*sample);
  auto worker = std::find_if(counts.begin(), counts.end(),
                             [](const SiteCount& c) { return c.site.line == 88; });
  ASSERT_NE(worker, counts.end());
  EXPECT_EQ(worker->count, 5u);
  EXPECT_EQ(worker->reason, "chan send");
  ASSERT_TRUE(worker->created_by);
  EXPECT_EQ(worker->created_by->function, "gather()");
  EXPECT_EQ(worker->created_by->line, 85);
  // The running thread is not parked anywhere.
  for (const auto& c : counts) EXPECT_NE(c.reason, "running");
}

TEST(SiteCounts, ACounterFollowsThreadsThatMoveBetweenSamples) {
  SiteCounter counter;
  auto first = FanoutSample(4, 1);
  auto second = FanoutSample(4, 2);
  // Sample 2 shares every thread with sample 1 but worker 1240, captured
  // anew parked elsewhere (the flusher's sleep).
  for (size_t i = 0; i < second->threads.size(); ++i) second->threads[i] = first->threads[i];
  const SampledThread* flusher = nullptr;
  for (const auto& t : first->threads) {
    if (t.thread->tid == 1323) flusher = &t;
  }
  ASSERT_NE(flusher, nullptr);
  for (auto& t : second->threads) {
    if (t.thread->tid != 1240) continue;
    auto moved = std::make_shared<ThreadSnapshot>(*flusher->thread);
    moved->tid = 1240;
    t.thread = moved;
  }
  auto count_at = [](const std::vector<SiteCount>& counts, int line) {
    for (const auto& c : counts) {
      if (c.site.line == line) return c.count;
    }
    return size_t{0};
  };
  const auto a = counter.Count(*first);
  EXPECT_EQ(count_at(a, 88), 4u);
  EXPECT_EQ(count_at(a, 22), 1u);
  const auto b = counter.Count(*second);
  EXPECT_EQ(count_at(b, 88), 3u);
  EXPECT_EQ(count_at(b, 22), 2u);
  EXPECT_EQ(b.size(), CountParkedBySite(*second).size());
}

}  // namespace
}  // namespace parkscope
