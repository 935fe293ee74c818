// Handing creation information from pthread_create to the new thread.
#pragma once

namespace parkscope::agent {

// In a fork child: marks every handoff free (their threads are gone).
void ResetCreationHandoffsAfterFork();

}  // namespace parkscope::agent
