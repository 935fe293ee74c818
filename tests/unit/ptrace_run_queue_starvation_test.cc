#include "ptrace/run_queue_starvation.h"

#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace parkscope {
namespace {

constexpr int64_t kLimit = 10'000'000;

TEST(RunQueueStarvation, AThreadRunnableAllAlongThatNeverRanIsStarved) {
  RunSamples before{{7, {5'000, 100, true}}};
  RunSamples now{{7, {5'000, 100, true}}};
  EXPECT_TRUE(Starved(before, now, kLimit));
}

TEST(RunQueueStarvation, RunningOrSleepingBetweenIsNot) {
  // Ran in between: its run time moved.
  EXPECT_FALSE(Starved({{7, {5'000, 100, true}}}, {{7, {9'000, 100, true}}}, kLimit));
  // Asleep at either sample: it may have waited for something else.
  EXPECT_FALSE(Starved({{7, {5'000, 100, false}}}, {{7, {5'000, 100, true}}}, kLimit));
  EXPECT_FALSE(Starved({{7, {5'000, 100, true}}}, {{7, {5'000, 100, false}}}, kLimit));
}

TEST(RunQueueStarvation, AccountedWaitingCountsSummedOverThreads) {
  RunSamples before{{7, {0, 1'000'000, false}}, {8, {0, 0, false}}};
  RunSamples under{{7, {1, 5'000'000, false}}, {8, {1, 5'999'999, false}}};
  RunSamples at{{7, {1, 5'000'000, false}}, {8, {1, 6'000'000, false}}};
  EXPECT_FALSE(Starved(before, under, kLimit));
  EXPECT_TRUE(Starved(before, at, kLimit));
}

TEST(RunQueueStarvation, ThreadsInOnlyOneSampleCountForNeitherSign) {
  // 8 ended and 9 started between the samples; a counter that went back
  // (a tid reused) subtracts nothing.
  RunSamples before{{7, {10, 50'000'000, false}}, {8, {10, 0, true}}};
  RunSamples now{{7, {20, 40'000'000, false}}, {9, {0, 90'000'000, true}}};
  EXPECT_FALSE(Starved(before, now, kLimit));
}

TEST(RunQueueStarvation, OurOwnThreadsAreSampled) {
  std::optional<RunSamples> samples = SampleOurThreads();
  if (!samples) GTEST_SKIP() << "no /proc/self/task/*/schedstat (a kernel without CONFIG_SCHED_INFO)";
  auto self = samples->find(static_cast<Tid>(syscall(SYS_gettid)));
  ASSERT_NE(self, samples->end());
  EXPECT_TRUE(self->second.runnable) << "the sampling thread is running";
  EXPECT_GT(self->second.run_ns, 0);
}

}  // namespace
}  // namespace parkscope
