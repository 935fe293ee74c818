// The registry: the exported header plus an mmap'd array of slots, one per
// thread. Everything here is async-signal-safe and allocation-free: slot
// claim and release are lock-free, and a slot is written only by the thread
// that owns it, under the slot's seqlock (see registry_abi.h for the
// reader's side).
#pragma once

#include <stdint.h>
#include <string.h>

#include "parkscope/registry_abi.h"
#include "thread_state.h"

namespace parkscope::agent {

// Makes `slots` (zero-filled, `slot_count` entries) the registry and
// publishes the header; `magic` is stored last. Called once.
void PublishRegistry(parkscope_slot* slots, uint32_t slot_count,
                     uint64_t agent_start_ns, uint32_t flags);

// True once PublishRegistry ran.
bool RegistryReady();

// Claims a free slot (state FREE -> RUNNING) scanning from a hint that
// prefers low indexes, so high_water stays close to the live thread count.
// Returns nullptr and counts `slots_exhausted` when every slot is taken. The
// caller fills the slot with BeginSlotWrite/EndSlotWrite.
parkscope_slot* ClaimSlot();

// Clears every field and frees the slot. Only its owner may call this.
void ReleaseSlot(parkscope_slot* slot);

// In a fork child (single-threaded): frees every slot except `keep`, whose
// owner is the forking thread, now with tid `new_tid`.
void ResetSlotsAfterFork(parkscope_slot* keep, int32_t new_tid);

// Seqlock writer side. The fences make every store between Begin and End
// invisible to a reader that sees an even, unchanged `seq` around its copy.
inline void BeginSlotWrite(parkscope_slot* slot) {
  const uint32_t seq = __atomic_load_n(&slot->seq, __ATOMIC_RELAXED);
  __atomic_store_n(&slot->seq, seq + 1, __ATOMIC_RELAXED);
  __atomic_thread_fence(__ATOMIC_RELEASE);
}

inline void EndSlotWrite(parkscope_slot* slot) {
  const uint32_t seq = __atomic_load_n(&slot->seq, __ATOMIC_RELAXED);
  __atomic_store_n(&slot->seq, seq + 1, __ATOMIC_RELEASE);
}

// True while the owner is between Begin and End: a signal handler that
// interrupted its own thread's write finds the slot in this state and must
// not write (its Begin/End would make the torn record look consistent).
inline bool SlotWriteInProgress(const parkscope_slot* slot) {
  return (__atomic_load_n(&slot->seq, __ATOMIC_RELAXED) & 1u) != 0;
}

// The owner's view of its own wait record (no seqlock needed to read).
inline WaitRecord LoadWaitRecord(const parkscope_slot* slot) {
  return WaitRecord{__atomic_load_n(&slot->state, __ATOMIC_RELAXED),
                    __atomic_load_n(&slot->reason, __ATOMIC_RELAXED),
                    __atomic_load_n(&slot->object, __ATOMIC_RELAXED),
                    __atomic_load_n(&slot->since_ns, __ATOMIC_RELAXED)};
}

// Stores between BeginSlotWrite and EndSlotWrite.
inline void StoreWaitRecord(parkscope_slot* slot, const WaitRecord& record) {
  __atomic_store_n(&slot->state, record.state, __ATOMIC_RELAXED);
  __atomic_store_n(&slot->reason, record.reason, __ATOMIC_RELAXED);
  __atomic_store_n(&slot->object, record.object, __ATOMIC_RELAXED);
  __atomic_store_n(&slot->since_ns, record.since_ns, __ATOMIC_RELAXED);
}

inline void PublishWaitRecord(parkscope_slot* slot, const WaitRecord& record) {
  BeginSlotWrite(slot);
  StoreWaitRecord(slot, record);
  EndSlotWrite(slot);
}

inline constexpr WaitRecord kRunningRecord = {PARKSCOPE_SLOT_RUNNING,
                                              PARKSCOPE_REASON_NONE, 0, 0};

// Copies a NUL-terminated string into a fixed field, truncating, always
// terminating and zero-filling the rest (so stale text never shows through).
inline void CopyBoundedString(char* field, size_t field_size,
                              const char* text) {
  size_t i = 0;
  if (text != nullptr) {
    for (; i + 1 < field_size && text[i] != '\0'; ++i) field[i] = text[i];
  }
  memset(field + i, 0, field_size - i);
}

}  // namespace parkscope::agent
