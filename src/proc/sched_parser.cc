#include "proc/sched_parser.h"

#include <limits>

#include "proc/text_fields.h"

namespace parkscope {
namespace {

constexpr int64_t kNsPerMs = 1'000'000;
constexpr size_t kMsDecimals = 6;  // the kernel's "%Ld.%06ld"
constexpr int64_t kMaxClockSkewNs = 1'000'000'000;
// The dashes line is 67 '-' on every kernel since 2.6.25. A comm has at most
// 15 bytes, so requiring 20 dashes makes it impossible to fake from a name.
constexpr size_t kMinSeparatorDashes = 20;

// "183761.205496" ms -> 183761205496 ns with integer arithmetic only: a double
// has 53 bits of mantissa and would round uptimes beyond ~104 days.
// A negative value prints as "-12.000345"; accept it. No '.' means whole ms.
std::optional<int64_t> ParseMillisToNs(std::string_view text) {
  bool negative = false;
  if (!text.empty() && text.front() == '-') {
    negative = true;
    text.remove_prefix(1);
  }
  std::string_view whole = text;
  std::string_view fraction;
  size_t dot = text.find('.');
  if (dot != std::string_view::npos) {
    whole = text.substr(0, dot);
    fraction = text.substr(dot + 1);
    if (fraction.empty() || fraction.size() > kMsDecimals) return std::nullopt;
  }
  std::optional<uint64_t> ms = ParseU64(whole);
  if (!ms) return std::nullopt;
  uint64_t fraction_ns = 0;
  if (!fraction.empty()) {
    std::optional<uint64_t> digits = ParseU64(fraction);
    if (!digits) return std::nullopt;
    fraction_ns = *digits;
    // Fewer decimals than six: "1.5" is 1.500000 ms.
    for (size_t i = fraction.size(); i < kMsDecimals; ++i) fraction_ns *= 10;
  }
  constexpr uint64_t kMax = std::numeric_limits<int64_t>::max();
  if (*ms > (kMax - fraction_ns) / kNsPerMs) return std::nullopt;
  int64_t ns = static_cast<int64_t>(*ms * kNsPerMs + fraction_ns);
  return negative ? -ns : ns;
}

// Lines of the header may be more than one: a comm can contain '\n'. The
// values we trust start after the dashes line, so a thread named
// "x\nnr_switches:9" cannot inject a field.
std::string_view SkipHeader(std::string_view text) {
  std::string_view rest = text;
  while (!rest.empty()) {
    std::string_view line = NextLine(rest);
    if (line.size() >= kMinSeparatorDashes &&
        line.find_first_not_of('-') == std::string_view::npos) {
      return rest;
    }
  }
  // No separator: not the layout we know. Parse everything but the first
  // line, which is the header on any kernel.
  rest = text;
  NextLine(rest);
  return rest;
}

template <typename T>
void SetOnce(std::optional<T>& slot, std::optional<T> value) {
  if (!slot) slot = value;
}

}  // namespace

std::optional<SchedInfo> ParseSched(std::string_view text) {
  SchedInfo info;
  bool any_pair = false;
  std::string_view rest = SkipHeader(text);
  while (!rest.empty()) {
    std::string_view line = NextLine(rest);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view key = TrimBlanks(line.substr(0, colon));
    std::string_view value = TrimBlanks(line.substr(colon + 1));
    if (key.empty() || value.empty()) continue;
    any_pair = true;
    if (key == "se.exec_start") {
      SetOnce(info.exec_start_ns, ParseMillisToNs(value));
    } else if (key == "se.sum_exec_runtime") {
      SetOnce(info.sum_exec_runtime_ns, ParseMillisToNs(value));
    } else if (key == "nr_switches") {
      SetOnce(info.nr_switches, ParseU64(value));
    } else if (key == "nr_voluntary_switches") {
      SetOnce(info.nr_voluntary_switches, ParseU64(value));
    } else if (key == "nr_involuntary_switches") {
      SetOnce(info.nr_involuntary_switches, ParseU64(value));
    }
  }
  if (!any_pair) return std::nullopt;
  return info;
}

std::optional<int64_t> ParseSchedstatRunNs(std::string_view text) {
  const size_t end = text.find(' ');
  if (end == std::string_view::npos) return std::nullopt;
  std::optional<uint64_t> ns = ParseU64(text.substr(0, end));
  if (!ns || *ns > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return std::nullopt;
  }
  return static_cast<int64_t>(*ns);
}

std::optional<int64_t> ParseSchedstatWaitNs(std::string_view text) {
  const size_t first_end = text.find(' ');
  if (first_end == std::string_view::npos || !ParseSchedstatRunNs(text)) return std::nullopt;
  text.remove_prefix(first_end + 1);
  const size_t end = text.find_first_of(" \n");
  std::optional<uint64_t> ns = ParseU64(text.substr(0, end));
  if (!ns || *ns > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return std::nullopt;
  }
  return static_cast<int64_t>(*ns);
}

std::optional<int64_t> BlockedNs(const SchedInfo& target,
                                 const SchedInfo& self) {
  if (!target.exec_start_ns || !self.exec_start_ns) return std::nullopt;
  int64_t blocked = 0;
  if (__builtin_sub_overflow(*self.exec_start_ns, *target.exec_start_ns,
                             &blocked)) {
    return std::nullopt;
  }
  if (blocked >= 0) return blocked;
  if (blocked >= -kMaxClockSkewNs) return 0;
  return std::nullopt;
}

}  // namespace parkscope
