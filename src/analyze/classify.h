// Attach-mode wait classification: what a thread is parked on, read from
// its state letter, its /proc syscall line and the top of its stack, without
// any help from inside the target. The preload agent's records, when
// present, replace this guess with exact facts.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <vector>

#include "model/snapshot.h"
#include "proc/syscall_parser.h"
#include "proc/target_tids.h"

namespace parkscope {

struct WaitEvidence {
  char state = '?';
  std::optional<SyscallState> syscall;
  std::optional<int64_t> blocked_ns;  // from sched, when known
};

// Reads a 32-bit word of the target's memory; nullopt when unreadable.
using ReadWord = std::function<std::optional<uint32_t>(uint64_t addr)>;
// The descriptor's kind ("socket", "pipe", ...) in the target.
using FdKindOf = std::function<std::string(long fd)>;

// The wait reason and object from state, syscall and frames (innermost
// first). Does not look at memory; see ResolveOwner.
WaitState ClassifyWait(const WaitEvidence& evidence,
                       const std::vector<Frame>& frames, const FdKindOf& fd_kind);

// For mutex, rwlock and join waits: the thread that holds the lock, or the
// thread being joined, read from glibc's structures around the futex word
// (object_kind "futex", attach mode) or the lock itself ("mutex", "rwlock",
// from the agent).
// Accepted only when it names a live thread of the process other than the
// waiter, so a misread word cannot invent an edge in the wait-for graph.
// waiter, live_tids and the owner found are our tids; the words in memory
// hold the target's, which target_tids maps (see proc/target_tids.h: in a
// container, word 2 is not our thread 2).
void ResolveOwner(Tid waiter, const std::set<Tid>& live_tids,
                  const ReadWord& read_word, WaitState* wait,
                  const TargetTids& target_tids = TargetTids());

}  // namespace parkscope
