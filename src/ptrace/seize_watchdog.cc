#include "ptrace/seize_watchdog.h"

#include <signal.h>
#include <sys/wait.h>

#include <chrono>

#include "ptrace/thread_stop.h"

namespace parkscope {

namespace {

// Reaps those of our tracees that have exited, once a seize has waited
// kSeizeStuckNs; WEXITED only, so no stop is taken from the capture thread.
bool ReapIfASeizeIsStuck() {
  const int64_t since = SeizeWaitingSinceNs();
  if (since == 0 || MonotonicNs() - since < kSeizeStuckNs) return true;
  for (Tid tid : HeldTracees()) {
    siginfo_t info{};
    waitid(P_PID, static_cast<id_t>(tid), &info, WEXITED | WNOHANG | __WALL);
  }
  return true;
}

}  // namespace

SeizeWatchdog::SeizeWatchdog()
    : thread_(std::chrono::nanoseconds(kWatchdogPeriodNs), ReapIfASeizeIsStuck) {}

}  // namespace parkscope
