// Run with the agent preloaded and PARKSCOPE_AGENT_SLOTS=77. Its dependency
// early_thread_lib started a thread before the agent's constructor ran;
// the agent must have initialised on that pthread_create (reading the slot
// count from `environ`), recorded the thread's creation and recorded its
// wait. Exit 0 on success, 1 with a message otherwise.
#include <dlfcn.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>

#include "parkscope/registry_abi.h"

extern "C" {
extern pthread_t early_thread;
extern int early_pipe[2];
extern volatile pid_t early_thread_tid;
extern int early_constructor_status;
}

namespace {

int Fail(const char* message) {
  std::fprintf(stderr, "early_init: %s\n", message);
  return 1;
}

const parkscope_slot* SlotOf(const parkscope_registry_header* header,
                             pid_t tid) {
  auto* slots = reinterpret_cast<const parkscope_slot*>(header->slots_address);
  for (uint32_t i = 0; i < header->high_water; ++i) {
    if (slots[i].state != PARKSCOPE_SLOT_FREE && slots[i].tid == tid)
      return &slots[i];
  }
  return nullptr;
}

}  // namespace

int main() {
  if (early_constructor_status != 0)
    return Fail("the library constructor could not start its thread");
  auto* header = static_cast<const parkscope_registry_header*>(
      dlsym(RTLD_DEFAULT, PARKSCOPE_REGISTRY_SYMBOL));
  if (header == nullptr || header->magic != PARKSCOPE_REGISTRY_MAGIC)
    return Fail("no initialised registry (is the agent preloaded?)");
  if (header->slot_count != 77)
    return Fail("PARKSCOPE_AGENT_SLOTS=77 was not read before the constructor");
  while (early_thread_tid == 0) usleep(1000);
  const parkscope_slot* slot = nullptr;
  for (int i = 0; i < 5000; ++i) {
    slot = SlotOf(header, early_thread_tid);
    if (slot != nullptr && slot->state == PARKSCOPE_SLOT_PARKED &&
        slot->reason == PARKSCOPE_REASON_IO_WAIT) {
      break;
    }
    usleep(1000);
  }
  if (slot == nullptr) return Fail("the early thread has no slot");
  if (slot->reason != PARKSCOPE_REASON_IO_WAIT ||
      slot->object != static_cast<uint64_t>(early_pipe[0])) {
    return Fail("the early thread's read was not recorded");
  }
  if (slot->creator_tid != getpid() || slot->creation_depth == 0)
    return Fail("the early thread's creation was not recorded");
  if (write(early_pipe[1], "x", 1) != 1) return Fail("write failed");
  void* result = &early_thread;
  if (pthread_join(early_thread, &result) != 0 || result != nullptr)
    return Fail("the early thread did not finish cleanly");
  std::printf("agent initialised early; early thread recorded\n");
  return 0;
}
