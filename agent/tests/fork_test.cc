// fork(): the child's registry lists only the forking thread, under the
// child's tid, and the child can create threads and record waits; forks
// taken while other threads are inside hooks (recording or holding locks)
// leave children that work and a parent whose records and counts are
// intact.
#include <sys/wait.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "agent_test_support.h"

namespace parkscope::agent_test {
namespace {

class ForkTest : public AgentTest {};

// Exit codes that say which check failed in the child.
enum ChildFailure {
  kChildOk = 0,
  kWrongLiveCount = 10,
  kNoOwnSlot,
  kNoForkFlag,
  kChildThreadNotRecorded,
  kChildThreadSlotNotReleased,
};

int RunChildChecks() {
  if (CountLiveSlots() != 1) return kWrongLiveCount;
  std::optional<SlotCopy> own = FindSlot(gettid());
  if (!own || gettid() != getpid()) return kNoOwnSlot;
  if ((Registry()->flags & PARKSCOPE_REGISTRY_FLAG_FORK_CHILD) == 0)
    return kNoForkFlag;
  std::mutex mutex;
  mutex.lock();
  std::atomic<pid_t> tid{0};
  std::thread waiter([&] {
    tid.store(gettid());
    std::lock_guard hold(mutex);
  });
  while (tid.load() == 0) std::this_thread::yield();
  std::optional<SlotCopy> parked = WaitForReason(
      tid.load(), PARKSCOPE_REASON_MUTEX_LOCK, std::chrono::seconds(10));
  mutex.unlock();
  waiter.join();
  if (!parked || parked->slot.object != ObjectOf(mutex.native_handle()))
    return kChildThreadNotRecorded;
  if (FindSlot(tid.load()).has_value()) return kChildThreadSlotNotReleased;
  return kChildOk;
}

TEST_F(ForkTest, ChildKeepsOnlyTheForkingThreadsSlot) {
  std::mutex mutex;
  std::condition_variable cv;
  bool stop = false;
  std::vector<ParkedThread*> parked;
  for (int i = 0; i < 3; ++i) {
    parked.push_back(new ParkedThread([&] {
      std::unique_lock lock(mutex);
      cv.wait(lock, [&] { return stop; });
    }));
  }
  for (ParkedThread* thread : parked)
    ASSERT_TRUE(WaitForReason(thread->tid(), PARKSCOPE_REASON_COND_WAIT));
  ASSERT_GE(CountLiveSlots(), 4);

  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) _exit(RunChildChecks());

  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), kChildOk);

  // The parent's registry is untouched.
  for (ParkedThread* thread : parked)
    EXPECT_TRUE(WaitForReason(thread->tid(), PARKSCOPE_REASON_COND_WAIT));
  {
    std::lock_guard hold(mutex);
    stop = true;
  }
  cv.notify_all();
  for (ParkedThread* thread : parked) delete thread;
}

// Exit codes of the busy parent's children.
enum BusyChildFailure {
  kBusyChildOk = 0,
  kBusyWrongLiveCount = 20,
  kBusyNoOwnSlot,
  kBusyMutexNotRecorded,
  kBusySleepNotRecorded,
  kBusyRingCountWrong,
  kBusySlotsNotReleased,
};

constexpr int kRingThreads = 3;
constexpr int kRingRounds = 100;

// A child of a parent whose threads were recording waits when it forked:
// hooked mutex, condition variable and sleep waits are recorded on the
// child's copy of the registry, a token passes a ring of new threads an
// exact number of times, and every new thread's slot is released.
int RunBusyChildChecks() {
  alarm(10);  // a deadlocked child dies of SIGALRM; the parent reports it
  if (CountLiveSlots() != 1) return kBusyWrongLiveCount;
  if (!FindSlot(gettid())) return kBusyNoOwnSlot;
  std::mutex held;
  held.lock();
  std::atomic<pid_t> locker{0};
  std::thread lock_waiter([&] {
    locker.store(gettid());
    std::lock_guard hold(held);
  });
  while (locker.load() == 0) std::this_thread::yield();
  std::optional<SlotCopy> lock_record =
      WaitForReason(locker.load(), PARKSCOPE_REASON_MUTEX_LOCK);
  held.unlock();
  lock_waiter.join();
  if (!lock_record || lock_record->slot.object != ObjectOf(held.native_handle()))
    return kBusyMutexNotRecorded;

  std::atomic<pid_t> sleeper{0};
  std::atomic<bool> stop_sleeping{false};
  std::thread sleep_waiter([&] {
    sleeper.store(gettid());
    while (!stop_sleeping.load())
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  });
  while (sleeper.load() == 0) std::this_thread::yield();
  const bool slept =
      WaitForReason(sleeper.load(), PARKSCOPE_REASON_SLEEP).has_value();
  stop_sleeping.store(true);
  sleep_waiter.join();
  if (!slept) return kBusySleepNotRecorded;

  std::mutex ring_mutex;
  std::condition_variable ring_cv;
  int token = 0;
  std::vector<std::thread> ring;
  for (int i = 0; i < kRingThreads; ++i) {
    ring.emplace_back([&, i] {
      std::unique_lock lock(ring_mutex);
      for (int r = 0; r < kRingRounds; ++r) {
        ring_cv.wait(lock, [&] { return token % kRingThreads == i; });
        ++token;
        ring_cv.notify_all();
      }
    });
  }
  for (std::thread& thread : ring) thread.join();
  if (token != kRingThreads * kRingRounds) return kBusyRingCountWrong;
  if (CountLiveSlots() != 1) return kBusySlotsNotReleased;
  return kBusyChildOk;
}

TEST_F(ForkTest, ForksWhileOtherThreadsRecordWaitsLeaveWorkingChildren) {
  DeadlockDeadline deadline(60, "ForksWhileOtherThreadsRecordWaits");
  constexpr int kWorkers = 4;
  constexpr int kForks = 20;
  // Workers fight over one mutex (so the agent records lock waits and
  // seqlock writes are in flight when fork copies the registry) and sleep
  // briefly now and then (nanosleep hook).
  std::mutex contended;
  uint64_t total = 0;
  std::atomic<bool> stop{false};
  std::vector<uint64_t> own(kWorkers, 0);
  std::vector<ParkedThread*> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.push_back(new ParkedThread([&, w] {
      while (!stop.load()) {
        {
          std::lock_guard hold(contended);
          ++total;
        }
        if (++own[w] % 512 == 0) std::this_thread::sleep_for(std::chrono::microseconds(50));
      }
    }));
  }
  int failures[kForks];
  for (int i = 0; i < kForks; ++i) {
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) _exit(RunBusyChildChecks());
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    failures[i] = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  for (int i = 0; i < kForks; ++i) EXPECT_EQ(failures[i], kBusyChildOk) << "fork " << i;
  // The parent's workers still own their slots under their own tids.
  for (ParkedThread* worker : workers) EXPECT_TRUE(FindSlot(worker->tid())) << worker->tid();
  stop.store(true);
  for (ParkedThread* worker : workers) delete worker;
  uint64_t sum = 0;
  for (uint64_t count : own) sum += count;
  EXPECT_EQ(total, sum);
  EXPECT_GT(total, 0u);
}

}  // namespace
}  // namespace parkscope::agent_test
