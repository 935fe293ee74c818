// libstdc++ reaches the kernel's futex through syscall@plt, from two places:
// std::future's wait lives in libstdc++.so itself, counting_semaphore's is
// inlined into this binary from the headers (capture-facts §1). These tests
// prove both calls land in the agent's `syscall`, without ltrace: every
// recorded wait advances the waiting thread's seqlock count by exactly 4,
// and nothing else the waiting thread does is recorded.
#include <dlfcn.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <future>
#include <semaphore>
#include <thread>

#include "agent_test_support.h"

namespace parkscope::agent_test {
namespace {

using namespace std::chrono_literals;

class InterposePathTest : public AgentTest {};

constexpr int kRounds = 5;

// Runs `wait_once` kRounds times on a fresh thread while this thread makes
// each wait block (by delaying `release_once`), and returns how many waits
// the agent recorded on the waiting thread.
template <typename Wait, typename Release>
uint32_t RecordedWaits(Wait wait_once, Release release_once) {
  std::atomic<pid_t> tid{0};
  std::atomic<uint32_t> seq_at_start{0};
  std::atomic<int> finished{0};
  std::atomic<bool> go{false};
  std::thread waiter([&] {
    tid.store(gettid());
    while (!go.load()) std::this_thread::yield();
    for (int round = 0; round < kRounds; ++round) {
      wait_once(round);
      finished.store(round + 1);
    }
  });
  while (tid.load() == 0) std::this_thread::yield();
  seq_at_start.store(SeqOf(tid.load()));
  go.store(true);
  for (int round = 0; round < kRounds; ++round) {
    // Long enough that the waiter is asleep in the kernel, not spinning.
    std::this_thread::sleep_for(20ms);
    release_once(round);
    while (finished.load() <= round) std::this_thread::yield();
  }
  const uint32_t seq_at_end = SeqOf(tid.load());
  waiter.join();
  return (seq_at_end - seq_at_start.load()) / 4;
}

TEST_F(InterposePathTest, SyscallSymbolResolvesToTheAgent) {
  Dl_info info;
  void* syscall_address = dlsym(RTLD_DEFAULT, "syscall");
  ASSERT_NE(syscall_address, nullptr);
  ASSERT_NE(dladdr(syscall_address, &info), 0);
  EXPECT_NE(std::strstr(info.dli_fname, "libparkscope_agent"), nullptr)
      << info.dli_fname;
}

TEST_F(InterposePathTest, FutureGetWaitsThroughHookedSyscall) {
  std::promise<int> promises[kRounds];
  std::future<int> futures[kRounds];
  for (int i = 0; i < kRounds; ++i) futures[i] = promises[i].get_future();
  const uint32_t waits =
      RecordedWaits([&](int round) { EXPECT_EQ(futures[round].get(), round); },
                    [&](int round) { promises[round].set_value(round); });
  EXPECT_GE(waits, static_cast<uint32_t>(kRounds));
}

TEST_F(InterposePathTest, CountingSemaphoreWaitsThroughHookedSyscall) {
  std::counting_semaphore<kRounds> semaphore(0);
  const uint32_t waits = RecordedWaits([&](int) { semaphore.acquire(); },
                                       [&](int) { semaphore.release(); });
  EXPECT_GE(waits, static_cast<uint32_t>(kRounds));
}

TEST_F(InterposePathTest, UnblockedFutureGetRecordsNothing) {
  std::promise<int> promises[kRounds];
  std::future<int> futures[kRounds];
  for (int i = 0; i < kRounds; ++i) {
    futures[i] = promises[i].get_future();
    promises[i].set_value(i);
  }
  const uint32_t seq_before = SeqOf(CurrentTid());
  for (int i = 0; i < kRounds; ++i) EXPECT_EQ(futures[i].get(), i);
  EXPECT_EQ(SeqOf(CurrentTid()), seq_before);
}

}  // namespace
}  // namespace parkscope::agent_test
