#include "analyze/deadlock.h"

#include <algorithm>
#include <unordered_map>

namespace parkscope {
namespace {

bool WaitsForThread(WaitReason reason) {
  switch (reason) {
    case WaitReason::kMutexLock:
    case WaitReason::kRwlockWrite:
    case WaitReason::kRwlockRead:
    case WaitReason::kJoin:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::vector<Deadlock> FindDeadlocks(const ProcessSnapshot& snapshot) {
  // The wait-for edges. A duplicate tid (a hostile or merged snapshot) keeps
  // its first record, so the graph stays a function.
  std::unordered_map<Tid, Tid> waits_for;
  std::unordered_map<Tid, int> walk_of;  // 0: unvisited; else the walk's id
  walk_of.reserve(snapshot.threads.size());
  for (const ThreadSnapshot& t : snapshot.threads) walk_of.emplace(t.tid, 0);
  for (const ThreadSnapshot& t : snapshot.threads) {
    const WaitState& w = t.wait;
    if (!WaitsForThread(w.reason) || !w.owner_tid) continue;
    Tid owner = *w.owner_tid;
    if (owner == t.tid || walk_of.count(owner) == 0) continue;
    waits_for.emplace(t.tid, owner);
  }

  std::vector<Deadlock> deadlocks;
  int walk = 0;
  for (const ThreadSnapshot& start : snapshot.threads) {
    if (walk_of[start.tid] != 0) continue;
    ++walk;
    // Follow the chain until it ends, reaches a thread an earlier walk
    // already explored (whose cycle, if any, is already reported), or comes
    // back to a thread of this walk: a new cycle. Each thread is marked by
    // exactly one walk, so all walks together take at most N steps.
    Tid tid = start.tid;
    while (true) {
      walk_of[tid] = walk;
      auto edge = waits_for.find(tid);
      if (edge == waits_for.end()) break;
      Tid next = edge->second;
      int seen = walk_of[next];
      if (seen == 0) {
        tid = next;
        continue;
      }
      if (seen == walk) {
        Deadlock cycle;
        Tid member = next;
        // Every member of the cycle has an edge (the walk followed it); the
        // size bound only guards against a broken invariant.
        do {
          cycle.tids.push_back(member);
          auto member_edge = waits_for.find(member);
          if (member_edge == waits_for.end()) break;
          member = member_edge->second;
        } while (member != next && cycle.tids.size() <= walk_of.size());
        auto smallest = std::min_element(cycle.tids.begin(), cycle.tids.end());
        std::rotate(cycle.tids.begin(), smallest, cycle.tids.end());
        deadlocks.push_back(std::move(cycle));
      }
      break;
    }
  }
  std::sort(
      deadlocks.begin(), deadlocks.end(),
      [](const Deadlock& a, const Deadlock& b) { return a.tids < b.tids; });
  return deadlocks;
}

}  // namespace parkscope
