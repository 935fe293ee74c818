// Tells whether threads of ours are starved of CPU, from samples of their
// scheduler counters a period apart (ptrace/cpu_yield.h's watchdog).
//
// Two signs, because the kernel accounts a run-queue wait only once the
// waiting thread gets a CPU (sched_info_arrive adds it to run_delay):
// - accounted waiting: run_delay of our threads grew by the limit or more
//   (many short waits, each one over);
// - a wait still going on: a thread runnable at both samples whose run time
//   did not move never got a CPU in between. A running thread's run time
//   moves at every tick, and one that ran, slept and woke again moved too.
//   Tracing a SCHED_IDLE dump beside two spinning threads per CPU showed its
//   main thread runnable for 251 ms with run_delay unchanged, and the first
//   sign seeing nothing until then.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>

#include "model/snapshot.h"

namespace parkscope {

// How often the watchdogs look, and how much accounted run-queue waiting
// in one look means the machine leaves us no idle time: half a period. On
// an idle machine, where only the target's wake-ups preempt us, a look sees
// a few microseconds.
constexpr std::chrono::milliseconds kStarvationLookEvery{20};
constexpr int64_t kStarvedWaitNs = 10'000'000;
// Our own process has a handful of threads; the bound only keeps a runaway
// from making each look (or the return to normal priority) long.
constexpr size_t kMaxOwnThreads = 4096;

struct ThreadRunSample {
  int64_t run_ns = 0;     // schedstat's first field: time on a CPU
  int64_t wait_ns = 0;    // its second: accounted run-queue waiting
  bool runnable = false;  // stat's state is R (on a CPU or waiting for one)
};

using RunSamples = std::map<Tid, ThreadRunSample>;

// One thread; nullopt if its counters cannot be read (it exited, or a
// kernel without CONFIG_SCHED_INFO).
std::optional<ThreadRunSample> SampleThread(Pid pid, Tid tid);

// Every thread of this process. nullopt when no thread's counters could be
// read (a kernel without CONFIG_SCHED_INFO): starvation cannot be seen.
std::optional<RunSamples> SampleOurThreads();

// Whether the threads were starved between the two samples: their
// accounted waiting grew by wait_limit_ns or more, or one of them waited
// all along. A thread in only one sample (started or ended between) counts
// for neither sign, so the watchdog leaves itself out of now: its own waits
// at normal priority are not the work's.
bool Starved(const RunSamples& before, const RunSamples& now, int64_t wait_limit_ns);

}  // namespace parkscope
