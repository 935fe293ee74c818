// Parses /proc/PID/task/TID/sched (kernel/sched/debug.c, proc_sched_show_task)
// for the fields that tell how long a thread has been off the CPU.
//
// The file starts with "comm (tid, #threads: N)" and a line of dashes, then
// "key   :   value" lines. Times are printed as milliseconds with six decimals
// ("183761.205496"); they are converted to integer nanoseconds exactly.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace parkscope {

struct SchedInfo {
  // se.exec_start: the per-CPU sched clock when the thread last started or
  // was last charged for running, in ns since boot (roughly).
  std::optional<int64_t> exec_start_ns;
  std::optional<uint64_t> nr_switches, nr_voluntary_switches,
      nr_involuntary_switches;
  std::optional<int64_t> sum_exec_runtime_ns;  // se.sum_exec_runtime
};

// nullopt only when the text has no "key : value" line at all (empty, or not
// a sched file). A key that is missing, or whose value is malformed or
// overflows, stays nullopt; the first well-formed occurrence of a key wins.
std::optional<SchedInfo> ParseSched(std::string_view text);

// se.sum_exec_runtime in ns from /proc/PID/task/TID/schedstat ("run_ns
// wait_ns timeslices"): the same counter as the sched file's, exact, in a
// file a tenth the size. nullopt unless the text starts with a number.
std::optional<int64_t> ParseSchedstatRunNs(std::string_view text);

// The second field of the same file: ns spent runnable but waiting on a run
// queue (sched_info.run_delay). nullopt unless the text starts with two
// numbers.
std::optional<int64_t> ParseSchedstatWaitNs(std::string_view text);

// How long target has not run, in ns: self.exec_start - target.exec_start,
// where self.exec_start is "now" on the clock of the CPU the target last ran
// on (SchedClock, proc/sched_clock.h). No other clock works: exec_start is
// rq_clock_task, which is neither CLOCK_MONOTONIC nor CLOCK_BOOTTIME (it
// leaves out IRQ and steal time), and there is one per CPU.
//
// A thread that is running, or that ran a moment ago, can look slightly
// ahead of that "now". Up to 1 s ahead is clamped to 0; more than that is
// not skew but a bad sample: nullopt. Also nullopt when either exec_start
// is missing.
std::optional<int64_t> BlockedNs(const SchedInfo& target,
                                 const SchedInfo& self);

}  // namespace parkscope
