// Grouping threads by where they are parked, and the order reports use.
#pragma once

#include "model/snapshot.h"

namespace parkscope {

// Sorts snapshot.threads by tid and fills snapshot.groups: one StackGroup per
// (wait.Label(), Site()) over all threads, running ones too ("running").
// Expects site_frame set (MarkRuntimeFrames) and snapshot.deadlocks filled
// (FindDeadlocks); see Analyze, which runs all three in order.
//
// When the site frame has neither function nor file (a stripped module), the
// site alone cannot tell two places apart, so the key also takes the frame's
// module and module offset: unrelated stripped code never merges into one
// group even though StackGroup::site is the same empty site.
//
// Per group: tids ascending; min/max blocked over the threads whose
// blocked_ns is known (nullopt when none is); representative = the thread
// blocked longest (ties: lowest tid; no known duration: lowest tid);
// in_deadlock when any of its tids is in a deadlock.
//
// Order: groups in a deadlock first; then parked groups by max_blocked_ns
// descending, unknown durations after known ones; then count descending;
// then site file, line, reason, function and first tid so that equal inputs
// always print in the same order. Groups with no parked thread (running,
// stopped, zombie, unknown) come last, in the same order among themselves.
void GroupAndSort(ProcessSnapshot& snapshot);

}  // namespace parkscope
