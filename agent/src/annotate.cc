// parkscope_wait_begin / parkscope_wait_end: user annotations.
//
// A region writes reason ANNOTATED, the text, the object, the start time and
// the call site into the thread's slot, after saving what was there; its
// end restores the saved record. Hooks record nothing while a region is open
// (WaitScope checks annotation_depth), so a condition variable wait inside
// "chan send" does not hide it.
#include <errno.h>

#include "clock_sigsafe.h"
#include "export.h"
#include "registry_sigsafe.h"
#include "thread_slot.h"
#include "thread_state.h"

#define PARKSCOPE_ANNOTATE_LINKAGE PARKSCOPE_EXPORT
#define PARKSCOPE_ANNOTATE_DECLARATIONS_ONLY
#include "parkscope/annotate.h"

namespace parkscope::agent {
namespace {

void CopyField(char* to, const char* from, size_t size) {
  for (size_t i = 0; i < size; ++i) to[i] = from[i];
}

void BeginRegion(const char* reason, const void* object, uint64_t site) {
  ThreadState& state = CurrentThreadState();
  const uint32_t level = state.annotation_depth++;
  if (level >= kMaxAnnotationDepth) return;
  SavedAnnotation& saved = state.saved_annotations[level];
  saved.written = false;
  parkscope_slot* slot = state.slot;
  if (slot == nullptr)
    slot = ClaimSlotLazily(state, level == 0 && state.wait_depth == 0);
  // Same rule as WaitScope: never write over our own interrupted write.
  if (slot == nullptr || SlotWriteInProgress(slot)) return;
  saved.record = LoadWaitRecord(slot);
  saved.annotation_site = slot->annotation_site;
  CopyField(saved.annotation, slot->annotation, sizeof(saved.annotation));
  const uint64_t now = NowNs(WaitClock::kPrecise);
  BeginSlotWrite(slot);
  StoreWaitRecord(slot,
                  WaitRecord{PARKSCOPE_SLOT_PARKED, PARKSCOPE_REASON_ANNOTATED,
                             reinterpret_cast<uintptr_t>(object), now});
  CopyBoundedString(slot->annotation, sizeof(slot->annotation), reason);
  slot->annotation_site = site;
  EndSlotWrite(slot);
  saved.written = true;
}

void EndRegion() {
  ThreadState& state = CurrentThreadState();
  if (state.annotation_depth == 0) return;  // unbalanced end: ignored
  const uint32_t level = --state.annotation_depth;
  if (level >= kMaxAnnotationDepth) return;
  SavedAnnotation& saved = state.saved_annotations[level];
  parkscope_slot* slot = state.slot;
  if (!saved.written || slot == nullptr || SlotWriteInProgress(slot)) return;
  saved.written = false;
  BeginSlotWrite(slot);
  StoreWaitRecord(slot, saved.record);
  CopyField(slot->annotation, saved.annotation, sizeof(slot->annotation));
  slot->annotation_site = saved.annotation_site;
  EndSlotWrite(slot);
}

}  // namespace
}  // namespace parkscope::agent

extern "C" void parkscope_wait_begin(const char* reason, const void* object) {
  const uint64_t site =
      reinterpret_cast<uintptr_t>(__builtin_return_address(0));
  const int saved_errno = errno;
  parkscope::agent::BeginRegion(reason, object, site);
  errno = saved_errno;
}

extern "C" void parkscope_wait_end(void) {
  const int saved_errno = errno;
  parkscope::agent::EndRegion();
  errno = saved_errno;
}
