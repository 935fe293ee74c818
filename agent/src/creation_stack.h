// Capturing the call stack of pthread_create's caller, for the new thread's
// creation_pcs. One implementation file per unwinder.
//
// creation_stack_glibc.cc uses glibc's backtrace() (libgcc's unwinder, the
// one the process already uses for C++ exceptions). libunwind's local
// unw_backtrace was measured as fast (about 110-160 ns for 12 frames, same
// as backtrace()), but was rejected: Debian's libunwind.so.8 exports
// _Unwind_RaiseException and friends and a weak `backtrace`, so linking it
// into a preloaded agent puts a second C++ unwinder into the global symbol
// scope ahead of libgcc_s for every program that does not link libgcc_s
// directly (a C program using a C++ library then throws through libunwind),
// and its static archive is not PIC, so it cannot be hidden inside the .so.
#pragma once

#include <stdint.h>

namespace parkscope::agent {

// Loads what the unwinder needs (backtrace() dlopens libgcc_s on first use,
// which must not happen later inside a thread with a lock held) and finds
// the agent's own code, whose frames are dropped. Returns false if stacks
// will be empty. Called once, at initialisation.
bool PrepareCreationStacks();

// Fills `pcs` with up to `max_pcs` return addresses, innermost first,
// starting at the first frame outside the agent (normally the code that
// called pthread_create). Returns how many. Not async-signal-safe; may
// take the loader's lock.
uint32_t CaptureCreationStack(uint64_t* pcs, uint32_t max_pcs);

}  // namespace parkscope::agent
