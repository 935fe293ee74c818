// One thread held in a ptrace-stop. The stop is owned by this object: its
// destructor detaches, re-injecting any signal that arrived meanwhile, so no
// path out of the collector can leave a thread stopped or traced.
//
// PTRACE_SEIZE + PTRACE_INTERRUPT rather than PTRACE_ATTACH: SEIZE sends no
// SIGSTOP, so the target never sees a signal of ours and a group-stop that
// was already in effect stays in effect after we detach (see ptrace(2),
// "Group-stop"). If the collector dies, the kernel detaches for it.
#pragma once

#include <cstdint>
#include <vector>

#include "model/snapshot.h"

namespace parkscope {

enum class StopStatus {
  kStopped,        // in a ptrace-stop: registers and stack may be read
  kGone,           // the thread exited; skip it
  kAlreadyTraced,  // another tracer holds the thread
  kNoPermission,   // EPERM without the thread exiting: ptrace_scope, caps
  kTimeout,        // did not stop in time (uninterruptible sleep)
  kError,          // anything else; err() tells
};

class ThreadStop {
 public:
  ThreadStop() = default;
  explicit ThreadStop(Tid tid) : tid_(tid) {}
  ThreadStop(ThreadStop&& other) noexcept;
  ThreadStop& operator=(ThreadStop&& other) noexcept;
  ThreadStop(const ThreadStop&) = delete;
  ThreadStop& operator=(const ThreadStop&) = delete;
  ~ThreadStop() { Release(); }

  // Seizes the thread and asks it to stop; does not wait. --consistent calls
  // this for every thread before waiting for any of them.
  StopStatus Begin();
  // Waits until the thread reports its stop or timeout_ns passes.
  StopStatus Wait(int64_t timeout_ns);
  // Detaches now. Safe to call more than once and in any state.
  void Release();

  Tid tid() const { return tid_; }
  StopStatus status() const { return status_; }
  int err() const { return err_; }
  // Nanoseconds the thread was held, from the interrupt to the detach.
  int64_t held_ns() const { return held_ns_; }

 private:
  StopStatus ClassifySeizeFailure(int err);

  Tid tid_ = 0;
  bool seized_ = false;
  StopStatus status_ = StopStatus::kError;
  int err_ = 0;
  int pending_signal_ = 0;
  int64_t interrupted_at_ns_ = 0;
  int64_t held_ns_ = 0;
};

int64_t MonotonicNs();

// The threads this process holds seized right now, and since when (
// CLOCK_MONOTONIC) a PTRACE_SEIZE has been waiting, 0 when none is: what
// ptrace/seize_watchdog.h needs to see an exec deadlock coming.
std::vector<Tid> HeldTracees();
int64_t SeizeWaitingSinceNs();

}  // namespace parkscope
