#include "cli/duration_flag.h"

#include <array>
#include <cctype>
#include <charconv>
#include <utility>

namespace parkscope {

std::optional<int64_t> ParseDuration(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, double>, 6> kUnits = {{
      {"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"m", 60e9}, {"h", 3600e9},
  }};
  static constexpr double kMaxNs = 24 * 3600e9;
  size_t split = 0;
  while (split < text.size() && (std::isdigit(static_cast<unsigned char>(text[split])) ||
                                 text[split] == '.')) {
    ++split;
  }
  if (split == 0 || split == text.size()) return std::nullopt;
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + split, value);
  if (ec != std::errc() || end != text.data() + split) return std::nullopt;
  const std::string_view unit = text.substr(split);
  for (const auto& [name, scale] : kUnits) {
    if (unit != name) continue;
    const double ns = value * scale;
    if (!(ns >= 0) || ns > kMaxNs) return std::nullopt;
    return static_cast<int64_t>(ns);
  }
  return std::nullopt;
}

}  // namespace parkscope
