// Parses /proc/PID/task/TID/syscall, which tells without stopping the thread
// whether it sits in a system call, which one, and its user sp and pc.
//
// The kernel prints one of (fs/proc/base.c, proc_pid_syscall):
//   "running"                            on a CPU right now
//   "-1 0xSP 0xPC"                       blocked, but not in a syscall
//   "NR 0xA0 0xA1 0xA2 0xA3 0xA4 0xA5 0xSP 0xPC"
// Reading it needs ptrace access to the thread (EACCES otherwise), and the
// answer is a snapshot: the thread may have moved on by the time it is used.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace parkscope {

struct SyscallState {
  enum class Kind {
    kRunning,       // on a CPU: no registers were sampled
    kNotInSyscall,  // stopped or preempted in user space; sp and pc are set
    kInSyscall,     // nr, args, sp and pc are set
  };
  Kind kind = Kind::kRunning;
  int nr = -1;  // -1 unless kind is kInSyscall
  std::array<uint64_t, 6> args{};
  uint64_t sp = 0;
  uint64_t pc = 0;
};

// nullopt on anything the kernel would not print: a wrong number of fields, a
// value without "0x" or with non-hex digits, or one that overflows 64 bits.
// One trailing newline is accepted.
std::optional<SyscallState> ParseSyscall(std::string_view text);

}  // namespace parkscope
