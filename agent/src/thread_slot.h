// Binding registry slots to threads: claim at thread start (or lazily, at
// the first recorded wait of a thread the agent did not create), fill in
// creation information, release at thread exit.
#pragma once

#include <stdint.h>

#include "parkscope/registry_abi.h"
#include "thread_state.h"

namespace parkscope::agent {

// What pthread_create hands to the new thread's slot.
struct CreationInfo {
  int32_t creator_tid;
  uint32_t creation_depth;
  uint64_t created_ns;
  uint64_t start_routine;
  uint64_t creation_pcs[PARKSCOPE_CREATION_MAX_PCS];
  char test_name[PARKSCOPE_TEST_NAME_MAX];
};

// Creates the pthread key whose destructor releases a thread's slot. A key
// destructor runs both when the start routine returns and on pthread_exit
// (and on cancellation), after C++ thread_local destructors. Without the
// key, threads would leak slots, so no thread claims one. Called once, by
// the agent's initialisation.
void InstallThreadExitHook();

// Claims and fills a slot for the calling thread, unless it has one. `info`
// is null for threads the agent did not create. Not async-signal-safe
// (pthread_setspecific); called at thread start, initialisation and from
// ClaimSlotLazily's outermost case only.
void AttachSlotToCurrentThread(const CreationInfo* info);

// For a thread without a slot: claims one if it never tried and `outermost`
// (not inside another hook or annotation, so not in a signal handler that
// interrupted one). Returns the slot or nullptr.
parkscope_slot* ClaimSlotLazily(ThreadState& state, bool outermost);

// In a fork child: the forking thread keeps its slot under its new tid;
// every other slot is freed.
void ResetThreadSlotsAfterFork();

}  // namespace parkscope::agent
