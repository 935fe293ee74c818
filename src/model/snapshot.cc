#include "model/snapshot.h"

#include <algorithm>

namespace parkscope {

const char* BlockedSourceName(BlockedSource source) {
  switch (source) {
    case BlockedSource::kSched: return "sched";
    case BlockedSource::kAgent: return "agent";
    case BlockedSource::kObserved: return "observed";
    case BlockedSource::kUnknown: break;
  }
  return "unknown";
}

const char* CaptureMethodName(CaptureMethod method) {
  switch (method) {
    case CaptureMethod::kPtraceStop: return "ptrace";
    case CaptureMethod::kNoStop: return "nostop";
    case CaptureMethod::kNone: break;
  }
  return "none";
}

std::string WaitState::Label() const {
  if (!annotation.empty()) return annotation;
  std::string label(WaitReasonName(reason));
  if (reason == WaitReason::kOtherSyscall && syscall_nr >= 0) {
    label += " " + std::to_string(syscall_nr);
  }
  return label;
}

WaitSite ThreadSnapshot::Site() const {
  if (site_frame < 0 || static_cast<size_t>(site_frame) >= frames.size()) {
    return {};
  }
  const Frame& f = frames[site_frame];
  return {f.function, f.file, f.line};
}

const ThreadSnapshot* ProcessSnapshot::FindThread(Tid tid) const {
  auto it = std::lower_bound(
      threads.begin(), threads.end(), tid,
      [](const ThreadSnapshot& t, Tid v) { return t.tid < v; });
  if (it != threads.end() && it->tid == tid) return &*it;
  // Callers may not have sorted yet; fall back to a scan.
  for (const auto& t : threads) {
    if (t.tid == tid) return &t;
  }
  return nullptr;
}

size_t ProcessSnapshot::ParkedCount() const {
  return std::count_if(threads.begin(), threads.end(), [](const auto& t) {
    return IsParked(t.wait.reason);
  });
}

}  // namespace parkscope
