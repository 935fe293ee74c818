// The leak trend rule (watch/leak_trend.h) on made-up series: a steady leak
// alarms once, a pool that fills once does not, a paused leak re-arms.
#include <gtest/gtest.h>

#include <vector>

#include "watch/leak_trend.h"

namespace parkscope {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

SiteCount At(size_t count, std::string key = "cond wait|Send") {
  SiteCount c;
  c.key = std::move(key);
  c.reason = "cond wait";
  c.site = {"Channel<int>::Send(int)", "/src/fanout_leak.cc", 47};
  c.count = count;
  return c;
}

// Feeds counts one per second; returns the sample indexes that alarmed.
std::vector<size_t> Feed(LeakTrendDetector& d, const std::vector<size_t>& counts,
                         std::vector<LeakAlarm>* alarms = nullptr) {
  std::vector<size_t> fired;
  for (size_t i = 0; i < counts.size(); ++i) {
    std::vector<SiteCount> sample;
    if (counts[i] > 0) sample.push_back(At(counts[i]));
    auto got = d.Observe(static_cast<int64_t>(i) * kSecond, sample);
    if (!got.empty()) fired.push_back(i);
    if (alarms) alarms->insert(alarms->end(), got.begin(), got.end());
  }
  return fired;
}

TEST(LeakTrend, SteadyGrowthAlarmsOnceWhenTheWindowIsFull) {
  LeakTrendDetector d({5, 1.0});
  std::vector<LeakAlarm> alarms;
  EXPECT_EQ(Feed(d, {10, 14, 18, 22, 26, 30, 34, 38}, &alarms), (std::vector<size_t>{4}));
  ASSERT_EQ(alarms.size(), 1u);
  EXPECT_EQ(alarms[0].count, 26u);
  EXPECT_EQ(alarms[0].first_count, 10u);
  EXPECT_DOUBLE_EQ(alarms[0].rate_per_min, 16.0 / 4 * 60);  // 4 threads a second
  EXPECT_DOUBLE_EQ(alarms[0].window_seconds, 4.0);
  EXPECT_EQ(alarms[0].site.line, 47);
}

TEST(LeakTrend, FlatStepsInsideAGrowingWindowStillCount) {
  LeakTrendDetector d({5, 1.0});
  EXPECT_EQ(Feed(d, {10, 10, 11, 11, 12}), (std::vector<size_t>{4}));
}

TEST(LeakTrend, APoolThatFilledOnceIsAStepNotATrend) {
  LeakTrendDetector d({10, 1.0});
  EXPECT_TRUE(Feed(d, {0, 0, 0, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8}).empty());
}

TEST(LeakTrend, AnyDecreaseBreaksTheTrend) {
  LeakTrendDetector d({5, 1.0});
  EXPECT_TRUE(Feed(d, {10, 20, 15, 25, 30}).empty());
}

TEST(LeakTrend, SlowerThanMinSlopeDoesNotAlarm) {
  LeakTrendDetector d({5, 100.0});                         // 100 threads a minute required
  EXPECT_TRUE(Feed(d, {10, 11, 12, 13, 14, 15}).empty());  // 60 a minute
}

TEST(LeakTrend, RearmsAfterThePauseAndAlarmsAgain) {
  LeakTrendDetector d({4, 1.0});
  const std::vector<size_t> fired = Feed(d, {1, 2, 3, 4, 5, 5, 5, 5, 5, 6, 7, 8, 9});
  // Window [5 5 6 7] at index 10 grows in both halves again.
  EXPECT_EQ(fired, (std::vector<size_t>{3, 10}));
}

TEST(LeakTrend, CarriesTheCreatorSite) {
  LeakTrendDetector d({3, 1.0});
  std::vector<LeakAlarm> alarms;
  for (int i = 0; i < 3; ++i) {
    SiteCount c = At(static_cast<size_t>(5 + 5 * i));
    c.created_by = WaitSite{"Gather(int)", "/src/fanout_leak.cc", 103};
    c.created_by_tid = 42;
    auto got = d.Observe(i * kSecond, {c});
    alarms.insert(alarms.end(), got.begin(), got.end());
  }
  ASSERT_EQ(alarms.size(), 1u);
  ASSERT_TRUE(alarms[0].created_by);
  EXPECT_EQ(alarms[0].created_by->line, 103);
  EXPECT_EQ(alarms[0].created_by_tid, 42);
}

TEST(LeakTrend, SitesAreIndependentAndTrackingIsBounded) {
  LeakTrendDetector d({3, 1.0, /*max_sites=*/2});
  for (int i = 0; i < 3; ++i) {
    std::vector<SiteCount> sample = {At(1 + i, "a"), At(1 + i, "b"), At(1 + i, "c")};
    auto alarms = d.Observe(i * kSecond, sample);
    EXPECT_EQ(alarms.size(), i == 2 ? 2u : 0u);
  }
  EXPECT_EQ(d.tracked_sites(), 2u);
}

TEST(LeakTrend, ASiteGoneForAWholeWindowIsForgotten) {
  LeakTrendDetector d({3, 1.0});
  Feed(d, {1, 0, 0, 0});
  EXPECT_EQ(d.tracked_sites(), 0u);
}

}  // namespace
}  // namespace parkscope
