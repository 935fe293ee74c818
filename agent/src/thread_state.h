// The agent's per-thread state.
//
// One plain struct in initial-exec TLS. initial-exec because the agent is
// LD_PRELOADed, so its TLS block is static and every access is one
// %fs-relative load: no __tls_get_addr, which may allocate on first use and
// is therefore neither fast nor async-signal-safe. (dlopen-ing the agent
// instead of preloading it can fail with "cannot allocate memory in static
// TLS block" on processes with little static TLS surplus; preloading is the
// supported way.) `__thread` rather than `thread_local`: the struct is
// zero-initialised, and `__thread` guarantees no TLS init wrapper calls.
#pragma once

#include <stdint.h>

#include "parkscope/registry_abi.h"

namespace parkscope::agent {

// The wait record a scope saves and restores: the part of a slot that
// changes while the thread runs.
struct WaitRecord {
  uint32_t state;
  uint32_t reason;
  uint64_t object;
  uint64_t since_ns;
};

// What an annotation region saved when it began, to restore at its end.
struct SavedAnnotation {
  WaitRecord record;
  uint64_t annotation_site;
  char annotation[PARKSCOPE_ANNOTATION_MAX];
  bool written;  // false: the region recorded nothing (see annotate.cc)
};

enum class SlotStatus : uint8_t {
  kUnclaimed = 0,  // zero-initialised: no claim attempted yet
  kClaiming,       // a claim is being filled in (a signal handler that
                   // interrupts it must not claim a second slot)
  kClaimed,        // `slot` is ours
  kNoSlot,         // the registry was full; do not rescan on every wait
  kReleased,       // thread exit released the slot; never reclaim
};

// Annotation levels that are recorded; deeper ones are only counted.
inline constexpr uint32_t kMaxAnnotationDepth = 4;

struct ThreadState {
  parkscope_slot* slot;
  int32_t tid;  // cached gettid(); 0 until first needed; fixed up after fork
  SlotStatus slot_status;
  uint8_t resolving_real_symbols;  // see real_symbols.cc
  uint32_t wait_depth;             // active WaitScopes, skipped ones included
  uint32_t annotation_depth;       // open annotation regions
  SavedAnnotation saved_annotations[kMaxAnnotationDepth];
};

extern __thread ThreadState tls_thread_state
    __attribute__((tls_model("initial-exec")));

inline ThreadState& CurrentThreadState() { return tls_thread_state; }

// gettid(), cached per thread. Async-signal-safe.
int32_t CurrentTid();

}  // namespace parkscope::agent
