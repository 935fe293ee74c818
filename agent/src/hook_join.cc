// pthread_join (std::thread::join), its timed variants, and
// pthread_barrier_wait. Recorded on every call: both normally block, and
// their cost dwarfs a clock read. The join object is the joined thread's
// pthread_t; the collector maps it to a tid through the other slots'
// pthread_self, which gives the "waits for" edge.
#include <pthread.h>
#include <time.h>

#include "export.h"
#include "real_symbols.h"
#include "wait_scope.h"

using parkscope::agent::ObjectOf;
using parkscope::agent::WaitClock;
using parkscope::agent::WaitScope;

namespace {

uint64_t ThreadObject(pthread_t thread) {
  return static_cast<uint64_t>(thread);
}

}  // namespace

extern "C" PARKSCOPE_EXPORT int pthread_join(pthread_t thread, void** result) {
  PARKSCOPE_REAL_OR_CODE(pthread_join);
  WaitScope parked(PARKSCOPE_REASON_JOIN, ThreadObject(thread),
                   WaitClock::kPrecise);
  return real_pthread_join(thread, result);
}

extern "C" PARKSCOPE_EXPORT int pthread_timedjoin_np(
    pthread_t thread, void** result, const struct timespec* abstime) {
  PARKSCOPE_REAL_OR_CODE(pthread_timedjoin_np);
  WaitScope parked(PARKSCOPE_REASON_JOIN, ThreadObject(thread),
                   WaitClock::kPrecise);
  return real_pthread_timedjoin_np(thread, result, abstime);
}

extern "C" PARKSCOPE_EXPORT int pthread_clockjoin_np(
    pthread_t thread, void** result, clockid_t clock,
    const struct timespec* abstime) {
  PARKSCOPE_REAL_OR_CODE(pthread_clockjoin_np);
  WaitScope parked(PARKSCOPE_REASON_JOIN, ThreadObject(thread),
                   WaitClock::kPrecise);
  return real_pthread_clockjoin_np(thread, result, clock, abstime);
}

extern "C" PARKSCOPE_EXPORT int pthread_barrier_wait(
    pthread_barrier_t* barrier) noexcept {
  PARKSCOPE_REAL_OR_CODE(pthread_barrier_wait);
  WaitScope parked(PARKSCOPE_REASON_BARRIER, ObjectOf(barrier),
                   WaitClock::kPrecise);
  return real_pthread_barrier_wait(barrier);
}
