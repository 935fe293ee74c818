// pthread_cond_wait, pthread_cond_timedwait, pthread_cond_clockwait.
//
// A condition variable wait always blocks (it releases the mutex and sleeps
// until signalled), so it is recorded on every call. The recorded wait
// includes re-acquiring the mutex after the wake-up.
//
// std::condition_variable::wait reaches pthread_cond_wait,
// wait_for/wait_until(steady_clock) reach pthread_cond_clockwait (called
// from the program's own code, inlined from the header; libstdc++ never
// calls it) and wait_until(system_clock) reaches pthread_cond_timedwait.
//
// Versions: our unversioned definitions satisfy the program's references to
// pthread_cond_*@GLIBC_2.3.2, and dlsym(RTLD_NEXT) returns that default
// version. Binaries built against the pre-2.3.2 condvar ABI
// (pthread_cond_*@GLIBC_2.2.5) would be handed the new-layout functions;
// supporting them would take a version script.
#include <pthread.h>
#include <time.h>

#include "export.h"
#include "real_symbols.h"
#include "wait_scope.h"

using parkscope::agent::ObjectOf;
using parkscope::agent::WaitClock;
using parkscope::agent::WaitScope;

extern "C" PARKSCOPE_EXPORT int pthread_cond_wait(pthread_cond_t* cond,
                                                  pthread_mutex_t* mutex) {
  PARKSCOPE_REAL_OR_CODE(pthread_cond_wait);
  WaitScope parked(PARKSCOPE_REASON_COND_WAIT, ObjectOf(cond),
                   WaitClock::kPrecise);
  return real_pthread_cond_wait(cond, mutex);
}

extern "C" PARKSCOPE_EXPORT int pthread_cond_timedwait(
    pthread_cond_t* cond, pthread_mutex_t* mutex,
    const struct timespec* abstime) {
  PARKSCOPE_REAL_OR_CODE(pthread_cond_timedwait);
  WaitScope parked(PARKSCOPE_REASON_COND_WAIT, ObjectOf(cond),
                   WaitClock::kPrecise);
  return real_pthread_cond_timedwait(cond, mutex, abstime);
}

extern "C" PARKSCOPE_EXPORT int pthread_cond_clockwait(
    pthread_cond_t* cond, pthread_mutex_t* mutex, clockid_t clock,
    const struct timespec* abstime) {
  PARKSCOPE_REAL_OR_CODE(pthread_cond_clockwait);
  WaitScope parked(PARKSCOPE_REASON_COND_WAIT, ObjectOf(cond),
                   WaitClock::kPrecise);
  return real_pthread_cond_clockwait(cond, mutex, clock, abstime);
}
