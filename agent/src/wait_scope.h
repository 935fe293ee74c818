// WaitScope: the guard every blocking hook puts around the real call.
//
//   WaitScope parked(PARKSCOPE_REASON_MUTEX_LOCK, ObjectOf(mutex),
//                    WaitClock::kPrecise);
//   return real_pthread_mutex_lock(mutex);
//
// While it lives, the calling thread's slot says PARKED with that reason,
// object and start time; its destructor puts back what was there before.
// Recording is a few stores into the thread's own slot under its seqlock
// plus one clock_gettime: no allocation, no lock, no other system call, so
// it is async-signal-safe and hooks may run in signal handlers.
//
// Nesting, which happens when a signal handler blocks while its thread was
// already parked in a hook (or a hook's real function calls another hook):
//  - the inner scope saves the outer record, records its own wait, and
//    restores the outer record when it ends, so the slot always shows the
//    innermost real wait and the outer one comes back intact;
//  - if the signal interrupted the outer scope halfway through writing, the
//    inner scope records nothing (see SlotWriteInProgress);
//  - inside an annotated region (parkscope_wait_begin) scopes record nothing:
//    the annotation is the outer, more meaningful reason.
// errno is preserved: the scope neither changes the errno the caller had
// before the real call nor the one the real call left.
//
// Known limit: a signal handler that siglongjmps out of a hooked call skips
// the destructor; the slot then shows that wait until the thread's next
// recorded wait ends.
#pragma once

#include <errno.h>
#include <stdint.h>

#include "clock_sigsafe.h"
#include "export.h"
#include "registry_sigsafe.h"
#include "thread_slot.h"
#include "thread_state.h"

namespace parkscope::agent {

template <typename T>
inline uint64_t ObjectOf(T* pointer) {
  return reinterpret_cast<uintptr_t>(pointer);
}

inline uint64_t ObjectOf(long value) { return static_cast<uint64_t>(value); }

class WaitScope {
 public:
  // errno: recording is plain stores plus clock_gettime on a valid clock,
  // neither of which sets errno, so only the rare lazy claim (which calls
  // pthread_setspecific) is bracketed. Saving errno around every record
  // cost the always-recording I/O hooks a few nanoseconds per call.
  WaitScope(uint32_t reason, uint64_t object, WaitClock clock) noexcept {
    ThreadState& state = CurrentThreadState();
    const bool outermost = state.wait_depth++ == 0;
    if (state.annotation_depth != 0) return;
    parkscope_slot* slot = state.slot;
    if (PARKSCOPE_UNLIKELY(slot == nullptr)) {
      const int saved_errno = errno;
      slot = ClaimSlotLazily(state, outermost);
      errno = saved_errno;
    }
    if (slot == nullptr || SlotWriteInProgress(slot)) return;
    saved_ = LoadWaitRecord(slot);
    PublishWaitRecord(
        slot, WaitRecord{PARKSCOPE_SLOT_PARKED, reason, object, NowNs(clock)});
    slot_ = slot;
  }

  ~WaitScope() {
    if (slot_ != nullptr) PublishWaitRecord(slot_, saved_);
    --CurrentThreadState().wait_depth;
  }

  WaitScope(const WaitScope&) = delete;
  WaitScope& operator=(const WaitScope&) = delete;

 private:
  parkscope_slot* slot_ = nullptr;  // non-null: we wrote and must restore
  WaitRecord saved_;
};

}  // namespace parkscope::agent
