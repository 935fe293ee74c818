// The variadic syscall(), for futex waits made through it.
//
// libstdc++ makes every futex wait through syscall@plt: std::future
// (__atomic_futex_unsigned_base::_M_futex_wait_until[_steady], in
// libstdc++.so), and counting_semaphore, latch, barrier and atomic::wait
// (__platform_wait, inlined into the program) (capture-facts §1). So the
// agent interposes syscall() and records only futex operations that wait.
// Everything else is forwarded untouched.
//
// Forwarding: syscall() takes the number plus up to six long arguments. We
// read six with va_arg whatever the caller passed. On x86_64 the first five
// come from the register save area and the sixth from the caller's stack
// slot; reading a slot the caller did not fill yields garbage the kernel
// ignores for that syscall, which is exactly what glibc's syscall() does.
// The real syscall() keeps its errno convention.
//
// A futex wait that returns EAGAIN at once (the word changed) is recorded
// too: telling it apart would cost a load of the user's word, and the
// record costs less than the system call it wraps.
#include <linux/futex.h>
#include <stdarg.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "export.h"
#include "real_symbols.h"
#include "wait_scope.h"

using parkscope::agent::WaitClock;
using parkscope::agent::WaitScope;

namespace {

// Generic syscall numbers (>= 424 are the same on every architecture but
// alpha) and newer futex ops, for older kernel headers.
constexpr long kSysFutexWaitv = 449;
constexpr long kFutexLockPi2 = 13;

bool IsFutexWaitOp(long op) {
  switch (op & FUTEX_CMD_MASK) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET:
    case FUTEX_LOCK_PI:
    case kFutexLockPi2:
    case FUTEX_WAIT_REQUEUE_PI:
      return true;
    default:
      return false;
  }
}

}  // namespace

extern "C" PARKSCOPE_EXPORT long syscall(long number, ...) noexcept {
  va_list args;
  va_start(args, number);
  const long a0 = va_arg(args, long);
  const long a1 = va_arg(args, long);
  const long a2 = va_arg(args, long);
  const long a3 = va_arg(args, long);
  const long a4 = va_arg(args, long);
  const long a5 = va_arg(args, long);
  va_end(args);
  PARKSCOPE_REAL_OR_ERRNO(syscall);
  if ((number == SYS_futex && IsFutexWaitOp(a1)) || number == kSysFutexWaitv) {
    WaitScope parked(PARKSCOPE_REASON_FUTEX_WAIT, static_cast<uint64_t>(a0),
                     WaitClock::kPrecise);
    return real_syscall(number, a0, a1, a2, a3, a4, a5);
  }
  return real_syscall(number, a0, a1, a2, a3, a4, a5);
}
