// POSIX semaphores (sem_wait and timed variants) and SysV semop.
//
// sem_*: sem_trywait first, as glibc's own fast path does; record and block
// only if it fails. sem_trywait sets errno to EAGAIN on failure, so the
// caller's errno is put back before the real call: the caller sees exactly
// the errno the real sem_wait leaves (unchanged on success).
//
// semop/semtimedop cannot be pre-checked without reading the caller's
// sembuf array (IPC_NOWAIT is per operation), and the agent never
// dereferences user pointers, so they are recorded on every call with the
// coarse clock. Note that a ptrace stop makes semop/semtimedop fail with
// EINTR (capture-facts §5); the collector avoids stopping such threads.
#include <errno.h>
#include <semaphore.h>
#include <sys/sem.h>
#include <time.h>

#include "export.h"
#include "real_symbols.h"
#include "wait_scope.h"

using parkscope::agent::ObjectOf;
using parkscope::agent::WaitClock;
using parkscope::agent::WaitScope;

namespace {

// True if the semaphore was taken without blocking. Preserves errno.
bool TryTake(sem_t* sem) {
  auto real_sem_trywait = PARKSCOPE_REAL(sem_trywait);
  if (real_sem_trywait == nullptr) return false;
  const int saved_errno = errno;
  if (real_sem_trywait(sem) == 0) return true;
  errno = saved_errno;
  return false;
}

}  // namespace

extern "C" PARKSCOPE_EXPORT int sem_wait(sem_t* sem) {
  PARKSCOPE_REAL_OR_ERRNO(sem_wait);
  if (TryTake(sem)) return 0;
  WaitScope parked(PARKSCOPE_REASON_SEM_WAIT, ObjectOf(sem),
                   WaitClock::kPrecise);
  return real_sem_wait(sem);
}

extern "C" PARKSCOPE_EXPORT int sem_timedwait(sem_t* sem,
                                              const struct timespec* abstime) {
  PARKSCOPE_REAL_OR_ERRNO(sem_timedwait);
  if (TryTake(sem)) return 0;
  WaitScope parked(PARKSCOPE_REASON_SEM_WAIT, ObjectOf(sem),
                   WaitClock::kPrecise);
  return real_sem_timedwait(sem, abstime);
}

extern "C" PARKSCOPE_EXPORT int sem_clockwait(sem_t* sem, clockid_t clock,
                                              const struct timespec* abstime) {
  PARKSCOPE_REAL_OR_ERRNO(sem_clockwait);
  if (TryTake(sem)) return 0;
  WaitScope parked(PARKSCOPE_REASON_SEM_WAIT, ObjectOf(sem),
                   WaitClock::kPrecise);
  return real_sem_clockwait(sem, clock, abstime);
}

extern "C" PARKSCOPE_EXPORT int semop(int semid, struct sembuf* sops,
                                      size_t nsops) noexcept {
  PARKSCOPE_REAL_OR_ERRNO(semop);
  WaitScope parked(PARKSCOPE_REASON_SEM_WAIT, ObjectOf(long{semid}),
                   WaitClock::kCoarse);
  return real_semop(semid, sops, nsops);
}

extern "C" PARKSCOPE_EXPORT int semtimedop(
    int semid, struct sembuf* sops, size_t nsops,
    const struct timespec* timeout) noexcept {
  PARKSCOPE_REAL_OR_ERRNO(semtimedop);
  WaitScope parked(PARKSCOPE_REASON_SEM_WAIT, ObjectOf(long{semid}),
                   WaitClock::kCoarse);
  return real_semtimedop(semid, sops, nsops, timeout);
}
