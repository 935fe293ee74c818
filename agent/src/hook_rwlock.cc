// pthread_rwlock_{rd,wr}lock and their timed variants; std::shared_mutex
// and std::shared_timed_mutex reach these.
//
// Same policy as hook_mutex.cc: the try variant first, record and block only
// on EBUSY, with the blocking half out of line. EAGAIN (too many readers) is
// the lock's own answer. A thread that holds the write lock and asks again
// (for read or write) gets EBUSY from the try variant and EDEADLK from the
// real lock, as without the agent.
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

__attribute__((noinline)) int ReadLockBlocking(pthread_rwlock_t* rwlock) {
  PARKSCOPE_REAL_OR_CODE(pthread_rwlock_rdlock);
  WaitScope parked(PARKSCOPE_REASON_RWLOCK_READ, ObjectOf(rwlock),
                   WaitClock::kPrecise);
  return real_pthread_rwlock_rdlock(rwlock);
}

}  // namespace

extern "C" PARKSCOPE_EXPORT int pthread_rwlock_rdlock(
    pthread_rwlock_t* rwlock) noexcept {
  PARKSCOPE_REAL_OR_CODE(pthread_rwlock_tryrdlock);
  const int tried = real_pthread_rwlock_tryrdlock(rwlock);
  if (PARKSCOPE_LIKELY(tried != EBUSY)) return tried;
  return ReadLockBlocking(rwlock);
}

extern "C" PARKSCOPE_EXPORT int pthread_rwlock_timedrdlock(
    pthread_rwlock_t* rwlock, const struct timespec* abstime) noexcept {
  PARKSCOPE_REAL_OR_CODE(pthread_rwlock_tryrdlock);
  const int tried = real_pthread_rwlock_tryrdlock(rwlock);
  if (tried != EBUSY) return tried;
  PARKSCOPE_REAL_OR_CODE(pthread_rwlock_timedrdlock);
  WaitScope parked(PARKSCOPE_REASON_RWLOCK_READ, ObjectOf(rwlock),
                   WaitClock::kPrecise);
  return real_pthread_rwlock_timedrdlock(rwlock, abstime);
}

extern "C" PARKSCOPE_EXPORT int pthread_rwlock_clockrdlock(
    pthread_rwlock_t* rwlock, clockid_t clock,
    const struct timespec* abstime) noexcept {
  PARKSCOPE_REAL_OR_CODE(pthread_rwlock_tryrdlock);
  const int tried = real_pthread_rwlock_tryrdlock(rwlock);
  if (tried != EBUSY) return tried;
  PARKSCOPE_REAL_OR_CODE(pthread_rwlock_clockrdlock);
  WaitScope parked(PARKSCOPE_REASON_RWLOCK_READ, ObjectOf(rwlock),
                   WaitClock::kPrecise);
  return real_pthread_rwlock_clockrdlock(rwlock, clock, abstime);
}

namespace {

__attribute__((noinline)) int WriteLockBlocking(pthread_rwlock_t* rwlock) {
  PARKSCOPE_REAL_OR_CODE(pthread_rwlock_wrlock);
  WaitScope parked(PARKSCOPE_REASON_RWLOCK_WRITE, ObjectOf(rwlock),
                   WaitClock::kPrecise);
  return real_pthread_rwlock_wrlock(rwlock);
}

}  // namespace

extern "C" PARKSCOPE_EXPORT int pthread_rwlock_wrlock(
    pthread_rwlock_t* rwlock) noexcept {
  PARKSCOPE_REAL_OR_CODE(pthread_rwlock_trywrlock);
  const int tried = real_pthread_rwlock_trywrlock(rwlock);
  if (PARKSCOPE_LIKELY(tried != EBUSY)) return tried;
  return WriteLockBlocking(rwlock);
}

extern "C" PARKSCOPE_EXPORT int pthread_rwlock_timedwrlock(
    pthread_rwlock_t* rwlock, const struct timespec* abstime) noexcept {
  PARKSCOPE_REAL_OR_CODE(pthread_rwlock_trywrlock);
  const int tried = real_pthread_rwlock_trywrlock(rwlock);
  if (tried != EBUSY) return tried;
  PARKSCOPE_REAL_OR_CODE(pthread_rwlock_timedwrlock);
  WaitScope parked(PARKSCOPE_REASON_RWLOCK_WRITE, ObjectOf(rwlock),
                   WaitClock::kPrecise);
  return real_pthread_rwlock_timedwrlock(rwlock, abstime);
}

extern "C" PARKSCOPE_EXPORT int pthread_rwlock_clockwrlock(
    pthread_rwlock_t* rwlock, clockid_t clock,
    const struct timespec* abstime) noexcept {
  PARKSCOPE_REAL_OR_CODE(pthread_rwlock_trywrlock);
  const int tried = real_pthread_rwlock_trywrlock(rwlock);
  if (tried != EBUSY) return tried;
  PARKSCOPE_REAL_OR_CODE(pthread_rwlock_clockwrlock);
  WaitScope parked(PARKSCOPE_REASON_RWLOCK_WRITE, ObjectOf(rwlock),
                   WaitClock::kPrecise);
  return real_pthread_rwlock_clockwrlock(rwlock, clock, abstime);
}
