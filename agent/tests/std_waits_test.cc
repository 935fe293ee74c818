// Threads blocked in the C++ standard library's waits show the right reason,
// object, start time and tid. Which libc entry each one reaches is in
// capture-facts §1; these tests pin it.
#include <atomic>
#include <barrier>
#include <chrono>
#include <condition_variable>
#include <future>
#include <latch>
#include <mutex>
#include <semaphore>
#include <shared_mutex>
#include <thread>

#include "agent_test_support.h"

namespace parkscope::agent_test {
namespace {

using namespace std::chrono_literals;

class StdWaitTest : public AgentTest {};

TEST_F(StdWaitTest, MutexLockShowsMutexLockOnNativeHandle) {
  std::mutex mutex;
  mutex.lock();
  const uint64_t before = MonotonicNs();
  ParkedThread waiter([&] { std::lock_guard hold(mutex); });
  ExpectParked(waiter.tid(), PARKSCOPE_REASON_MUTEX_LOCK,
               ObjectOf(mutex.native_handle()), before);
  mutex.unlock();
  waiter.Join();
  EXPECT_FALSE(FindSlot(waiter.tid()).has_value()) << "slot not released";
}

TEST_F(StdWaitTest, TimedMutexTryLockForShowsMutexLock) {
  std::timed_mutex mutex;
  mutex.lock();
  const uint64_t before = MonotonicNs();
  ParkedThread waiter([&] {
    if (mutex.try_lock_for(60s)) mutex.unlock();
  });
  ExpectParked(waiter.tid(), PARKSCOPE_REASON_MUTEX_LOCK,
               ObjectOf(mutex.native_handle()), before);
  mutex.unlock();
}

TEST_F(StdWaitTest, ConditionVariableWaitShowsCondWait) {
  std::mutex mutex;
  std::condition_variable cv;
  bool ready = false;
  const uint64_t before = MonotonicNs();
  ParkedThread waiter([&] {
    std::unique_lock lock(mutex);
    cv.wait(lock, [&] { return ready; });
  });
  ExpectParked(waiter.tid(), PARKSCOPE_REASON_COND_WAIT,
               ObjectOf(cv.native_handle()), before);
  {
    std::lock_guard hold(mutex);
    ready = true;
  }
  cv.notify_all();
}

TEST_F(StdWaitTest, ConditionVariableWaitForShowsCondWait) {
  std::mutex mutex;
  std::condition_variable cv;
  bool ready = false;
  const uint64_t before = MonotonicNs();
  ParkedThread waiter([&] {
    std::unique_lock lock(mutex);
    cv.wait_for(lock, 60s, [&] { return ready; });
  });
  ExpectParked(waiter.tid(), PARKSCOPE_REASON_COND_WAIT,
               ObjectOf(cv.native_handle()), before);
  {
    std::lock_guard hold(mutex);
    ready = true;
  }
  cv.notify_all();
}

TEST_F(StdWaitTest, ConditionVariableWaitUntilSteadyShowsCondWait) {
  std::mutex mutex;
  std::condition_variable cv;
  bool ready = false;
  const uint64_t before = MonotonicNs();
  ParkedThread waiter([&] {
    std::unique_lock lock(mutex);
    cv.wait_until(lock, std::chrono::steady_clock::now() + 60s,
                  [&] { return ready; });
  });
  ExpectParked(waiter.tid(), PARKSCOPE_REASON_COND_WAIT,
               ObjectOf(cv.native_handle()), before);
  {
    std::lock_guard hold(mutex);
    ready = true;
  }
  cv.notify_all();
}

TEST_F(StdWaitTest, ConditionVariableWaitUntilSystemClockShowsCondWait) {
  std::mutex mutex;
  std::condition_variable cv;
  bool ready = false;
  const uint64_t before = MonotonicNs();
  ParkedThread waiter([&] {
    std::unique_lock lock(mutex);
    cv.wait_until(lock, std::chrono::system_clock::now() + 60s,
                  [&] { return ready; });
  });
  ExpectParked(waiter.tid(), PARKSCOPE_REASON_COND_WAIT,
               ObjectOf(cv.native_handle()), before);
  {
    std::lock_guard hold(mutex);
    ready = true;
  }
  cv.notify_all();
}

TEST_F(StdWaitTest, SharedMutexReaderShowsRwlockRead) {
  std::shared_mutex rw;
  rw.lock();
  const uint64_t before = MonotonicNs();
  ParkedThread reader([&] { std::shared_lock hold(rw); });
  ExpectParked(reader.tid(), PARKSCOPE_REASON_RWLOCK_READ,
               ObjectOf(rw.native_handle()), before);
  rw.unlock();
}

TEST_F(StdWaitTest, SharedMutexWriterShowsRwlockWrite) {
  std::shared_mutex rw;
  rw.lock_shared();
  const uint64_t before = MonotonicNs();
  ParkedThread writer([&] { std::lock_guard hold(rw); });
  ExpectParked(writer.tid(), PARKSCOPE_REASON_RWLOCK_WRITE,
               ObjectOf(rw.native_handle()), before);
  rw.unlock_shared();
}

// future::get waits in libstdc++.so through syscall(SYS_futex) on the
// shared state's word, whose address is private to libstdc++.
TEST_F(StdWaitTest, FutureGetShowsFutexWait) {
  std::promise<int> promise;
  std::future<int> future = promise.get_future();
  const uint64_t before = MonotonicNs();
  ParkedThread waiter([&] { EXPECT_EQ(future.get(), 7); });
  std::optional<SlotCopy> parked =
      WaitForReason(waiter.tid(), PARKSCOPE_REASON_FUTEX_WAIT);
  ASSERT_TRUE(parked.has_value());
  EXPECT_NE(parked->slot.object, 0u);
  EXPECT_GE(parked->slot.since_ns, before);
  promise.set_value(7);
}

// counting_semaphore's counter is its only member: the futex word is the
// semaphore itself.
TEST_F(StdWaitTest, CountingSemaphoreAcquireShowsFutexWaitOnSemaphore) {
  std::counting_semaphore<4> semaphore(0);
  const uint64_t before = MonotonicNs();
  ParkedThread waiter([&] { semaphore.acquire(); });
  ExpectParked(waiter.tid(), PARKSCOPE_REASON_FUTEX_WAIT, ObjectOf(&semaphore),
               before);
  semaphore.release();
}

// latch counts in a ptrdiff_t, too wide for a futex: libstdc++ waits on a
// proxy word in its waiter pool, so only the reason is pinned.
TEST_F(StdWaitTest, LatchWaitShowsFutexWait) {
  std::latch latch(1);
  const uint64_t before = MonotonicNs();
  ParkedThread waiter([&] { latch.wait(); });
  std::optional<SlotCopy> parked =
      WaitForReason(waiter.tid(), PARKSCOPE_REASON_FUTEX_WAIT);
  ASSERT_TRUE(parked.has_value());
  EXPECT_GE(parked->slot.since_ns, before);
  latch.count_down();
}

TEST_F(StdWaitTest, BarrierArriveAndWaitShowsFutexWait) {
  std::barrier barrier(2);
  ParkedThread waiter([&] { barrier.arrive_and_wait(); });
  ASSERT_TRUE(WaitForReason(waiter.tid(), PARKSCOPE_REASON_FUTEX_WAIT));
  barrier.arrive_and_wait();
}

TEST_F(StdWaitTest, AtomicWaitShowsFutexWaitOnTheAtomic) {
  std::atomic<int> word{0};
  const uint64_t before = MonotonicNs();
  ParkedThread waiter([&] { word.wait(0); });
  ExpectParked(waiter.tid(), PARKSCOPE_REASON_FUTEX_WAIT, ObjectOf(&word),
               before);
  word.store(1);
  word.notify_all();
}

TEST_F(StdWaitTest, ThreadJoinShowsJoinOnTheJoinedPthread) {
  std::atomic<bool> release{false};
  std::thread sleeper([&] { release.wait(false); });
  const uint64_t joined = static_cast<uint64_t>(sleeper.native_handle());
  const uint64_t before = MonotonicNs();
  ParkedThread joiner([&] { sleeper.join(); });
  SlotCopy parked =
      ExpectParked(joiner.tid(), PARKSCOPE_REASON_JOIN, joined, before);
  (void)parked;
  release.store(true);
  release.notify_all();
}

TEST_F(StdWaitTest, SleepForShowsSleep) {
  const uint64_t before = MonotonicNs();
  ParkedThread sleeper([] { std::this_thread::sleep_for(500ms); });
  ExpectParked(sleeper.tid(), PARKSCOPE_REASON_SLEEP, 0, before);
}

}  // namespace
}  // namespace parkscope::agent_test
