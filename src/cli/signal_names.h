#pragma once

#include <optional>
#include <string_view>

namespace parkscope {

// "QUIT", "SIGQUIT", "quit" or "3" -> SIGQUIT; nullopt for anything else.
std::optional<int> ParseSignal(std::string_view text);

}  // namespace parkscope
