// "Now" on the clock that se.exec_start in /proc/PID/task/TID/sched is read
// on, so that now - exec_start is how long a parked thread has not run.
//
// That clock is rq_clock_task, and there is one per CPU. They are not in
// step: each leaves out its own CPU's IRQ and (on a VM) steal time, so on a
// busy host two CPUs' clocks differ by seconds (8.9 s measured on this
// project's 2-vCPU VM after 8 hours of uptime). A thread's exec_start is on
// the clock of the CPU it last ran on, so the matching "now" is read there:
// this thread moves itself onto that CPU once, reads its own exec_start
// (fresh, since migrating schedules it in), and moves back. The reading is
// carried forward with CLOCK_MONOTONIC and taken again when it is older than
// kSchedClockRefreshNs, because steal time makes the two clocks drift.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <utility>

namespace parkscope {

inline constexpr int64_t kSchedClockRefreshNs = 100'000'000;

class SchedClock {
 public:
  // before_move runs before this thread moves to another CPU for a reading:
  // the capture releases the threads it holds stopped there, so that a
  // migration (tens of microseconds, milliseconds when a vCPU is descheduled)
  // never lengthens a stop.
  explicit SchedClock(std::function<void()> before_move = {})
      : before_move_(std::move(before_move)) {}

  // nullopt when we may not run on `cpu` (our cpuset leaves it out) or
  // cannot read our own sched file: no honest "now" exists then.
  std::optional<int64_t> NowNs(int cpu);

  // Takes a reading on each of CPUs 0 to count - 1 not read yet.
  void ReadAll(int count);
  // A clock with this one's readings and no before_move, for another
  // thread: taking a reading itself would move that thread onto the CPU of
  // a target thread, where the capture thread runs as likely as not, and a
  // SCHED_IDLE helper moved there waited for the capture thread to finish
  // (it copied 1 thread of 500 in 38 ms).
  SchedClock ReadingsCopy() const;

 private:
  struct Reading {
    std::optional<int64_t> exec_start_ns;
    int64_t at_monotonic_ns = 0;
  };
  Reading ReadOn(int cpu);

  std::function<void()> before_move_;
  std::map<int, Reading> by_cpu_;
};

}  // namespace parkscope
