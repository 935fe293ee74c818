// Durations on the command line: "500ms", "2s", "1.5s", "3m", "1h", "250us".
// A bare number is refused (its unit would be a guess).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace parkscope {

// Nanoseconds, or nullopt for anything malformed, negative or over a day.
std::optional<int64_t> ParseDuration(std::string_view text);

}  // namespace parkscope
