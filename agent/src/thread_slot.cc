#include "thread_slot.h"

#include <pthread.h>
#include <unistd.h>

#include "export.h"
#include "registry_sigsafe.h"

namespace parkscope::agent {

__thread ThreadState tls_thread_state
    __attribute__((tls_model("initial-exec")));

namespace {

pthread_key_t g_slot_key;
bool g_slot_key_valid;  // written once at initialisation, before any claim

// The key destructor. glibc clears the key's value before calling, so a
// wait recorded by a later destructor would find no slot; kReleased also
// stops it from claiming a new one that nobody would release.
void ReleaseSlotAtThreadExit(void* value) {
  ThreadState& state = CurrentThreadState();
  state.slot_status = SlotStatus::kReleased;
  parkscope_slot* slot = state.slot;
  if (slot == nullptr || slot != value) return;
  state.slot = nullptr;
  // A signal handler from here on sees no slot.
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
  ReleaseSlot(slot);
}

}  // namespace

int32_t CurrentTid() {
  ThreadState& state = CurrentThreadState();
  if (PARKSCOPE_UNLIKELY(state.tid == 0)) state.tid = gettid();
  return state.tid;
}

void InstallThreadExitHook() {
  g_slot_key_valid =
      pthread_key_create(&g_slot_key, ReleaseSlotAtThreadExit) == 0;
}

void AttachSlotToCurrentThread(const CreationInfo* info) {
  ThreadState& state = CurrentThreadState();
  if (state.slot != nullptr || !g_slot_key_valid) return;
  state.slot_status = SlotStatus::kClaiming;
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
  parkscope_slot* slot = ClaimSlot();
  if (slot == nullptr) {
    state.slot_status = SlotStatus::kNoSlot;
    return;
  }
  BeginSlotWrite(slot);
  __atomic_store_n(&slot->tid, CurrentTid(), __ATOMIC_RELAXED);
  StoreWaitRecord(slot, kRunningRecord);
  slot->pthread_self = static_cast<uint64_t>(pthread_self());
  if (info != nullptr) {
    slot->creator_tid = info->creator_tid;
    slot->creation_depth = info->creation_depth;
    slot->created_ns = info->created_ns;
    slot->start_routine = info->start_routine;
    for (uint32_t i = 0; i < PARKSCOPE_CREATION_MAX_PCS; ++i)
      slot->creation_pcs[i] = info->creation_pcs[i];
    CopyBoundedString(slot->test_name, sizeof(slot->test_name),
                      info->test_name);
  }
  EndSlotWrite(slot);
  // pthread_setspecific does not allocate for the first 32 keys; the agent's
  // key is normally one of them (it is created before main).
  pthread_setspecific(g_slot_key, slot);
  state.slot = slot;
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
  state.slot_status = SlotStatus::kClaimed;
}

parkscope_slot* ClaimSlotLazily(ThreadState& state, bool outermost) {
  if (state.slot_status != SlotStatus::kUnclaimed || !outermost ||
      !RegistryReady()) {
    return nullptr;
  }
  AttachSlotToCurrentThread(nullptr);
  return state.slot;
}

void ResetThreadSlotsAfterFork() {
  ThreadState& state = CurrentThreadState();
  state.tid = gettid();
  ResetSlotsAfterFork(state.slot, state.tid);
  // A thread that found the parent's registry full may claim in the child.
  if (state.slot_status == SlotStatus::kNoSlot)
    state.slot_status = SlotStatus::kUnclaimed;
}

}  // namespace parkscope::agent
