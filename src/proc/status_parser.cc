#include "proc/status_parser.h"

#include "proc/text_fields.h"

namespace parkscope {
namespace {

// MAX_PID_NS_LEVEL is 32, so NSpid has at most 33 numbers.
constexpr size_t kMaxNsLevels = 33;
// Name is at most 64 bytes after escaping (TASK_COMM_LEN and workqueue
// names); a longer one is garbage, kept bounded rather than rejected.
constexpr size_t kMaxNameBytes = 256;

// "S (sleeping)" -> 'S'. Older kernels print the same shape.
std::optional<char> ParseStateLetter(std::string_view value) {
  if (value.empty()) return std::nullopt;
  char letter = value[0];
  if (!((letter >= 'A' && letter <= 'Z') || (letter >= 'a' && letter <= 'z'))) {
    return std::nullopt;
  }
  if (value.size() > 1 && value[1] != ' ') return std::nullopt;
  return letter;
}

std::optional<Pid> ParsePidValue(std::string_view value) {
  std::optional<int> pid = ParseInt(value);
  if (!pid || *pid < 0) return std::nullopt;
  return *pid;
}

// "123\t1": one pid per namespace level, tab separated.
bool ParseNsPids(std::string_view value, std::vector<Pid>& out) {
  std::string_view rest = value;
  for (;;) {
    std::string_view field = NextField(rest);
    if (field.empty()) break;
    std::optional<Pid> pid = ParsePidValue(field);
    if (!pid || out.size() == kMaxNsLevels) return false;
    out.push_back(*pid);
  }
  return !out.empty();
}

}  // namespace

std::optional<ProcStatus> ParseStatus(std::string_view text) {
  ProcStatus status;
  bool have_name = false, have_state = false, have_tgid = false;
  bool have_tracer = false, have_nspid = false;
  bool have_voluntary = false, have_nonvoluntary = false;
  std::string_view rest = text;
  while (!rest.empty()) {
    std::string_view line = NextLine(rest);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view key = line.substr(0, colon);
    // The kernel separates with one tab; Name keeps everything after it,
    // including leading spaces a thread put in its own name.
    std::string_view raw_value = line.substr(colon + 1);
    if (!raw_value.empty() && raw_value.front() == '\t') {
      raw_value.remove_prefix(1);
    }
    std::string_view value = TrimBlanks(raw_value);

    if (key == "Name" && !have_name) {
      status.name.assign(raw_value.substr(0, kMaxNameBytes));
      have_name = true;
    } else if (key == "State" && !have_state) {
      std::optional<char> letter = ParseStateLetter(value);
      if (!letter) return std::nullopt;
      status.state = *letter;
      have_state = true;
    } else if (key == "Tgid" && !have_tgid) {
      std::optional<Pid> tgid = ParsePidValue(value);
      if (!tgid || *tgid == 0) return std::nullopt;
      status.tgid = *tgid;
      have_tgid = true;
    } else if (key == "TracerPid" && !have_tracer) {
      std::optional<Pid> tracer = ParsePidValue(value);
      if (!tracer) return std::nullopt;
      status.tracer_pid = *tracer;
      have_tracer = true;
    } else if (key == "NSpid" && !have_nspid) {
      if (!ParseNsPids(value, status.nspid)) return std::nullopt;
      have_nspid = true;
    } else if (key == "voluntary_ctxt_switches" && !have_voluntary) {
      std::optional<uint64_t> count = ParseU64(value);
      if (!count) return std::nullopt;
      status.voluntary_ctxt_switches = *count;
      have_voluntary = true;
    } else if (key == "nonvoluntary_ctxt_switches" && !have_nonvoluntary) {
      std::optional<uint64_t> count = ParseU64(value);
      if (!count) return std::nullopt;
      status.nonvoluntary_ctxt_switches = *count;
      have_nonvoluntary = true;
    }
  }
  if (!have_name || !have_state || !have_tgid) return std::nullopt;
  return status;
}

}  // namespace parkscope
