#include "agent_init.h"

#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "clock_sigsafe.h"
#include "creation_stack.h"
#include "fork_handler.h"
#include "real_symbols.h"
#include "registry_sigsafe.h"
#include "thread_slot.h"

extern char** environ;

namespace parkscope::agent {
namespace {

enum InitState : uint32_t { kNotStarted = 0, kRunning, kDone };
uint32_t g_init_state;
__thread bool tls_initializing __attribute__((tls_model("initial-exec")));

constexpr char kSlotsVariable[] = "PARKSCOPE_AGENT_SLOTS=";

// PARKSCOPE_AGENT_SLOTS from `envp`, scanned by hand: getenv may race with a
// setenv on another thread, and before main the constructor's envp is the
// environment the process was started with. Anything that is not a plain
// decimal number keeps the default; values are clamped to [1, max].
uint32_t SlotCountFromEnvironment(char** envp) {
  if (envp == nullptr) return PARKSCOPE_DEFAULT_SLOT_COUNT;
  for (char** entry = envp; *entry != nullptr; ++entry) {
    const char* text = *entry;
    size_t i = 0;
    while (kSlotsVariable[i] != '\0' && text[i] == kSlotsVariable[i]) ++i;
    if (kSlotsVariable[i] != '\0') continue;
    text += i;
    if (*text == '\0') return PARKSCOPE_DEFAULT_SLOT_COUNT;
    uint64_t value = 0;
    for (; *text != '\0'; ++text) {
      if (*text < '0' || *text > '9') return PARKSCOPE_DEFAULT_SLOT_COUNT;
      value = value * 10 + static_cast<uint64_t>(*text - '0');
      if (value > PARKSCOPE_MAX_SLOT_COUNT) return PARKSCOPE_MAX_SLOT_COUNT;
    }
    return value == 0 ? PARKSCOPE_DEFAULT_SLOT_COUNT
                      : static_cast<uint32_t>(value);
  }
  return PARKSCOPE_DEFAULT_SLOT_COUNT;
}

void InitializeAgent(char** envp) {
  uint32_t expected = kNotStarted;
  if (!__atomic_compare_exchange_n(&g_init_state, &expected, kRunning, false,
                                   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
    if (tls_initializing) return;
    while (__atomic_load_n(&g_init_state, __ATOMIC_ACQUIRE) != kDone)
      sched_yield();
    return;
  }
  tls_initializing = true;
  ResolveAllRealSymbols();
  const uint64_t start_ns = NowNs(CLOCK_MONOTONIC);
  const uint32_t slot_count = SlotCountFromEnvironment(envp);
  // Private and anonymous: nothing on disk, nothing a crash leaves behind,
  // and a fork child gets its own copy. MAP_NORESERVE: 16384 slots are
  // 7.1 MiB of address space, but only pages of claimed slots are touched.
  void* slots = mmap(nullptr, size_t{slot_count} * sizeof(parkscope_slot),
                     PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (slots != MAP_FAILED) {
    const uint32_t flags =
        PrepareCreationStacks() ? PARKSCOPE_REGISTRY_FLAG_CREATION_STACKS : 0u;
    InstallThreadExitHook();
    InstallForkHandler();
    PublishRegistry(static_cast<parkscope_slot*>(slots), slot_count, start_ns,
                    flags);
    AttachSlotToCurrentThread(nullptr);
  }
  __atomic_store_n(&g_init_state, kDone, __ATOMIC_RELEASE);
  tls_initializing = false;
}

// glibc passes (argc, argv, envp) to ELF constructors.
__attribute__((constructor)) void AgentConstructor(int, char**, char** envp) {
  InitializeAgent(envp);
}

}  // namespace

void EnsureAgentInitialized() {
  if (PARKSCOPE_LIKELY(__atomic_load_n(&g_init_state, __ATOMIC_ACQUIRE) ==
                       kDone)) {
    return;
  }
  InitializeAgent(environ);
}

}  // namespace parkscope::agent
