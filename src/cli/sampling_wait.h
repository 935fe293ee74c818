// What `parkscope watch` and `parkscope record` wait for between samples:
// the next tick, a signal asking them to stop, or the target's exit.
//
// SIGINT, SIGTERM and SIGHUP are blocked in every thread (the constructor
// runs before any thread is started) and read from a signalfd, so a signal
// never interrupts a capture halfway: the capture sees it pending, releases
// every thread and returns (ptrace/signal_guard.h), and the loop then stops
// cleanly. The target's exit is seen through a pidfd, which also tells a
// reused pid from the process we were started on.
#pragma once

#include <cstdint>
#include <string>

#include "model/snapshot.h"
#include "ptrace/capture.h"

namespace parkscope {

class SamplingWait {
 public:
  explicit SamplingWait(Pid pid);
  ~SamplingWait();
  SamplingWait(const SamplingWait&) = delete;
  SamplingWait& operator=(const SamplingWait&) = delete;

  enum class Woke { kTick, kSignal, kTargetExited };
  // Waits until CLOCK_MONOTONIC reaches deadline_ns, a signal or the exit.
  Woke WaitUntil(int64_t deadline_ns);
  // Without waiting: a stop signal is pending.
  bool SignalPending();
  int last_signal() const { return last_signal_; }
  bool target_exited() const { return exited_; }

 private:
  int signal_fd_ = -1;
  int pid_fd_ = -1;  // -1 where pidfd_open is unavailable (Linux < 5.3)
  int last_signal_ = 0;
  bool exited_ = false;
};

// The one-line message for a sample that captured nothing, with the hint
// the user can act on (as dump gives it).
std::string CaptureFailureMessage(Pid pid, CaptureStatus status, const std::string& error);

}  // namespace parkscope
