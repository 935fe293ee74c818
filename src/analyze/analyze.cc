#include "analyze/analyze.h"

#include "analyze/deadlock.h"
#include "analyze/group.h"

namespace parkscope {

void Analyze(ProcessSnapshot& snapshot, const RuntimeFrameFilter& filter) {
  for (ThreadSnapshot& thread : snapshot.threads) {
    MarkRuntimeFrames(thread, filter);
    if (thread.created_by) MarkRuntimeFrames(thread.created_by->frames, filter);
  }
  snapshot.deadlocks = FindDeadlocks(snapshot);
  GroupAndSort(snapshot);
}

}  // namespace parkscope
