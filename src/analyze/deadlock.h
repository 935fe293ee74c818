// Deadlock detection over the wait-for graph of one snapshot.
#pragma once

#include <vector>

#include "model/snapshot.h"

namespace parkscope {

// Finds every cycle of the wait-for graph. A thread has an edge to
// wait.owner_tid when its reason is mutex lock, rwlock write, rwlock read or
// join, the owner is known, is another thread (a self-edge is ignored), and
// is a thread of this snapshot. Each thread waits on one thing, so every
// thread has at most one edge and each cycle is found by following chains.
//
// Each cycle is reported once, rotated to start at its smallest tid, and the
// cycles are sorted by that tid. Runs in time linear in the number of threads
// on any input: every thread is walked at most once.
//
// The graph is only as good as the owners: the owner word is read while the
// threads run (unless the capture was consistent), so a cycle over threads
// captured at different instants is a strong hint, not a proof.
std::vector<Deadlock> FindDeadlocks(const ProcessSnapshot& snapshot);

}  // namespace parkscope
