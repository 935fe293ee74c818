#include "proc/syscall_parser.h"

#include "proc/text_fields.h"

namespace parkscope {
namespace {

constexpr size_t kNotInSyscallFields = 3;   // nr sp pc
constexpr size_t kInSyscallFields = 9;      // nr a0..a5 sp pc
constexpr size_t kMaxFields = kInSyscallFields;

}  // namespace

std::optional<SyscallState> ParseSyscall(std::string_view text) {
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  // Any other newline means two lines: not something the kernel prints.
  if (text.find('\n') != std::string_view::npos) return std::nullopt;

  SyscallState state;
  if (text == "running") return state;

  std::array<std::string_view, kMaxFields> fields;
  size_t count = 0;
  std::string_view rest = text;
  for (;;) {
    std::string_view field = NextField(rest);
    if (field.empty()) break;
    if (count == kMaxFields) return std::nullopt;
    fields[count++] = field;
  }
  if (count == 0) return std::nullopt;

  std::optional<int> nr = ParseInt(fields[0]);
  if (!nr) return std::nullopt;
  std::optional<uint64_t> sp, pc;
  if (*nr < 0) {
    // The kernel prints any negative nr this way; only -1 occurs in
    // practice, and -1 is what the rest of parkscope means by "no syscall".
    if (count != kNotInSyscallFields) return std::nullopt;
    sp = ParseHex0x(fields[1]);
    pc = ParseHex0x(fields[2]);
    if (!sp || !pc) return std::nullopt;
    state.kind = SyscallState::Kind::kNotInSyscall;
  } else {
    if (count != kInSyscallFields) return std::nullopt;
    for (size_t i = 0; i < state.args.size(); ++i) {
      std::optional<uint64_t> arg = ParseHex0x(fields[1 + i]);
      if (!arg) return std::nullopt;
      state.args[i] = *arg;
    }
    sp = ParseHex0x(fields[7]);
    pc = ParseHex0x(fields[8]);
    if (!sp || !pc) return std::nullopt;
    state.kind = SyscallState::Kind::kInSyscall;
    state.nr = *nr;
  }
  state.sp = *sp;
  state.pc = *pc;
  return state;
}

}  // namespace parkscope
