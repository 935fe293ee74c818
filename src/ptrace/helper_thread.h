// A second thread for work beside the capture thread's, on the other CPUs:
// every signal blocked (SIGINT, SIGTERM and the stop notices are the
// capture thread's, ptrace/signal_guard.h and stop_notice.h), kept off the
// caller's CPU (a new thread inherits the caller's affinity, which
// collect/symbol_prefetch.h may have pinned to one CPU, and left beside it
// the two shared it), and SCHED_IDLE while a CpuYieldScope watches for
// starvation (ptrace/cpu_yield.h), so the target's own threads always
// come first (at normal priority a helper took the other CPU from them: a
// running heartbeat thread in the target saw 3.7 ms gaps against 1.5 ms of
// idle noise).
#pragma once

#include <functional>
#include <thread>

namespace parkscope {

std::thread StartHelperThread(std::function<void()> work);

// Only the first of those: work on a new thread with every signal blocked,
// for the threads beside a capture that are not helpers of its CPU work
// (the symbol prefetch, the watchdogs of ptrace/periodic_thread.h).
std::thread StartWithSignalsBlocked(std::function<void()> work);

}  // namespace parkscope
