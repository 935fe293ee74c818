// Parses /proc/PID/stat and /proc/PID/task/TID/stat (see proc(5)).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model/snapshot.h"

namespace parkscope {

struct TaskStat {
  std::string comm;   // raw bytes between the parentheses, at most 256
  char state = '?';   // R, S, D, T, t, Z, X, I, ...
  Pid ppid = 0;
  uint64_t utime = 0, stime = 0;  // clock ticks (sysconf(_SC_CLK_TCK))
  uint64_t start_time_ticks = 0;  // clock ticks after boot
  int processor = -1;  // CPU it last ran on; -1 when the field is missing
};

// Returns nullopt when the text has no "pid (comm) state ppid" prefix or when a
// field it reads is not a number that fits. Later fields (utime onwards) may
// be missing, as in a file cut short, and then keep their defaults.
//
// The comm runs from the first '(' to the LAST ')': a thread can name itself
// "a) S 1 (" and a scan to the first ')' would read its fake fields.
std::optional<TaskStat> ParseStat(std::string_view text);

}  // namespace parkscope
