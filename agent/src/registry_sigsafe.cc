#include "registry_sigsafe.h"

#include <stddef.h>

#include "export.h"

// The exported header. Zero (magic 0) until PublishRegistry: a reader that
// finds the symbol before the agent initialised sees an invalid header, not
// a half-written one.
extern "C" PARKSCOPE_EXPORT parkscope_registry_header parkscope_registry;
parkscope_registry_header parkscope_registry;

namespace parkscope::agent {
namespace {

parkscope_slot* g_slots;  // published with release once the header is set
uint32_t g_slot_count;
uint32_t g_free_hint;  // no free slot below this index (a hint, not a rule)

void RaiseHighWater(uint32_t used) {
  uint32_t current =
      __atomic_load_n(&parkscope_registry.high_water, __ATOMIC_RELAXED);
  while (current < used && !__atomic_compare_exchange_n(
                               &parkscope_registry.high_water, &current, used,
                               true, __ATOMIC_RELEASE, __ATOMIC_RELAXED)) {
  }
}

void LowerFreeHint(uint32_t index) {
  uint32_t current = __atomic_load_n(&g_free_hint, __ATOMIC_RELAXED);
  while (index < current &&
         !__atomic_compare_exchange_n(&g_free_hint, &current, index, true,
                                      __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
  }
}

// Zeroes everything after `state` and the tid; seq and state are the
// caller's business.
void ClearSlotFields(parkscope_slot* slot) {
  __atomic_store_n(&slot->tid, 0, __ATOMIC_RELAXED);
  constexpr size_t kFirst = offsetof(parkscope_slot, reason);
  memset(reinterpret_cast<char*>(slot) + kFirst, 0,
         sizeof(parkscope_slot) - kFirst);
}

}  // namespace

void PublishRegistry(parkscope_slot* slots, uint32_t slot_count,
                     uint64_t agent_start_ns, uint32_t flags) {
  parkscope_registry.version = PARKSCOPE_REGISTRY_VERSION;
  parkscope_registry.header_size = sizeof(parkscope_registry_header);
  parkscope_registry.slot_size = sizeof(parkscope_slot);
  parkscope_registry.slot_count = slot_count;
  parkscope_registry.slots_address = reinterpret_cast<uintptr_t>(slots);
  parkscope_registry.agent_start_ns = agent_start_ns;
  __atomic_store_n(&parkscope_registry.flags,
                   flags | PARKSCOPE_REGISTRY_FLAG_READY, __ATOMIC_RELAXED);
  g_slot_count = slot_count;
  __atomic_store_n(&g_slots, slots, __ATOMIC_RELEASE);
  __atomic_store_n(&parkscope_registry.magic, PARKSCOPE_REGISTRY_MAGIC,
                   __ATOMIC_RELEASE);
}

bool RegistryReady() {
  return __atomic_load_n(&g_slots, __ATOMIC_ACQUIRE) != nullptr;
}

parkscope_slot* ClaimSlot() {
  parkscope_slot* const slots = __atomic_load_n(&g_slots, __ATOMIC_ACQUIRE);
  if (slots == nullptr) return nullptr;
  const uint32_t count = g_slot_count;
  uint32_t start = __atomic_load_n(&g_free_hint, __ATOMIC_RELAXED);
  if (start >= count) start = 0;
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t index = start + i;
    if (index >= count) index -= count;
    parkscope_slot* slot = &slots[index];
    uint32_t expected = PARKSCOPE_SLOT_FREE;
    if (__atomic_load_n(&slot->state, __ATOMIC_RELAXED) != expected) continue;
    // Acquire pairs with ReleaseSlot's release store: the previous owner's
    // clearing is complete before we write.
    if (!__atomic_compare_exchange_n(&slot->state, &expected,
                                     PARKSCOPE_SLOT_RUNNING, false,
                                     __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
      continue;
    }
    RaiseHighWater(index + 1);
    __atomic_store_n(&g_free_hint, index + 1, __ATOMIC_RELAXED);
    return slot;
  }
  __atomic_fetch_add(&parkscope_registry.slots_exhausted, 1, __ATOMIC_RELAXED);
  return nullptr;
}

void ReleaseSlot(parkscope_slot* slot) {
  BeginSlotWrite(slot);
  ClearSlotFields(slot);
  EndSlotWrite(slot);
  // Last, and only after seq is even again: the next owner's BeginSlotWrite
  // must start from an even seq.
  __atomic_store_n(&slot->state, PARKSCOPE_SLOT_FREE, __ATOMIC_RELEASE);
  parkscope_slot* const slots = __atomic_load_n(&g_slots, __ATOMIC_RELAXED);
  LowerFreeHint(static_cast<uint32_t>(slot - slots));
}

void ResetSlotsAfterFork(parkscope_slot* keep, int32_t new_tid) {
  parkscope_slot* const slots = __atomic_load_n(&g_slots, __ATOMIC_ACQUIRE);
  if (slots == nullptr) return;
  const uint32_t used =
      __atomic_load_n(&parkscope_registry.high_water, __ATOMIC_RELAXED);
  for (uint32_t index = 0; index < used && index < g_slot_count; ++index) {
    parkscope_slot* slot = &slots[index];
    if (slot == keep) continue;
    // A parent thread may have been between Begin and End when fork() copied
    // the memory; that write will never finish here. Even the count first.
    if (SlotWriteInProgress(slot)) EndSlotWrite(slot);
    if (__atomic_load_n(&slot->state, __ATOMIC_RELAXED) == PARKSCOPE_SLOT_FREE)
      continue;
    ReleaseSlot(slot);
  }
  __atomic_store_n(&g_free_hint, 0, __ATOMIC_RELAXED);
  __atomic_fetch_or(&parkscope_registry.flags,
                    PARKSCOPE_REGISTRY_FLAG_FORK_CHILD, __ATOMIC_RELAXED);
  if (keep == nullptr) return;
  if (SlotWriteInProgress(keep)) {
    // fork() ran in a signal handler that interrupted our own write; the
    // interrupted write ends the section when the handler returns.
    __atomic_store_n(&keep->tid, new_tid, __ATOMIC_RELAXED);
    return;
  }
  BeginSlotWrite(keep);
  __atomic_store_n(&keep->tid, new_tid, __ATOMIC_RELAXED);
  EndSlotWrite(keep);
}

}  // namespace parkscope::agent
