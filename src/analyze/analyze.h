// Everything derived from a captured, symbolized snapshot, in one call.
#pragma once

#include "analyze/site.h"
#include "model/snapshot.h"

namespace parkscope {

// In this order, because each step reads what the previous one wrote:
//   1. MarkRuntimeFrames on every thread and on its created_by frames
//      (sites are needed to group, runtime flags to print "created by");
//   2. FindDeadlocks into snapshot.deadlocks (groups need in_deadlock);
//   3. GroupAndSort (sorts threads, fills snapshot.groups).
// Replaces any earlier deadlocks and groups, so it can run again after the
// filter changes.
void Analyze(ProcessSnapshot& snapshot, const RuntimeFrameFilter& filter);

}  // namespace parkscope
