#include "report/duration_format.h"

#include <cinttypes>
#include <cstdio>

namespace parkscope {
namespace {

constexpr int64_t kMs = 1'000'000;
constexpr int64_t kSecond = 1000 * kMs;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;

}  // namespace

std::string FormatDuration(int64_t ns) {
  char buf[48];
  if (ns < kMs) return "0s";
  if (ns < kSecond) {
    std::snprintf(buf, sizeof buf, "%" PRId64 "ms", ns / kMs);
  } else if (ns < kMinute) {
    int64_t tenths = ns / (kSecond / 10);
    std::snprintf(buf, sizeof buf, "%" PRId64 ".%" PRId64 "s", tenths / 10,
                  tenths % 10);
  } else if (ns < kHour) {
    std::snprintf(buf, sizeof buf, "%" PRId64 "m%02" PRId64 "s", ns / kMinute,
                  ns % kMinute / kSecond);
  } else if (ns < kDay) {
    std::snprintf(buf, sizeof buf, "%" PRId64 "h%02" PRId64 "m", ns / kHour,
                  ns % kHour / kMinute);
  } else {
    std::snprintf(buf, sizeof buf, "%" PRId64 "d%02" PRId64 "h", ns / kDay,
                  ns % kDay / kHour);
  }
  return buf;
}

std::string FormatGoMinutes(int64_t ns) {
  if (ns < kMinute) return "";
  return ", " + std::to_string(ns / kMinute) + " minutes";
}

std::string FormatMicros(uint64_t us) {
  char buf[48];
  if (us < 1000) {
    std::snprintf(buf, sizeof buf, "%" PRIu64 " us", us);
  } else if (us < 1'000'000) {
    std::snprintf(buf, sizeof buf, "%" PRIu64 ".%" PRIu64 " ms", us / 1000,
                  us % 1000 / 100);
  } else {
    std::snprintf(buf, sizeof buf, "%" PRIu64 ".%" PRIu64 " s", us / 1'000'000,
                  us % 1'000'000 / 100'000);
  }
  return buf;
}

}  // namespace parkscope
