// pthread_mutex_lock and its timed variants.
//
// Try first, record only if the lock would block: trylock costs about 1 ns
// over the bare lock, recording on every call would cost about 23 ns
// (capture-facts §2). Only EBUSY falls through to the recorded blocking
// call; every other trylock result is the lock's own answer:
//  - 0: acquired (for a recursive mutex, the count went up, as lock does);
//  - EOWNERDEAD: acquired a robust mutex whose owner died, as lock does;
//  - EAGAIN, EINVAL, ENOTRECOVERABLE: the lock would fail the same way.
// An error-checking mutex already held by the caller makes trylock say
// EBUSY; the real lock then runs and returns EDEADLK, as without the agent.
#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "export.h"
#include "real_symbols.h"
#include "wait_scope.h"

using parkscope::agent::ObjectOf;
using parkscope::agent::WaitClock;
using parkscope::agent::WaitScope;

namespace {

// The blocking half of pthread_mutex_lock, out of line: with the WaitScope
// inlined, the fast path paid for a stack frame it never uses.
__attribute__((noinline)) int LockBlocking(pthread_mutex_t* mutex) {
  PARKSCOPE_REAL_OR_CODE(pthread_mutex_lock);
  WaitScope parked(PARKSCOPE_REASON_MUTEX_LOCK, ObjectOf(mutex),
                   WaitClock::kPrecise);
  return real_pthread_mutex_lock(mutex);
}

}  // namespace

extern "C" PARKSCOPE_EXPORT int pthread_mutex_lock(
    pthread_mutex_t* mutex) noexcept {
  PARKSCOPE_REAL_OR_CODE(pthread_mutex_trylock);
  const int tried = real_pthread_mutex_trylock(mutex);
  if (PARKSCOPE_LIKELY(tried != EBUSY)) return tried;
  return LockBlocking(mutex);
}

extern "C" PARKSCOPE_EXPORT int pthread_mutex_timedlock(
    pthread_mutex_t* mutex, const struct timespec* abstime) noexcept {
  PARKSCOPE_REAL_OR_CODE(pthread_mutex_trylock);
  const int tried = real_pthread_mutex_trylock(mutex);
  if (tried != EBUSY) return tried;
  PARKSCOPE_REAL_OR_CODE(pthread_mutex_timedlock);
  WaitScope parked(PARKSCOPE_REASON_MUTEX_LOCK, ObjectOf(mutex),
                   WaitClock::kPrecise);
  return real_pthread_mutex_timedlock(mutex, abstime);
}

// std::timed_mutex::try_lock_for/until(steady_clock) reach this one.
extern "C" PARKSCOPE_EXPORT int pthread_mutex_clocklock(
    pthread_mutex_t* mutex, clockid_t clock,
    const struct timespec* abstime) noexcept {
  PARKSCOPE_REAL_OR_CODE(pthread_mutex_trylock);
  const int tried = real_pthread_mutex_trylock(mutex);
  if (tried != EBUSY) return tried;
  PARKSCOPE_REAL_OR_CODE(pthread_mutex_clocklock);
  WaitScope parked(PARKSCOPE_REASON_MUTEX_LOCK, ObjectOf(mutex),
                   WaitClock::kPrecise);
  return real_pthread_mutex_clocklock(mutex, clock, abstime);
}
