#include "waitstate/agent_merge.h"

#include <unordered_map>

namespace parkscope {
namespace {

// What the agent's object field holds for each reason (registry_abi.h).
const char* ObjectKind(WaitReason reason) {
  switch (reason) {
    case WaitReason::kMutexLock: return "mutex";
    case WaitReason::kRwlockRead:
    case WaitReason::kRwlockWrite: return "rwlock";
    case WaitReason::kCondWait: return "cond";
    case WaitReason::kSemWait: return "sem";
    case WaitReason::kFutexWait: return "futex";
    case WaitReason::kJoin: return "pthread";
    case WaitReason::kBarrier: return "barrier";
    case WaitReason::kIoWait:
    case WaitReason::kEpollWait: return "fd";
    case WaitReason::kPoll: return "pollfds";
    case WaitReason::kSleep: return "duration_ns";
    case WaitReason::kSignalWait: return "sigset";
    case WaitReason::kWaitpid: return "pid";
    case WaitReason::kQueueRecv:
    case WaitReason::kQueueSend: return "mqd";
    default: return "";
  }
}

CreatedBy CreationOf(const AgentRecord& record, Symbolizer* symbolizer) {
  CreatedBy created;
  created.tid = record.creator_tid;
  created.test_name = record.test_name;
  created.created_ns = record.created_ns;
  for (uint64_t pc : record.creation_pcs) {
    if (symbolizer == nullptr) {
      Frame bare;
      bare.pc = pc;
      created.frames.push_back(bare);
      continue;
    }
    for (Frame& f : symbolizer->Symbolize(pc, /*is_activation=*/false)) {
      created.frames.push_back(std::move(f));
    }
  }
  return created;
}

void ApplyWait(const AgentRecord& record, int64_t read_at_ns,
               const std::unordered_map<uint64_t, Tid>& tid_of_pthread,
               Symbolizer* symbolizer, const FdKindOf& fd_kind, WaitState* wait) {
  if (record.reason) {
    wait->reason = *record.reason;
    wait->object = record.object;
    wait->object_kind = ObjectKind(*record.reason);
    wait->owner_tid.reset();
    wait->fd_kind.clear();
    if (wait->object_kind == "fd" && fd_kind) {
      wait->fd_kind = fd_kind(static_cast<long>(record.object));
    }
    if (*record.reason == WaitReason::kJoin) {
      auto it = tid_of_pthread.find(record.object);
      if (it != tid_of_pthread.end()) wait->owner_tid = it->second;
    }
  } else {
    // Annotated: the text is the reason people read; the primitive the
    // kernel shows underneath (a cond wait, say) stays in `reason`.
    wait->annotation = record.annotation;
    if (symbolizer != nullptr && record.annotation_site != 0) {
      auto frames = symbolizer->Symbolize(record.annotation_site, false);
      if (!frames.empty()) wait->annotation_function = frames.back().function;
    }
  }
  wait->blocked_ns = std::max<int64_t>(0, read_at_ns - record.since_ns);
  wait->blocked_source = BlockedSource::kAgent;
}

}  // namespace

void MergeAgentRecords(const AgentRegistry& registry,
                       const std::function<int64_t(Tid)>& probed_at_ns,
                       Symbolizer* symbolizer, const std::set<Tid>& live_tids,
                       const ReadWord& read_word, const FdKindOf& fd_kind,
                       const TargetTids& target_tids, ProcessSnapshot* snapshot) {
  if (!registry.found) return;
  snapshot->agent_present = true;
  // Our tids from here on: the records, the creator and the join owners
  // below all compare with or report snapshot tids.
  std::vector<AgentRecord> records;
  records.reserve(registry.records.size());
  for (const AgentRecord& record : registry.records) {
    std::optional<Tid> tid = target_tids.OnHost(record.tid);
    if (!tid || live_tids.count(*tid) == 0) continue;  // stale or forged
    AgentRecord& ours = records.emplace_back(record);
    ours.tid = *tid;
    if (ours.creator_tid != 0) {
      ours.creator_tid = target_tids.OnHost(ours.creator_tid).value_or(0);
    }
  }
  std::unordered_map<Tid, const AgentRecord*> by_tid;
  std::unordered_map<uint64_t, Tid> tid_of_pthread;
  for (const AgentRecord& record : records) {
    by_tid[record.tid] = &record;
    if (record.pthread_self != 0) tid_of_pthread[record.pthread_self] = record.tid;
  }
  for (ThreadSnapshot& thread : snapshot->threads) {
    auto it = by_tid.find(thread.tid);
    if (it == by_tid.end()) continue;
    const AgentRecord& record = *it->second;
    if (record.creator_tid != 0 || !record.creation_pcs.empty()) {
      thread.created_by = CreationOf(record, symbolizer);
    }
    const bool kernel_parked = thread.state == 'S' || thread.state == 'D';
    if (!record.parked || !kernel_parked || record.since_ns > probed_at_ns(thread.tid)) {
      continue;  // the record does not describe the wait we captured
    }
    ApplyWait(record, registry.read_at_ns, tid_of_pthread, symbolizer, fd_kind, &thread.wait);
    if (!thread.wait.owner_tid) {
      ResolveOwner(thread.tid, live_tids, read_word, &thread.wait, target_tids);
    }
  }
}

}  // namespace parkscope
