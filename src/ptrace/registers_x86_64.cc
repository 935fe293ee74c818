// x86_64 register layout: user_regs_struct from PTRACE_GETREGS, mapped to the
// DWARF numbering of the System V psABI (figure 3.36).
#include <sys/ptrace.h>
#include <sys/user.h>

#include <cerrno>

#include "ptrace/registers.h"

namespace parkscope {

int ReadRegisters(Tid tid, RegisterSet* regs) {
  user_regs_struct u{};
  if (ptrace(PTRACE_GETREGS, tid, nullptr, &u) != 0) return errno;
  regs->dwarf = {u.rax, u.rdx, u.rcx, u.rbx, u.rsi, u.rdi, u.rbp, u.rsp,
                 u.r8,  u.r9,  u.r10, u.r11, u.r12, u.r13, u.r14, u.r15,
                 u.rip};
  regs->valid_mask = (1u << RegisterSet::kCount) - 1;
  return 0;
}

RegisterSet RegistersFromSpPc(uint64_t sp, uint64_t pc) {
  RegisterSet regs;
  regs.dwarf[RegisterSet::kSp] = sp;
  regs.dwarf[RegisterSet::kPc] = pc;
  regs.valid_mask = (1u << RegisterSet::kSp) | (1u << RegisterSet::kPc);
  return regs;
}

RegisterSet RegistersFromSyscall(const SyscallState& syscall) {
  RegisterSet regs = RegistersFromSpPc(syscall.sp, syscall.pc);
  if (syscall.kind != SyscallState::Kind::kInSyscall) return regs;
  // The syscall ABI's argument order, in DWARF numbers: rdi rsi rdx r10 r8 r9.
  constexpr int kArgRegs[6] = {5, 4, 1, 10, 8, 9};
  for (int i = 0; i < 6; ++i) {
    regs.dwarf[kArgRegs[i]] = syscall.args[i];
    regs.valid_mask |= 1u << kArgRegs[i];
  }
  return regs;
}

}  // namespace parkscope
