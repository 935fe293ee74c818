// A thread's registers in DWARF numbering, the order libdwfl's
// dwfl_thread_state_registers expects. Architecture specifics live in whole
// files (registers_x86_64.cc); nothing else in the project names a register.
#pragma once

#include <array>
#include <cstdint>

#include "model/snapshot.h"
#include "proc/syscall_parser.h"

namespace parkscope {

struct RegisterSet {
  // x86_64 DWARF order: rax rdx rcx rbx rsi rdi rbp rsp r8..r15 rip.
  static constexpr int kCount = 17;
  static constexpr int kSp = 7;
  static constexpr int kPc = 16;
  std::array<uint64_t, kCount> dwarf{};
  // Bit i set when dwarf[i] is known. A thread unwound without stopping has
  // only sp and pc.
  uint32_t valid_mask = 0;

  uint64_t sp() const { return dwarf[kSp]; }
  uint64_t pc() const { return dwarf[kPc]; }
  bool IsValid(int reg) const { return (valid_mask >> reg) & 1u; }
  bool Complete() const { return valid_mask == (1u << kCount) - 1; }
};

// Reads the registers of a thread that this process holds in a ptrace-stop.
// Returns errno, 0 on success.
int ReadRegisters(Tid tid, RegisterSet* regs);

// Only sp and pc, as /proc/PID/task/TID/syscall gives them without a stop.
RegisterSet RegistersFromSpPc(uint64_t sp, uint64_t pc);

// What /proc/PID/task/TID/syscall gives without a stop: sp and pc, and for
// a thread in a system call also the six argument registers, which hold the
// thread's own values at the call. Some code keeps its return address in
// one of them across the call: glibc's vfork pops it into rdi, since the
// child would overwrite the stack slot, and its CFI says so; without rdi a
// thread parked in vfork unwinds no further than __vfork.
RegisterSet RegistersFromSyscall(const SyscallState& syscall);

// Bytes below sp that the ABI lets leaf code use without moving sp.
constexpr uint64_t kRedZoneBytes = 128;

}  // namespace parkscope
