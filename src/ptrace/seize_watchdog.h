// Breaks the one deadlock a capture can enter with its target: an exec.
//
// execve() in a multi-threaded target (de_thread) holds the target's
// cred_guard_mutex until every other thread has exited and been reaped.
// PTRACE_SEIZE needs that mutex. A thread that exits while this process
// holds it stopped becomes this process's zombie, reaped only by our
// waitpid. So a capture that seizes the next thread while it holds others
// waits for the exec, and the exec waits for the capture: both hung for 13
// minutes in Safety.ExecDuringCapturesLeavesTheNewImageRunning before this
// existed (it is a known kernel behaviour, not a bug of ours to fix there).
//
// While a SeizeWatchdog lives, a thread of its own checks every
// kWatchdogPeriodNs whether a seize has been waiting longer than
// kSeizeStuckNs; if so it reaps those of our tracees that have exited
// (waitid with WEXITED only, so stops are never taken from the capture
// thread). The exec then completes, the seize returns, and the capture
// finds the reaped threads gone.
#pragma once

#include <cstdint>

#include "ptrace/periodic_thread.h"

namespace parkscope {

inline constexpr int64_t kWatchdogPeriodNs = 20'000'000;
inline constexpr int64_t kSeizeStuckNs = 50'000'000;

class SeizeWatchdog {
 public:
  SeizeWatchdog();
  SeizeWatchdog(const SeizeWatchdog&) = delete;
  SeizeWatchdog& operator=(const SeizeWatchdog&) = delete;

 private:
  PeriodicThread thread_;
};

}  // namespace parkscope
