// Slots follow threads: claimed at start with creation information (creator,
// time, call stack, start routine, test name), released at exit however the
// thread ends, and reused.
#include <dlfcn.h>
#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agent_test_support.h"
#include "parkscope/annotate.h"

namespace parkscope::agent_test {

struct Spawned {
  std::thread thread;
  std::atomic<pid_t> tid{0};
  std::atomic<bool> release{false};
};

// The creation site the test looks for in the new thread's creation_pcs.
// noinline, and outside the anonymous namespace so that the test binary's
// exported symbols (ENABLE_EXPORTS) let dladdr name it.
__attribute__((noinline)) void SpawnFromKnownSite(Spawned& spawned) {
  spawned.thread = std::thread([&spawned] {
    spawned.tid.store(gettid());
    spawned.release.wait(false);
  });
  asm volatile("" ::: "memory");  // keep the call from being a tail call
}

namespace {

class ThreadLifecycleTest : public AgentTest {};

bool PcIsIn(uint64_t return_address, const void* function) {
  Dl_info info;
  if (dladdr(reinterpret_cast<void*>(return_address - 1), &info) == 0)
    return false;
  return info.dli_saddr == function;
}

pid_t WaitForTid(const std::atomic<pid_t>& tid) {
  while (tid.load() == 0) std::this_thread::yield();
  return tid.load();
}

TEST_F(ThreadLifecycleTest, MainThreadHasASlotWithoutCreator) {
  std::optional<SlotCopy> main_slot = FindSlot(getpid());
  ASSERT_TRUE(main_slot.has_value());
  EXPECT_EQ(main_slot->slot.creator_tid, 0);
  EXPECT_EQ(main_slot->slot.creation_depth, 0u);
}

TEST_F(ThreadLifecycleTest, NewThreadRecordsCreatorTimeAndCreationSite) {
  Spawned spawned;
  const uint64_t before = MonotonicNs();
  SpawnFromKnownSite(spawned);
  const uint64_t after = MonotonicNs();
  const pid_t tid = WaitForTid(spawned.tid);
  std::optional<SlotCopy> found = FindSlot(tid);
  ASSERT_TRUE(found.has_value());
  const parkscope_slot& slot = found->slot;
  EXPECT_EQ(slot.creator_tid, CurrentTid());
  EXPECT_GE(slot.created_ns, before);
  EXPECT_LE(slot.created_ns, after);
  EXPECT_EQ(slot.pthread_self,
            static_cast<uint64_t>(spawned.thread.native_handle()));
  ASSERT_GT(slot.creation_depth, 0u);
  ASSERT_LE(slot.creation_depth,
            static_cast<uint32_t>(PARKSCOPE_CREATION_MAX_PCS));
  bool found_site = false;
  for (uint32_t i = 0; i < slot.creation_depth; ++i) {
    found_site |= PcIsIn(slot.creation_pcs[i],
                         reinterpret_cast<void*>(&SpawnFromKnownSite));
  }
  EXPECT_TRUE(found_site) << "no creation PC inside SpawnFromKnownSite";
  // Agent frames are dropped: the innermost PC is the caller of
  // pthread_create (libstdc++'s std::thread::_M_start_thread).
  Dl_info innermost;
  ASSERT_NE(
      dladdr(reinterpret_cast<void*>(slot.creation_pcs[0] - 1), &innermost), 0);
  EXPECT_EQ(std::strstr(innermost.dli_fname, "parkscope_agent"), nullptr)
      << innermost.dli_fname;
  spawned.release.store(true);
  spawned.release.notify_all();
  spawned.thread.join();
}

void* RecordedStartRoutine(void* arg) {
  auto* tid = static_cast<std::atomic<pid_t>*>(arg);
  tid->store(gettid());
  return nullptr;
}

TEST_F(ThreadLifecycleTest, PthreadCreateRecordsTheStartRoutine) {
  std::atomic<pid_t> tid{0};
  pthread_t thread;
  ASSERT_EQ(pthread_create(
                &thread, nullptr,
                [](void* arg) -> void* {
                  RecordedStartRoutine(arg);
                  std::this_thread::sleep_for(std::chrono::milliseconds(200));
                  return nullptr;
                },
                &tid),
            0);
  std::optional<SlotCopy> found = FindSlot(WaitForTid(tid));
  ASSERT_TRUE(found.has_value());
  Dl_info info;
  ASSERT_NE(dladdr(reinterpret_cast<void*>(found->slot.start_routine), &info),
            0);
  EXPECT_NE(std::strstr(info.dli_fname, "parkscope_agent_tests"), nullptr)
      << "start routine in " << info.dli_fname;
  EXPECT_EQ(pthread_join(thread, nullptr), 0);
}

TEST_F(ThreadLifecycleTest, SlotIsReleasedAtExitAndReused) {
  std::atomic<pid_t> first_tid{0};
  std::thread first([&] { first_tid.store(gettid()); });
  first.join();
  // The first thread's slot may still have been in use when it stored its
  // tid; after join it is gone.
  EXPECT_FALSE(FindSlot(first_tid.load()).has_value());

  std::atomic<pid_t> second_tid{0};
  std::atomic<bool> release{false};
  std::thread second([&] {
    second_tid.store(gettid());
    release.wait(false);
  });
  std::optional<SlotCopy> second_slot = FindSlot(WaitForTid(second_tid));
  ASSERT_TRUE(second_slot.has_value());
  release.store(true);
  release.notify_all();
  second.join();

  std::atomic<pid_t> third_tid{0};
  std::atomic<bool> release_third{false};
  std::thread third([&] {
    third_tid.store(gettid());
    release_third.wait(false);
  });
  std::optional<SlotCopy> third_slot = FindSlot(WaitForTid(third_tid));
  ASSERT_TRUE(third_slot.has_value());
  EXPECT_EQ(third_slot->index, second_slot->index)
      << "the lowest free slot is reused";
  release_third.store(true);
  release_third.notify_all();
  third.join();
}

TEST_F(ThreadLifecycleTest, PthreadExitReleasesTheSlot) {
  const int live_before = CountLiveSlots();
  std::atomic<pid_t> tid{0};
  pthread_t thread;
  ASSERT_EQ(pthread_create(
                &thread, nullptr,
                [](void* arg) -> void* {
                  static_cast<std::atomic<pid_t>*>(arg)->store(gettid());
                  pthread_exit(nullptr);
                },
                &tid),
            0);
  ASSERT_EQ(pthread_join(thread, nullptr), 0);
  EXPECT_FALSE(FindSlot(tid.load()).has_value());
  EXPECT_EQ(CountLiveSlots(), live_before);
}

TEST_F(ThreadLifecycleTest, CancelledWaiterReleasesTheSlot) {
  std::atomic<pid_t> tid{0};
  struct Shared {
    std::atomic<pid_t>* tid;
    pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
  } shared{&tid};
  pthread_t thread;
  ASSERT_EQ(
      pthread_create(
          &thread, nullptr,
          [](void* arg) -> void* {
            auto* shared = static_cast<Shared*>(arg);
            shared->tid->store(gettid());
            pthread_mutex_lock(&shared->mutex);
            pthread_cleanup_push(
                [](void* mutex) {
                  pthread_mutex_unlock(static_cast<pthread_mutex_t*>(mutex));
                },
                &shared->mutex);
            for (;;) pthread_cond_wait(&shared->cond, &shared->mutex);
            pthread_cleanup_pop(1);
            return nullptr;
          },
          &shared),
      0);
  ASSERT_TRUE(WaitForReason(WaitForTid(tid), PARKSCOPE_REASON_COND_WAIT));
  ASSERT_EQ(pthread_cancel(thread), 0);
  void* result = nullptr;
  ASSERT_EQ(pthread_join(thread, &result), 0);
  EXPECT_EQ(result, PTHREAD_CANCELED);
  EXPECT_FALSE(FindSlot(tid.load()).has_value());
}

TEST_F(ThreadLifecycleTest, TestNameIsCopiedIntoThreadsCreatedDuringTheTest) {
  const std::string name =
      std::string(
          ::testing::UnitTest::GetInstance()->current_test_suite()->name()) +
      "." + ::testing::UnitTest::GetInstance()->current_test_info()->name();
  auto spawn_and_read_test_name = [] {
    std::atomic<pid_t> tid{0};
    std::atomic<bool> release{false};
    std::thread thread([&] {
      tid.store(gettid());
      release.wait(false);
    });
    std::optional<SlotCopy> slot = FindSlot(WaitForTid(tid));
    release.store(true);
    release.notify_all();
    thread.join();
    return slot ? std::string(slot->slot.test_name,
                              strnlen(slot->slot.test_name,
                                      sizeof(slot->slot.test_name)))
                : std::string("<no slot>");
  };
  {
    TestAnnotation test(name.c_str());
    // Names are truncated to 63 bytes.
    EXPECT_EQ(spawn_and_read_test_name(), name.substr(0, 63));
  }
  EXPECT_EQ(spawn_and_read_test_name(), "");
  const std::string long_name(100, 'n');
  PARKSCOPE_TEST_BEGIN(long_name.c_str());
  EXPECT_EQ(spawn_and_read_test_name(), std::string(63, 'n'));
  PARKSCOPE_TEST_END(long_name.c_str());
}

TEST_F(ThreadLifecycleTest, ManyShortThreadsLeaveNoSlotsBehind) {
  const int live_before = CountLiveSlots();
  const uint32_t high_water_before = Registry()->high_water;
  for (int round = 0; round < 20; ++round) {
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i) threads.emplace_back([] {});
    for (std::thread& thread : threads) thread.join();
  }
  EXPECT_EQ(CountLiveSlots(), live_before);
  EXPECT_LE(Registry()->high_water, high_water_before + 8);
}

}  // namespace
}  // namespace parkscope::agent_test
