// The registry as the collector sees it: header fields, the exported symbol
// and the slot-count limit.
#include <dlfcn.h>
#include <link.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include "agent_test_support.h"

namespace parkscope::agent_test {
namespace {

class RegistryHeaderTest : public AgentTest {};

TEST_F(RegistryHeaderTest, HeaderDescribesTheSlots) {
  const parkscope_registry_header* header = Registry();
  ASSERT_NE(header, nullptr);
  EXPECT_EQ(header->magic, PARKSCOPE_REGISTRY_MAGIC);
  EXPECT_EQ(header->version, PARKSCOPE_REGISTRY_VERSION);
  EXPECT_EQ(header->header_size, sizeof(parkscope_registry_header));
  EXPECT_EQ(header->slot_size, sizeof(parkscope_slot));
  EXPECT_NE(header->flags & PARKSCOPE_REGISTRY_FLAG_READY, 0u);
  EXPECT_NE(header->flags & PARKSCOPE_REGISTRY_FLAG_CREATION_STACKS, 0u);
  EXPECT_EQ(header->flags & PARKSCOPE_REGISTRY_FLAG_FORK_CHILD, 0u);
  EXPECT_GT(header->agent_start_ns, 0u);
  EXPECT_LE(header->agent_start_ns, MonotonicNs());
  EXPECT_GE(header->high_water, 1u);
  EXPECT_LE(header->high_water, header->slot_count);
  const char* configured = std::getenv("PARKSCOPE_AGENT_SLOTS");
  EXPECT_EQ(header->slot_count,
            configured ? static_cast<uint32_t>(std::atoi(configured))
                       : PARKSCOPE_DEFAULT_SLOT_COUNT);
  for (uint64_t word : header->reserved) EXPECT_EQ(word, 0u);
}

TEST_F(RegistryHeaderTest, SymbolIsAnObjectInTheAgentsDynsym) {
  void* symbol = dlsym(RTLD_DEFAULT, PARKSCOPE_REGISTRY_SYMBOL);
  Dl_info info;
  void* elf_symbol_raw = nullptr;
  ASSERT_NE(dladdr1(symbol, &info, &elf_symbol_raw, RTLD_DL_SYMENT), 0);
  EXPECT_NE(std::strstr(info.dli_fname, "libparkscope_agent.so"), nullptr);
  const auto* elf_symbol = static_cast<const ElfW(Sym)*>(elf_symbol_raw);
  ASSERT_NE(elf_symbol, nullptr);
  EXPECT_EQ(ELF64_ST_TYPE(elf_symbol->st_info), STT_OBJECT);
  EXPECT_EQ(elf_symbol->st_size, sizeof(parkscope_registry_header));
}

TEST_F(RegistryHeaderTest, ReasonNamesMatchTheCollectorsWords) {
  EXPECT_STREQ(parkscope_reason_name(PARKSCOPE_REASON_MUTEX_LOCK),
               "mutex lock");
  EXPECT_STREQ(parkscope_reason_name(PARKSCOPE_REASON_FUTEX_WAIT),
               "futex wait");
  EXPECT_STREQ(parkscope_reason_name(PARKSCOPE_REASON_SIGNAL_WAIT),
               "signal wait");
  EXPECT_STREQ(parkscope_reason_name(PARKSCOPE_REASON_QUEUE_SEND),
               "queue send");
  EXPECT_EQ(parkscope_reason_name(PARKSCOPE_REASON_COUNT), nullptr);
  EXPECT_EQ(PARKSCOPE_REASON_ANNOTATED, 17);
}

// Meaningful with a small PARKSCOPE_AGENT_SLOTS (ctest runs it with 4):
// threads beyond the limit get no slot, are counted, and work normally.
TEST_F(RegistryHeaderTest, ThreadsBeyondTheSlotLimitRunWithoutSlots) {
  const parkscope_registry_header* header = Registry();
  if (header->slot_count > 64) {
    GTEST_SKIP() << "needs PARKSCOPE_AGENT_SLOTS <= 64 (ctest sets 4)";
  }
  const uint32_t exhausted_before = header->slots_exhausted;
  constexpr int kThreads = 12;
  std::mutex mutex;
  std::atomic<int> locked{0};
  std::atomic<bool> release{false};
  std::vector<std::thread> threads;
  {
    std::lock_guard hold(mutex);
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&] {
        std::lock_guard inner(mutex);
        ++locked;
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_LE(CountLiveSlots(), static_cast<int>(header->slot_count));
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(locked.load(), kThreads);
  EXPECT_GE(header->slots_exhausted,
            exhausted_before + kThreads + 1 - header->slot_count);
  EXPECT_LE(header->high_water, header->slot_count);
  // Slots freed by the exits are claimable again.
  std::atomic<pid_t> tid{0};
  std::thread late([&] {
    tid.store(gettid());
    while (!release.load()) std::this_thread::yield();
  });
  while (tid.load() == 0) std::this_thread::yield();
  EXPECT_TRUE(FindSlot(tid.load()).has_value());
  release.store(true);
  late.join();
}

}  // namespace
}  // namespace parkscope::agent_test
