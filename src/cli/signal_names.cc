#include "cli/signal_names.h"

#include <signal.h>

#include <array>
#include <cctype>
#include <charconv>
#include <string>
#include <utility>

namespace parkscope {

std::optional<int> ParseSignal(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, int>, 10> kNames = {{
      {"QUIT", SIGQUIT}, {"USR1", SIGUSR1}, {"USR2", SIGUSR2}, {"HUP", SIGHUP},
      {"INT", SIGINT}, {"TERM", SIGTERM}, {"WINCH", SIGWINCH}, {"PWR", SIGPWR},
      {"URG", SIGURG}, {"TTIN", SIGTTIN},
  }};
  int number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec == std::errc() && end == text.data() + text.size()) {
    if (number > 0 && number < NSIG && number != SIGKILL && number != SIGSTOP) return number;
    return std::nullopt;
  }
  std::string upper;
  for (char c : text) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper.rfind("SIG", 0) == 0) upper = upper.substr(3);
  for (const auto& [name, sig] : kNames) {
    if (name == upper) return sig;
  }
  return std::nullopt;
}

}  // namespace parkscope
