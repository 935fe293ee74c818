// creation_stack.h with glibc's backtrace(). See creation_stack.h for why
// not libunwind.
#include <execinfo.h>
#include <link.h>
#include <stdint.h>

#include "creation_stack.h"

namespace parkscope::agent {
namespace {

// The agent's executable segment, [begin, end).
uintptr_t g_agent_text_begin;
uintptr_t g_agent_text_end;

// Frames above pthread_create's caller: CaptureCreationStack and the hook,
// at most a few more if the compiler declines to inline.
constexpr int kMaxAgentFrames = 8;

int FindAgentText(dl_phdr_info* info, size_t, void*) {
  const uintptr_t probe = reinterpret_cast<uintptr_t>(&FindAgentText);
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& header = info->dlpi_phdr[i];
    if (header.p_type != PT_LOAD || (header.p_flags & PF_X) == 0) continue;
    const uintptr_t begin = info->dlpi_addr + header.p_vaddr;
    const uintptr_t end = begin + header.p_memsz;
    if (probe >= begin && probe < end) {
      g_agent_text_begin = begin;
      g_agent_text_end = end;
      return 1;
    }
  }
  return 0;
}

bool InAgent(uintptr_t pc) {
  return pc >= g_agent_text_begin && pc < g_agent_text_end;
}

}  // namespace

bool PrepareCreationStacks() {
  dl_iterate_phdr(FindAgentText, nullptr);
  void* warm_up[2];
  return backtrace(warm_up, 2) > 0;
}

uint32_t CaptureCreationStack(uint64_t* pcs, uint32_t max_pcs) {
  constexpr int kCapacity = 32 + kMaxAgentFrames;
  void* raw[kCapacity];
  const int captured = backtrace(raw, kCapacity);
  int first = 0;
  while (first < captured && first < kMaxAgentFrames &&
         InAgent(reinterpret_cast<uintptr_t>(raw[first]))) {
    ++first;
  }
  uint32_t count = 0;
  for (int i = first; i < captured && count < max_pcs; ++i)
    pcs[count++] = reinterpret_cast<uintptr_t>(raw[i]);
  for (uint32_t i = count; i < max_pcs; ++i) pcs[i] = 0;
  return count;
}

}  // namespace parkscope::agent
