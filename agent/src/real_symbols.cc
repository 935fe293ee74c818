#include "real_symbols.h"

#include <dlfcn.h>

#include "fortify_decls.h"
#include "thread_state.h"

namespace parkscope::agent {

void* g_real_symbols[static_cast<uint32_t>(RealSymbol::kCount)];

namespace {

constexpr const char* kRealSymbolNames[] = {
#define PARKSCOPE_REAL_SYMBOL_NAME(name) #name,
    PARKSCOPE_REAL_SYMBOLS(PARKSCOPE_REAL_SYMBOL_NAME)
#undef PARKSCOPE_REAL_SYMBOL_NAME
};
static_assert(sizeof(kRealSymbolNames) / sizeof(kRealSymbolNames[0]) ==
              static_cast<uint32_t>(RealSymbol::kCount));

void ResolveOne(uint32_t index) {
  if (__atomic_load_n(&g_real_symbols[index], __ATOMIC_ACQUIRE) != nullptr)
    return;
  void* address = dlsym(RTLD_NEXT, kRealSymbolNames[index]);
  if (address == nullptr) {
    // Consume the pending error so the program's next dlerror() does not
    // report our lookup.
    dlerror();
    address = reinterpret_cast<void*>(kMissingSymbol);
  }
  // Racing threads store the same value.
  __atomic_store_n(&g_real_symbols[index], address, __ATOMIC_RELEASE);
}

// Resolves `first`, then the rest of the table in list order. The order
// matters only for the recursion case below: the mutex functions and
// `syscall`, which allocators lock with, come first.
void ResolveTable(uint32_t first) {
  ThreadState& state = CurrentThreadState();
  state.resolving_real_symbols = 1;
  const int saved_errno = errno;
  ResolveOne(first);
  for (uint32_t i = 0; i < static_cast<uint32_t>(RealSymbol::kCount); ++i)
    ResolveOne(i);
  errno = saved_errno;
  state.resolving_real_symbols = 0;
}

}  // namespace

// Recursion: a hook that runs while this thread is inside dlsym (dlsym ->
// malloc -> a replacement allocator -> pthread_mutex_lock -> hook) must not
// call dlsym again. glibc >= 2.34 allocates in dlsym only to report a
// failed lookup, and the table resolves the functions allocators use first,
// so in practice the nested hook finds its entry already resolved. If it
// does not, it gets nullptr and reports ENOSYS rather than recursing until
// the stack overflows. Rejected: falling back to glibc's __pthread_* compat
// aliases (they exist only in some glibc versions, and versioned references
// would make the agent fail to load elsewhere).
void* ResolveRealSymbol(RealSymbol symbol) {
  const uint32_t index = static_cast<uint32_t>(symbol);
  void* address = __atomic_load_n(&g_real_symbols[index], __ATOMIC_ACQUIRE);
  if (address == nullptr && !CurrentThreadState().resolving_real_symbols) {
    ResolveTable(index);
    address = __atomic_load_n(&g_real_symbols[index], __ATOMIC_ACQUIRE);
  }
  if (reinterpret_cast<uintptr_t>(address) <= kMissingSymbol) return nullptr;
  return address;
}

void ResolveAllRealSymbols() {
  if (CurrentThreadState().resolving_real_symbols) return;
  ResolveTable(0);
}

}  // namespace parkscope::agent
