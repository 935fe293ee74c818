// Timestamps for wait records. clock_gettime through the vDSO is
// async-signal-safe and makes no real system call for these clocks.
//
// Costs measured on the project's VM (capture-facts §2): CLOCK_MONOTONIC
// about 22 ns, CLOCK_MONOTONIC_COARSE about 3 ns. Hooks that record only on
// their slow path (the thread is about to make a futex call, a microsecond
// or more) use the precise clock; hooks that record on every call because
// they cannot tell cheaply whether the call will block (read, recv, poll)
// use the coarse one, which lags by at most one tick. rdtsc (about 9 ns) was
// rejected: it would need calibration against CLOCK_MONOTONIC, which the
// collector compares with.
#pragma once

#include <stdint.h>
#include <time.h>

namespace parkscope::agent {

enum class WaitClock : uint8_t {
  kPrecise,  // CLOCK_MONOTONIC
  kCoarse,   // CLOCK_MONOTONIC_COARSE
};

// Only for the two clocks above, which always exist: clock_gettime then
// cannot fail and never touches errno (WaitScope relies on that).
inline uint64_t NowNs(clockid_t clock) {
  timespec now;
  if (clock_gettime(clock, &now) != 0) return 0;
  return static_cast<uint64_t>(now.tv_sec) * 1000000000u +
         static_cast<uint64_t>(now.tv_nsec);
}

inline uint64_t NowNs(WaitClock clock) {
  return NowNs(clock == WaitClock::kPrecise ? CLOCK_MONOTONIC
                                            : CLOCK_MONOTONIC_COARSE);
}

}  // namespace parkscope::agent
