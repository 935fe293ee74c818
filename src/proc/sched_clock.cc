#include "proc/sched_clock.h"

#include <sched.h>
#include <time.h>

#include "proc/proc_files.h"
#include "proc/sched_parser.h"

namespace parkscope {
namespace {

constexpr size_t kSchedMax = 16384;

int64_t Monotonic() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

std::optional<int64_t> OwnExecStart() {
  // Our exec_start moves only when the scheduler charges us (a tick, up to
  // 4 ms ago, or a switch); a yield charges us now (yield_task_fair calls
  // update_curr), so the reading is "now", not the last tick.
  sched_yield();
  auto file = ReadProcFile("/proc/thread-self/sched", kSchedMax);
  if (!file.ok()) return std::nullopt;
  auto self = ParseSched(file.text);
  if (!self) return std::nullopt;
  return self->exec_start_ns;
}

}  // namespace

SchedClock::Reading SchedClock::ReadOn(int cpu) {
  Reading reading;
  cpu_set_t before;
  CPU_ZERO(&before);
  // Not limited to our current affinity, which a dump narrows to one CPU
  // (collect/symbol_prefetch.h): the kernel refuses only CPUs outside our
  // cpuset, and that refusal is the answer.
  if (cpu < 0 || cpu >= CPU_SETSIZE || sched_getaffinity(0, sizeof before, &before) != 0) {
    reading.at_monotonic_ns = Monotonic();
    return reading;
  }
  if (sched_getcpu() == cpu) {  // already there: no move
    reading.exec_start_ns = OwnExecStart();
    reading.at_monotonic_ns = Monotonic();
    return reading;
  }
  if (before_move_) before_move_();
  cpu_set_t only;
  CPU_ZERO(&only);
  CPU_SET(cpu, &only);
  // sched_setaffinity on ourselves migrates us before it returns.
  if (sched_setaffinity(0, sizeof only, &only) == 0 && sched_getcpu() == cpu) {
    reading.exec_start_ns = OwnExecStart();
  }
  reading.at_monotonic_ns = Monotonic();
  sched_setaffinity(0, sizeof before, &before);
  return reading;
}

std::optional<int64_t> SchedClock::NowNs(int cpu) {
  const int64_t now = Monotonic();
  auto it = by_cpu_.find(cpu);
  if (it == by_cpu_.end() || now - it->second.at_monotonic_ns > kSchedClockRefreshNs) {
    it = by_cpu_.insert_or_assign(cpu, ReadOn(cpu)).first;
  }
  const Reading& r = it->second;
  if (!r.exec_start_ns) return std::nullopt;
  return *r.exec_start_ns + (Monotonic() - r.at_monotonic_ns);
}

void SchedClock::ReadAll(int count) {
  for (int cpu = 0; cpu < count; ++cpu) NowNs(cpu);
}

SchedClock SchedClock::ReadingsCopy() const {
  SchedClock copy;
  copy.by_cpu_ = by_cpu_;
  return copy;
}

}  // namespace parkscope
