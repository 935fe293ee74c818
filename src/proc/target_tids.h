// Thread ids as the target sees them. A process in another pid namespace
// (a container) knows its threads by other numbers than ours: its futex
// owner words, its agent records and its own logs all use those, so every
// tid read from the target's memory must be mapped before it is compared
// with, or reported as, one of ours. NSpid in /proc/PID/task/TID/status
// lists a task's id in each pid namespace from ours inward; the last one
// is the target's own.
#pragma once

#include <optional>
#include <unordered_map>
#include <vector>

#include "model/snapshot.h"

namespace parkscope {

class TargetTids {
 public:
  // Every tid is its own target tid: the target shares our pid namespace.
  TargetTids() = default;

  // Records that host_tid is target_tid inside the target's namespace.
  void Add(Tid host_tid, Tid target_tid);
  // Marks the target as living in another pid namespace: from now on only
  // added tids map, in either direction.
  void SetForeign() { foreign_ = true; }

  bool foreign() const { return foreign_; }
  // nullopt when unknown (an NSpid that could not be read, a thread that
  // was not listed): a number nobody mapped must not pass for a thread.
  std::optional<Tid> InTarget(Tid host_tid) const;
  std::optional<Tid> OnHost(Tid target_tid) const;

 private:
  bool foreign_ = false;
  std::unordered_map<Tid, Tid> target_of_host_, host_of_target_;
};

// The innermost NSpid of /proc/PID/task/TID/status text, nullopt when the
// text has none (kernels before 4.1) or is not a status file.
std::optional<Tid> InnermostNsTid(std::string_view status_text);

// Reads the mapping for tids. Costs one stat pair when the target shares
// our pid namespace (nothing else is read); otherwise one status file per
// tid. A tid whose status cannot be read (it exited) stays unmapped.
TargetTids ReadTargetTids(Pid pid, const std::vector<Tid>& tids);

}  // namespace parkscope
