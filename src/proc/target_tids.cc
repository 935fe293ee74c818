#include "proc/target_tids.h"

#include <sys/stat.h>

#include "proc/proc_files.h"
#include "proc/status_parser.h"

namespace parkscope {
namespace {

// A status file is about 1.5 KB; NSpid comes well before the first 8 KB.
constexpr size_t kStatusMax = 8192;

// False only when both namespaces were read and differ. When either
// cannot be read (no /proc/PID/ns, an old kernel) the NSpid line decides.
bool SharesOurPidNamespace(Pid pid) {
  struct stat ours {}, theirs {};
  if (stat("/proc/self/ns/pid", &ours) != 0) return false;
  if (stat(ProcPath(pid, "ns/pid").c_str(), &theirs) != 0) return false;
  return ours.st_ino == theirs.st_ino && ours.st_dev == theirs.st_dev;
}

}  // namespace

void TargetTids::Add(Tid host_tid, Tid target_tid) {
  target_of_host_[host_tid] = target_tid;
  host_of_target_[target_tid] = host_tid;
}

std::optional<Tid> TargetTids::InTarget(Tid host_tid) const {
  if (!foreign_) return host_tid;
  auto it = target_of_host_.find(host_tid);
  if (it == target_of_host_.end()) return std::nullopt;
  return it->second;
}

std::optional<Tid> TargetTids::OnHost(Tid target_tid) const {
  if (!foreign_) return target_tid;
  auto it = host_of_target_.find(target_tid);
  if (it == host_of_target_.end()) return std::nullopt;
  return it->second;
}

std::optional<Tid> InnermostNsTid(std::string_view status_text) {
  std::optional<ProcStatus> status = ParseStatus(status_text);
  if (!status || status->nspid.empty()) return std::nullopt;
  return status->nspid.back();
}

TargetTids ReadTargetTids(Pid pid, const std::vector<Tid>& tids) {
  TargetTids result;
  if (SharesOurPidNamespace(pid)) return result;
  result.SetForeign();
  for (Tid tid : tids) {
    ReadResult status = ReadProcFile(TaskPath(pid, tid, "status"), kStatusMax);
    if (!status.ok()) continue;  // exited: unmapped
    std::optional<ProcStatus> parsed = ParseStatus(status.text);
    if (!parsed) continue;
    // Before Linux 4.1 there is no NSpid and no way to tell the namespaces
    // apart: the tid is then taken as the target's own.
    result.Add(tid, parsed->nspid.empty() ? tid : parsed->nspid.back());
  }
  return result;
}

}  // namespace parkscope
