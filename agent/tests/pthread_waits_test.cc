// Threads blocked directly in pthread, POSIX semaphore and futex calls show
// the right reason, object, start time and tid.
#include <linux/futex.h>
#include <pthread.h>
#include <semaphore.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <climits>

#include "agent_test_support.h"

namespace parkscope::agent_test {
namespace {

class PthreadWaitTest : public AgentTest {};

timespec DeadlineIn(clockid_t clock, int seconds) {
  timespec deadline;
  clock_gettime(clock, &deadline);
  deadline.tv_sec += seconds;
  return deadline;
}

TEST_F(PthreadWaitTest, MutexLockShowsMutexObject) {
  pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
  pthread_mutex_lock(&mutex);
  const uint64_t before = MonotonicNs();
  ParkedThread waiter([&] {
    EXPECT_EQ(pthread_mutex_lock(&mutex), 0);
    pthread_mutex_unlock(&mutex);
  });
  ExpectParked(waiter.tid(), PARKSCOPE_REASON_MUTEX_LOCK, ObjectOf(&mutex),
               before);
  pthread_mutex_unlock(&mutex);
  waiter.Join();
  EXPECT_TRUE(WaitForRunning(CurrentTid()));
}

TEST_F(PthreadWaitTest, MutexTimedlockShowsMutexObject) {
  pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
  pthread_mutex_lock(&mutex);
  const uint64_t before = MonotonicNs();
  ParkedThread waiter([&] {
    timespec deadline = DeadlineIn(CLOCK_REALTIME, 60);
    EXPECT_EQ(pthread_mutex_timedlock(&mutex, &deadline), 0);
    pthread_mutex_unlock(&mutex);
  });
  ExpectParked(waiter.tid(), PARKSCOPE_REASON_MUTEX_LOCK, ObjectOf(&mutex),
               before);
  pthread_mutex_unlock(&mutex);
}

TEST_F(PthreadWaitTest, MutexClocklockShowsMutexObject) {
  pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
  pthread_mutex_lock(&mutex);
  const uint64_t before = MonotonicNs();
  ParkedThread waiter([&] {
    timespec deadline = DeadlineIn(CLOCK_MONOTONIC, 60);
    EXPECT_EQ(pthread_mutex_clocklock(&mutex, CLOCK_MONOTONIC, &deadline), 0);
    pthread_mutex_unlock(&mutex);
  });
  ExpectParked(waiter.tid(), PARKSCOPE_REASON_MUTEX_LOCK, ObjectOf(&mutex),
               before);
  pthread_mutex_unlock(&mutex);
}

TEST_F(PthreadWaitTest, RwlockTimedRdlockShowsRwlockRead) {
  pthread_rwlock_t rwlock = PTHREAD_RWLOCK_INITIALIZER;
  pthread_rwlock_wrlock(&rwlock);
  const uint64_t before = MonotonicNs();
  ParkedThread reader([&] {
    timespec deadline = DeadlineIn(CLOCK_REALTIME, 60);
    EXPECT_EQ(pthread_rwlock_timedrdlock(&rwlock, &deadline), 0);
    pthread_rwlock_unlock(&rwlock);
  });
  ExpectParked(reader.tid(), PARKSCOPE_REASON_RWLOCK_READ, ObjectOf(&rwlock),
               before);
  pthread_rwlock_unlock(&rwlock);
}

TEST_F(PthreadWaitTest, RwlockClockWrlockShowsRwlockWrite) {
  pthread_rwlock_t rwlock = PTHREAD_RWLOCK_INITIALIZER;
  pthread_rwlock_rdlock(&rwlock);
  const uint64_t before = MonotonicNs();
  ParkedThread writer([&] {
    timespec deadline = DeadlineIn(CLOCK_MONOTONIC, 60);
    EXPECT_EQ(pthread_rwlock_clockwrlock(&rwlock, CLOCK_MONOTONIC, &deadline),
              0);
    pthread_rwlock_unlock(&rwlock);
  });
  ExpectParked(writer.tid(), PARKSCOPE_REASON_RWLOCK_WRITE, ObjectOf(&rwlock),
               before);
  pthread_rwlock_unlock(&rwlock);
}

TEST_F(PthreadWaitTest, CondTimedwaitShowsCondObject) {
  pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
  pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
  bool ready = false;
  const uint64_t before = MonotonicNs();
  ParkedThread waiter([&] {
    pthread_mutex_lock(&mutex);
    timespec deadline = DeadlineIn(CLOCK_REALTIME, 60);
    while (!ready) pthread_cond_timedwait(&cond, &mutex, &deadline);
    pthread_mutex_unlock(&mutex);
  });
  ExpectParked(waiter.tid(), PARKSCOPE_REASON_COND_WAIT, ObjectOf(&cond),
               before);
  pthread_mutex_lock(&mutex);
  ready = true;
  pthread_cond_broadcast(&cond);
  pthread_mutex_unlock(&mutex);
}

TEST_F(PthreadWaitTest, SemWaitShowsSemObject) {
  sem_t sem;
  ASSERT_EQ(sem_init(&sem, 0, 0), 0);
  const uint64_t before = MonotonicNs();
  ParkedThread waiter([&] { EXPECT_EQ(sem_wait(&sem), 0); });
  ExpectParked(waiter.tid(), PARKSCOPE_REASON_SEM_WAIT, ObjectOf(&sem), before);
  sem_post(&sem);
  waiter.Join();
  sem_destroy(&sem);
}

TEST_F(PthreadWaitTest, SemTimedwaitShowsSemObject) {
  sem_t sem;
  ASSERT_EQ(sem_init(&sem, 0, 0), 0);
  const uint64_t before = MonotonicNs();
  ParkedThread waiter([&] {
    timespec deadline = DeadlineIn(CLOCK_REALTIME, 60);
    EXPECT_EQ(sem_timedwait(&sem, &deadline), 0);
  });
  ExpectParked(waiter.tid(), PARKSCOPE_REASON_SEM_WAIT, ObjectOf(&sem), before);
  sem_post(&sem);
  waiter.Join();
  sem_destroy(&sem);
}

TEST_F(PthreadWaitTest, BarrierWaitShowsBarrierObject) {
  pthread_barrier_t barrier;
  ASSERT_EQ(pthread_barrier_init(&barrier, nullptr, 2), 0);
  const uint64_t before = MonotonicNs();
  ParkedThread waiter([&] { pthread_barrier_wait(&barrier); });
  ExpectParked(waiter.tid(), PARKSCOPE_REASON_BARRIER, ObjectOf(&barrier),
               before);
  pthread_barrier_wait(&barrier);
  waiter.Join();
  pthread_barrier_destroy(&barrier);
}

TEST_F(PthreadWaitTest, PthreadJoinShowsJoinedThread) {
  std::atomic<int> release{0};
  pthread_t target;
  ASSERT_EQ(pthread_create(
                &target, nullptr,
                [](void* word) -> void* {
                  static_cast<std::atomic<int>*>(word)->wait(0);
                  return nullptr;
                },
                &release),
            0);
  const uint64_t before = MonotonicNs();
  ParkedThread joiner([&] { EXPECT_EQ(pthread_join(target, nullptr), 0); });
  ExpectParked(joiner.tid(), PARKSCOPE_REASON_JOIN,
               static_cast<uint64_t>(target), before);
  release.store(1);
  release.notify_all();
}

TEST_F(PthreadWaitTest, RawFutexWaitThroughSyscallShowsTheWord) {
  uint32_t word = 0;
  const uint64_t before = MonotonicNs();
  ParkedThread waiter([&] {
    while (__atomic_load_n(&word, __ATOMIC_ACQUIRE) == 0)
      syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, nullptr, nullptr, 0);
  });
  ExpectParked(waiter.tid(), PARKSCOPE_REASON_FUTEX_WAIT, ObjectOf(&word),
               before);
  __atomic_store_n(&word, 1, __ATOMIC_RELEASE);
  syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, INT_MAX, nullptr, nullptr, 0);
}

TEST_F(PthreadWaitTest, FutexBitsetWaitThroughSyscallShowsTheWord) {
  uint32_t word = 0;
  const uint64_t before = MonotonicNs();
  ParkedThread waiter([&] {
    while (__atomic_load_n(&word, __ATOMIC_ACQUIRE) == 0) {
      syscall(SYS_futex, &word, FUTEX_WAIT_BITSET_PRIVATE, 0, nullptr, nullptr,
              FUTEX_BITSET_MATCH_ANY);
    }
  });
  ExpectParked(waiter.tid(), PARKSCOPE_REASON_FUTEX_WAIT, ObjectOf(&word),
               before);
  __atomic_store_n(&word, 1, __ATOMIC_RELEASE);
  syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, INT_MAX, nullptr, nullptr, 0);
}

}  // namespace
}  // namespace parkscope::agent_test
