#include "proc/stat_parser.h"

#include <array>

#include "proc/text_fields.h"

namespace parkscope {
namespace {

// TASK_COMM_LEN is 16 and workqueue names add at most a few dozen bytes; the
// cap only matters for garbage input, where a whole file between '(' and ')'
// must not be copied into every thread.
constexpr size_t kMaxCommBytes = 256;

// Field numbers from proc(5), counted from 1 ("pid" is 1, "comm" is 2).
constexpr int kFirstFieldAfterComm = 3;
constexpr int kStateField = 3;
constexpr int kPpidField = 4;
constexpr int kUtimeField = 14;
constexpr int kStimeField = 15;
constexpr int kStartTimeField = 22;
constexpr int kProcessorField = 39;

}  // namespace

std::optional<TaskStat> ParseStat(std::string_view text) {
  size_t open = text.find('(');
  size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos ||
      close < open) {
    return std::nullopt;
  }
  // "PID " before the comm: not stored, but its absence means this is not a
  // stat file at all.
  std::string_view pid_text = text.substr(0, open);
  if (pid_text.empty() || pid_text.back() != ' ') return std::nullopt;
  std::optional<int> pid = ParseInt(pid_text.substr(0, pid_text.size() - 1));
  if (!pid || *pid <= 0) return std::nullopt;

  TaskStat stat;
  std::string_view comm = text.substr(open + 1, close - open - 1);
  stat.comm.assign(comm.substr(0, kMaxCommBytes));

  std::string_view rest = text.substr(close + 1);
  if (rest.empty() || rest.front() != ' ') return std::nullopt;

  // Walk the fields once, keeping only the ones we read; fields we do not
  // read are not validated (tty_nr and others may be negative).
  std::array<std::string_view, kProcessorField + 1> fields{};
  int last_field = kFirstFieldAfterComm - 1;
  for (int number = kFirstFieldAfterComm; number <= kProcessorField;
       ++number) {
    std::string_view field = NextField(rest);
    if (field.empty()) break;
    fields[number] = field;
    last_field = number;
  }
  if (last_field < kPpidField) return std::nullopt;

  std::string_view state = fields[kStateField];
  if (state.size() != 1 || !((state[0] >= 'A' && state[0] <= 'Z') ||
                             (state[0] >= 'a' && state[0] <= 'z'))) {
    return std::nullopt;
  }
  stat.state = state[0];
  // The kernel prints 0 for the ppid of init and of kthreadd.
  std::optional<int> ppid = ParseInt(fields[kPpidField]);
  if (!ppid || *ppid < 0) return std::nullopt;
  stat.ppid = *ppid;

  auto read_u64 = [&](int number, uint64_t& out) {
    if (number > last_field) return true;  // missing: keep the default
    std::optional<uint64_t> value = ParseU64(fields[number]);
    if (!value) return false;
    out = *value;
    return true;
  };
  if (!read_u64(kUtimeField, stat.utime) ||
      !read_u64(kStimeField, stat.stime) ||
      !read_u64(kStartTimeField, stat.start_time_ticks)) {
    return std::nullopt;
  }
  if (kProcessorField <= last_field) {
    std::optional<int> processor = ParseInt(fields[kProcessorField]);
    if (!processor || *processor < 0) return std::nullopt;
    stat.processor = *processor;
  }
  return stat;
}

}  // namespace parkscope
