#include "ptrace/run_queue_starvation.h"

#include <unistd.h>

#include "proc/proc_files.h"
#include "proc/sched_parser.h"
#include "proc/stat_parser.h"
#include "proc/task_list.h"

namespace parkscope {
std::optional<ThreadRunSample> SampleThread(Pid pid, Tid tid) {
  auto counters = ReadProcRecord(TaskPath(pid, tid, "schedstat"), 256);
  if (!counters.ok()) return std::nullopt;
  std::optional<int64_t> run = ParseSchedstatRunNs(counters.text);
  std::optional<int64_t> wait = ParseSchedstatWaitNs(counters.text);
  if (!run || !wait) return std::nullopt;
  auto stat = ReadProcRecord(TaskPath(pid, tid, "stat"), 1024);
  std::optional<TaskStat> parsed = stat.ok() ? ParseStat(stat.text) : std::nullopt;
  return ThreadRunSample{*run, *wait, parsed && parsed->state == 'R'};
}

std::optional<RunSamples> SampleOurThreads() {
  const Pid self = getpid();
  RunSamples samples;
  for (Tid tid : ListTasks(self, kMaxOwnThreads).tids) {
    // A thread that just exited (a helper) has no sample.
    if (auto sample = SampleThread(self, tid)) samples[tid] = *sample;
  }
  if (samples.empty()) return std::nullopt;
  return samples;
}

bool Starved(const RunSamples& before, const RunSamples& now, int64_t wait_limit_ns) {
  int64_t waited = 0;
  for (const auto& [tid, later] : now) {
    auto earlier = before.find(tid);
    if (earlier == before.end()) continue;
    if (earlier->second.runnable && later.runnable && later.run_ns == earlier->second.run_ns) {
      return true;
    }
    if (later.wait_ns > earlier->second.wait_ns) waited += later.wait_ns - earlier->second.wait_ns;
  }
  return waited >= wait_limit_ns;
}

}  // namespace parkscope
