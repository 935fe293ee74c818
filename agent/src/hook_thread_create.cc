// pthread_create: records who created each thread, when and from where.
//
// The hook captures the creation information in the creating thread, then
// starts the new thread in ThreadStartTrampoline, which copies it into the
// new thread's slot before calling the user's start routine. The slot is
// released by the pthread key destructor (thread_slot.cc), which runs
// whether the routine returns or calls pthread_exit.
//
// The handoff between the two threads comes from a fixed pool, so creating a
// thread normally allocates nothing beyond what glibc allocates itself. When
// more than kHandoffPoolSize threads are created and not yet started, the
// overflow handoffs come from malloc: acceptable here and only here, because
// pthread_create is not async-signal-safe and mallocs itself (stack, TLS).
//
// The new thread's stacks show ThreadStartTrampoline between start_thread
// and the user's routine.
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "agent_init.h"
#include "clock_sigsafe.h"
#include "creation_handoff.h"
#include "creation_stack.h"
#include "export.h"
#include "real_symbols.h"
#include "registry_sigsafe.h"
#include "test_name.h"
#include "thread_slot.h"

namespace parkscope::agent {
namespace {

using StartRoutine = void* (*)(void*);

struct CreationHandoff {
  StartRoutine start_routine;
  void* arg;
  uint32_t pool_index;  // kNotPooled: from malloc
  CreationInfo info;
};

// Threads created but not yet started, in the common case. A burst beyond
// this falls back to malloc.
constexpr uint32_t kHandoffPoolSize = 64;
constexpr uint32_t kNotPooled = UINT32_MAX;

CreationHandoff g_handoffs[kHandoffPoolSize];
uint32_t g_handoff_busy[kHandoffPoolSize];

CreationHandoff* AllocateHandoff() {
  for (uint32_t i = 0; i < kHandoffPoolSize; ++i) {
    uint32_t expected = 0;
    if (__atomic_load_n(&g_handoff_busy[i], __ATOMIC_RELAXED) == 0 &&
        __atomic_compare_exchange_n(&g_handoff_busy[i], &expected, 1, false,
                                    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
      g_handoffs[i].pool_index = i;
      return &g_handoffs[i];
    }
  }
  auto* handoff =
      static_cast<CreationHandoff*>(malloc(sizeof(CreationHandoff)));
  if (handoff != nullptr) handoff->pool_index = kNotPooled;
  return handoff;
}

void FreeHandoff(CreationHandoff* handoff) {
  if (handoff->pool_index == kNotPooled) {
    free(handoff);
    return;
  }
  __atomic_store_n(&g_handoff_busy[handoff->pool_index], 0, __ATOMIC_RELEASE);
}

void* ThreadStartTrampoline(void* raw_handoff) {
  auto* handoff = static_cast<CreationHandoff*>(raw_handoff);
  const StartRoutine start_routine = handoff->start_routine;
  void* const arg = handoff->arg;
  AttachSlotToCurrentThread(&handoff->info);
  FreeHandoff(handoff);
  return start_routine(arg);
}

void FillCreationInfo(StartRoutine start_routine, CreationInfo& info) {
  info.creator_tid = CurrentTid();
  info.created_ns = NowNs(CLOCK_MONOTONIC);
  info.start_routine = reinterpret_cast<uintptr_t>(start_routine);
  info.creation_depth =
      CaptureCreationStack(info.creation_pcs, PARKSCOPE_CREATION_MAX_PCS);
  CopyCurrentTestName(info.test_name);
}

}  // namespace

void ResetCreationHandoffsAfterFork() {
  for (uint32_t i = 0; i < kHandoffPoolSize; ++i)
    __atomic_store_n(&g_handoff_busy[i], 0, __ATOMIC_RELAXED);
}

}  // namespace parkscope::agent

using parkscope::agent::CreationHandoff;

extern "C" PARKSCOPE_EXPORT int pthread_create(pthread_t* thread,
                                               const pthread_attr_t* attr,
                                               void* (*start_routine)(void*),
                                               void* arg) noexcept {
  PARKSCOPE_REAL_OR_CODE(pthread_create);
  const int saved_errno = errno;
  parkscope::agent::EnsureAgentInitialized();
  CreationHandoff* handoff = parkscope::agent::RegistryReady()
                                 ? parkscope::agent::AllocateHandoff()
                                 : nullptr;
  if (handoff == nullptr) {
    errno = saved_errno;
    return real_pthread_create(thread, attr, start_routine, arg);
  }
  handoff->start_routine = start_routine;
  handoff->arg = arg;
  parkscope::agent::FillCreationInfo(start_routine, handoff->info);
  errno = saved_errno;
  const int result = real_pthread_create(
      thread, attr, parkscope::agent::ThreadStartTrampoline, handoff);
  if (result != 0) parkscope::agent::FreeHandoff(handoff);
  return result;
}
