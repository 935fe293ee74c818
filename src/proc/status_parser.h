// Parses /proc/PID/status (see proc(5)) for identity and tracing facts:
// TracerPid says another debugger already holds the process, NSpid maps the
// pid to the one the target sees inside its pid namespace.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/snapshot.h"

namespace parkscope {

struct ProcStatus {
  // As printed: the kernel escapes '\n' and '\\' in it, and the escapes are
  // kept, so a report shows exactly what the kernel showed.
  std::string name;
  char state = '?';
  Pid tgid = 0;
  Pid tracer_pid = 0;     // 0 when not traced
  std::vector<Pid> nspid;  // outermost namespace first; empty before 4.1
  uint64_t voluntary_ctxt_switches = 0, nonvoluntary_ctxt_switches = 0;
};

// nullopt when Name, State or Tgid is missing, or when any key read here has
// a malformed or out-of-range value: a status file the kernel printed never
// has either, so the text is not one. Keys not listed above are ignored; the
// first occurrence of a key wins.
std::optional<ProcStatus> ParseStatus(std::string_view text);

}  // namespace parkscope
