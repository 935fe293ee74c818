// libFuzzer harness: every /proc parser on arbitrary text. The first byte
// picks the parser, the rest is the file. Everything under /proc/PID is
// written by the kernel, but the comm and cmdline inside it are the
// target's: a thread can name itself anything, so these parsers are the
// first to see hostile bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "proc/maps_parser.h"
#include "proc/sched_parser.h"
#include "proc/stat_parser.h"
#include "proc/status_parser.h"
#include "proc/syscall_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  using namespace parkscope;
  switch (data[0] % 5) {
    case 0: (void)ParseStat(text); break;
    case 1: {
      auto target = ParseSched(text);
      if (target) (void)BlockedNs(*target, *target);
      (void)ParseSchedstatRunNs(text);
      break;
    }
    case 2: (void)ParseSyscall(text); break;
    case 3: (void)ParseStatus(text); break;
    case 4: (void)ParseMaps(text, 4096); break;
  }
  return 0;
}
