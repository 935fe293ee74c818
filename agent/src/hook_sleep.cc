// Sleeps: nanosleep (std::this_thread::sleep_for/sleep_until),
// clock_nanosleep, sleep, usleep. sleep and usleep are hooked themselves
// because glibc implements them on an internal __nanosleep that a nanosleep
// hook does not see (capture-facts §1).
//
// The object is the requested duration in nanoseconds where it is passed by
// value (sleep, usleep), else 0: the agent does not read the caller's
// timespec.
#include <time.h>
#include <unistd.h>

#include "export.h"
#include "real_symbols.h"
#include "wait_scope.h"

using parkscope::agent::WaitClock;
using parkscope::agent::WaitScope;

extern "C" PARKSCOPE_EXPORT int nanosleep(const struct timespec* duration,
                                          struct timespec* remaining) {
  PARKSCOPE_REAL_OR_ERRNO(nanosleep);
  WaitScope parked(PARKSCOPE_REASON_SLEEP, 0, WaitClock::kPrecise);
  return real_nanosleep(duration, remaining);
}

// Returns an error number, not -1/errno.
extern "C" PARKSCOPE_EXPORT int clock_nanosleep(clockid_t clock, int flags,
                                                const struct timespec* request,
                                                struct timespec* remaining) {
  PARKSCOPE_REAL_OR_CODE(clock_nanosleep);
  WaitScope parked(PARKSCOPE_REASON_SLEEP, 0, WaitClock::kPrecise);
  return real_clock_nanosleep(clock, flags, request, remaining);
}

extern "C" PARKSCOPE_EXPORT unsigned sleep(unsigned seconds) {
  auto real_sleep = PARKSCOPE_REAL(sleep);
  if (real_sleep == nullptr) return seconds;  // slept none of it
  WaitScope parked(PARKSCOPE_REASON_SLEEP, uint64_t{seconds} * 1000000000u,
                   WaitClock::kPrecise);
  return real_sleep(seconds);
}

extern "C" PARKSCOPE_EXPORT int usleep(useconds_t microseconds) {
  PARKSCOPE_REAL_OR_ERRNO(usleep);
  WaitScope parked(PARKSCOPE_REASON_SLEEP, uint64_t{microseconds} * 1000u,
                   WaitClock::kPrecise);
  return real_usleep(microseconds);
}
