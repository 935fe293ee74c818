// The real libc functions behind the agent's hooks.
//
// Each hook calls the next definition of its own name, found with
// dlsym(RTLD_NEXT, name). The whole table is resolved in one pass: by the
// agent's constructor, or earlier by the first hook that runs if another
// library's constructor reaches a hook before ours ran (ELF runs a
// preloaded library's initialiser late, after those of the program's other
// dependencies). The fast path is one relaxed load and a compare.
//
//   auto real_pthread_mutex_lock = PARKSCOPE_REAL(pthread_mutex_lock);
//
// yields a pointer typed like the libc declaration, or nullptr when the
// symbol does not exist in this process's libc or when the lookup would
// recurse (see real_symbols.cc). Hooks turn nullptr into the ENOSYS the
// missing function deserves: PARKSCOPE_REAL_OR_ERRNO for functions that
// return -1 and set errno, PARKSCOPE_REAL_OR_CODE for pthread-style
// functions that return an error number.
#pragma once

#include <errno.h>
#include <stdint.h>

#include "export.h"

// Every interposed libc function, one X(name) per function, grouped by hook
// file. The mutex functions and `syscall` come first on purpose: see
// ResolveRealSymbol in real_symbols.cc.
// clang-format off
#define PARKSCOPE_REAL_SYMBOLS(X)                                              \
  /* hook_mutex.cc */                                                          \
  X(pthread_mutex_lock) X(pthread_mutex_trylock) X(pthread_mutex_timedlock)    \
  X(pthread_mutex_clocklock)                                                   \
  /* hook_futex.cc */                                                          \
  X(syscall)                                                                   \
  /* hook_rwlock.cc */                                                         \
  X(pthread_rwlock_rdlock) X(pthread_rwlock_tryrdlock)                         \
  X(pthread_rwlock_timedrdlock) X(pthread_rwlock_clockrdlock)                  \
  X(pthread_rwlock_wrlock) X(pthread_rwlock_trywrlock)                         \
  X(pthread_rwlock_timedwrlock) X(pthread_rwlock_clockwrlock)                  \
  /* hook_cond.cc */                                                           \
  X(pthread_cond_wait) X(pthread_cond_timedwait) X(pthread_cond_clockwait)     \
  /* hook_sem.cc */                                                            \
  X(sem_wait) X(sem_trywait) X(sem_timedwait) X(sem_clockwait) X(semop)        \
  X(semtimedop)                                                                \
  /* hook_join.cc */                                                           \
  X(pthread_join) X(pthread_timedjoin_np) X(pthread_clockjoin_np)              \
  X(pthread_barrier_wait)                                                      \
  /* hook_queue.cc */                                                          \
  X(mq_receive) X(mq_timedreceive) X(mq_send) X(mq_timedsend) X(msgrcv)        \
  X(msgsnd)                                                                    \
  /* hook_io.cc */                                                             \
  X(read) X(readv) X(__read_chk) X(write) X(writev) X(recv) X(__recv_chk)      \
  X(recvfrom) X(__recvfrom_chk) X(recvmsg) X(recvmmsg) X(send) X(sendto)       \
  X(sendmsg) X(accept) X(accept4) X(connect) X(flock)                          \
  /* hook_poll.cc */                                                           \
  X(epoll_wait) X(epoll_pwait) X(epoll_pwait2) X(poll) X(__poll_chk) X(ppoll)  \
  X(__ppoll_chk) X(select) X(pselect)                                          \
  /* hook_sleep.cc */                                                          \
  X(nanosleep) X(clock_nanosleep) X(sleep) X(usleep)                           \
  /* hook_wait.cc */                                                           \
  X(waitpid) X(wait) X(wait4) X(waitid) X(sigwait) X(sigwaitinfo)              \
  X(sigtimedwait) X(pause) X(sigsuspend)                                       \
  /* hook_thread_create.cc */                                                  \
  X(pthread_create)
// clang-format on

namespace parkscope::agent {

enum class RealSymbol : uint32_t {
#define PARKSCOPE_REAL_SYMBOL_ENUM(name) k_##name,
  PARKSCOPE_REAL_SYMBOLS(PARKSCOPE_REAL_SYMBOL_ENUM)
#undef PARKSCOPE_REAL_SYMBOL_ENUM
      kCount
};

// Resolved addresses. 0: not resolved yet. kMissingSymbol: dlsym found
// nothing (an older libc); the hook reports ENOSYS.
extern void* g_real_symbols[static_cast<uint32_t>(RealSymbol::kCount)];
inline constexpr uintptr_t kMissingSymbol = 1;

// Slow path: resolves the whole table (once per process, or again on a
// thread that finds entries still unresolved), guarded against recursion.
void* ResolveRealSymbol(RealSymbol symbol);

// Resolves every entry now. Called by the agent's initialisation.
void ResolveAllRealSymbols();

inline void* RealSymbolAddress(RealSymbol symbol) {
  void* address = __atomic_load_n(
      &g_real_symbols[static_cast<uint32_t>(symbol)], __ATOMIC_ACQUIRE);
  if (PARKSCOPE_LIKELY(reinterpret_cast<uintptr_t>(address) > kMissingSymbol))
    return address;
  return ResolveRealSymbol(symbol);
}

}  // namespace parkscope::agent

#define PARKSCOPE_REAL(name)                                                 \
  reinterpret_cast<decltype(&::name)>(::parkscope::agent::RealSymbolAddress( \
      ::parkscope::agent::RealSymbol::k_##name))

// Declares `real_<name>`; returns -1 with errno ENOSYS if it is unavailable.
#define PARKSCOPE_REAL_OR_ERRNO(name)               \
  auto real_##name = PARKSCOPE_REAL(name);          \
  if (PARKSCOPE_UNLIKELY(real_##name == nullptr)) { \
    errno = ENOSYS;                                 \
    return -1;                                      \
  }

// Declares `real_<name>`; returns ENOSYS if it is unavailable.
#define PARKSCOPE_REAL_OR_CODE(name)                \
  auto real_##name = PARKSCOPE_REAL(name);          \
  if (PARKSCOPE_UNLIKELY(real_##name == nullptr)) { \
    return ENOSYS;                                  \
  }
