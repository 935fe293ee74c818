#include "cli/pid_flag.h"

#include <limits>
#include <string>

namespace parkscope {

CLI::Validator ProcessIdCheck() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        const std::string why = "'" + text + "' is not a process id (a positive whole number)";
        if (text.empty() || text.size() > 10) return why;
        long long value = 0;
        for (char c : text) {
          if (c < '0' || c > '9') return why;
          value = value * 10 + (c - '0');
        }
        if (value < 1 || value > std::numeric_limits<int>::max()) return why;
        return "";
      },
      "PID");
}

}  // namespace parkscope
