#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "report/duration_format.h"

namespace parkscope {
namespace {

constexpr int64_t kMs = 1'000'000;
constexpr int64_t kS = 1000 * kMs;
constexpr int64_t kMin = 60 * kS;
constexpr int64_t kH = 60 * kMin;
constexpr int64_t kDay = 24 * kH;

TEST(FormatDuration, Boundaries) {
  EXPECT_EQ(FormatDuration(-5), "0s");
  EXPECT_EQ(FormatDuration(0), "0s");
  EXPECT_EQ(FormatDuration(kMs - 1), "0s");
  EXPECT_EQ(FormatDuration(kMs), "1ms");
  EXPECT_EQ(FormatDuration(850 * kMs), "850ms");
  EXPECT_EQ(FormatDuration(kS - 1), "999ms");
  EXPECT_EQ(FormatDuration(kS), "1.0s");
  EXPECT_EQ(FormatDuration(12'345 * kMs), "12.3s");
  EXPECT_EQ(FormatDuration(12'399 * kMs), "12.3s");  // truncated
  EXPECT_EQ(FormatDuration(kMin - 1), "59.9s");      // never "60.0s"
  EXPECT_EQ(FormatDuration(kMin), "1m00s");
  EXPECT_EQ(FormatDuration(9 * kMin + 12 * kS + 999 * kMs), "9m12s");
  EXPECT_EQ(FormatDuration(9 * kMin + 5 * kS), "9m05s");
  EXPECT_EQ(FormatDuration(kH - 1), "59m59s");
  EXPECT_EQ(FormatDuration(kH), "1h00m");
  EXPECT_EQ(FormatDuration(2 * kH + 3 * kMin + 59 * kS), "2h03m");
  EXPECT_EQ(FormatDuration(kDay - 1), "23h59m");
  EXPECT_EQ(FormatDuration(kDay), "1d00h");
  EXPECT_EQ(FormatDuration(3 * kDay + 4 * kH + 59 * kMin), "3d04h");
  EXPECT_EQ(FormatDuration(400 * kDay), "400d00h");
  EXPECT_EQ(FormatDuration(std::numeric_limits<int64_t>::max()), "106751d23h");
}

TEST(FormatGoMinutes, WholeMinutesFromOneMinuteLikeGo) {
  EXPECT_EQ(FormatGoMinutes(0), "");
  EXPECT_EQ(FormatGoMinutes(kMin - 1), "");
  EXPECT_EQ(FormatGoMinutes(-kMin), "");
  EXPECT_EQ(FormatGoMinutes(kMin), ", 1 minutes");
  EXPECT_EQ(FormatGoMinutes(2 * kMin - 1), ", 1 minutes");
  EXPECT_EQ(FormatGoMinutes(9 * kMin + 40 * kS), ", 9 minutes");
  EXPECT_EQ(FormatGoMinutes(2 * kDay), ", 2880 minutes");
}

TEST(FormatMicros, Units) {
  EXPECT_EQ(FormatMicros(0), "0 us");
  EXPECT_EQ(FormatMicros(45), "45 us");
  EXPECT_EQ(FormatMicros(999), "999 us");
  EXPECT_EQ(FormatMicros(1000), "1.0 ms");
  EXPECT_EQ(FormatMicros(12'345), "12.3 ms");
  EXPECT_EQ(FormatMicros(999'999), "999.9 ms");
  EXPECT_EQ(FormatMicros(1'000'000), "1.0 s");
  EXPECT_EQ(FormatMicros(61'250'000), "61.2 s");
}

}  // namespace
}  // namespace parkscope
