// Puts the agent's facts into a snapshot: exact reason, object and start of
// each wait, and the stack that created each thread. Runs before Analyze so
// groups and sites see them. Threads the agent knows nothing about (blocked
// before it loaded, in calls libc makes internally) keep the attach-mode
// inference.
#pragma once

#include <functional>
#include <set>

#include "analyze/classify.h"
#include "model/snapshot.h"
#include "symbolize/symbolizer.h"
#include "waitstate/agent_record.h"

namespace parkscope {

// probed_at_ns(tid): when that thread's /proc state was read; a wait that
// the agent says began after it does not describe the captured stack.
// The agent writes gettid() as the target sees it; target_tids maps those
// to ours (a record whose tid maps to none is dropped as stale).
void MergeAgentRecords(const AgentRegistry& registry,
                       const std::function<int64_t(Tid)>& probed_at_ns,
                       Symbolizer* symbolizer, const std::set<Tid>& live_tids,
                       const ReadWord& read_word, const FdKindOf& fd_kind,
                       const TargetTids& target_tids, ProcessSnapshot* snapshot);

}  // namespace parkscope
