// The agent changes nothing a program can observe: return values and errno
// are exactly libc's, and calls that do not block record nothing (the
// slot's seqlock count does not move).
#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>
#include <shared_mutex>
#include <thread>

#include "agent_test_support.h"

namespace parkscope::agent_test {
namespace {

class SemanticsTest : public AgentTest {};

timespec RealtimeIn(long nanoseconds) {
  timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_nsec += nanoseconds;
  deadline.tv_sec += deadline.tv_nsec / 1'000'000'000;
  deadline.tv_nsec %= 1'000'000'000;
  return deadline;
}

// glibc skips the lock atomics in single-threaded processes
// (capture-facts §2); an idle second thread keeps the path the real one.
class IdleThread {
 public:
  IdleThread() : thread_([this] { stop_.wait(false); }) {}
  ~IdleThread() {
    stop_.store(true);
    stop_.notify_all();
    thread_.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST_F(SemanticsTest, UncontendedLocksRecordNothing) {
  IdleThread idle;
  std::mutex mutex;
  std::shared_mutex rw;
  sem_t sem;
  ASSERT_EQ(sem_init(&sem, 0, 1000), 0);
  const pid_t self = CurrentTid();
  const uint32_t seq_before = SeqOf(self);
  ASSERT_NE(seq_before, 0u) << "the test thread has no slot";
  for (int i = 0; i < 1000; ++i) {
    mutex.lock();
    mutex.unlock();
    rw.lock();
    rw.unlock();
    rw.lock_shared();
    rw.unlock_shared();
    sem_wait(&sem);
  }
  EXPECT_EQ(SeqOf(self), seq_before);
  std::optional<SlotCopy> slot = FindSlot(self);
  ASSERT_TRUE(slot.has_value());
  EXPECT_EQ(slot->slot.state, static_cast<uint32_t>(PARKSCOPE_SLOT_RUNNING));
  EXPECT_EQ(slot->slot.reason, static_cast<uint32_t>(PARKSCOPE_REASON_NONE));
  sem_destroy(&sem);
}

TEST_F(SemanticsTest, NonBlockingCallsRecordNothing) {
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  const pid_t self = CurrentTid();
  const uint32_t seq_before = SeqOf(self);
  char byte;
  EXPECT_EQ(recv(fds[0], &byte, 1, MSG_DONTWAIT), -1);
  EXPECT_EQ(errno, EAGAIN);
  pollfd watched = {fds[0], POLLIN, 0};
  EXPECT_EQ(poll(&watched, 1, 0), 0);
  EXPECT_EQ(syscall(SYS_getpid), getpid());
  uint32_t word = 0;
  EXPECT_EQ(
      syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0), 0);
  EXPECT_EQ(SeqOf(self), seq_before);
  close(fds[0]);
  close(fds[1]);
}

TEST_F(SemanticsTest, EveryRecordedWaitIsUndoneWhenItEnds) {
  const pid_t self = CurrentTid();
  const uint32_t seq_before = SeqOf(self);
  timespec short_sleep = {0, 1'000'000};
  ASSERT_EQ(nanosleep(&short_sleep, nullptr), 0);
  EXPECT_EQ(SeqOf(self), seq_before + 4) << "one record: two seqlock writes";
  std::optional<SlotCopy> slot = FindSlot(self);
  ASSERT_TRUE(slot.has_value());
  EXPECT_EQ(slot->slot.state, static_cast<uint32_t>(PARKSCOPE_SLOT_RUNNING));
  EXPECT_EQ(slot->slot.since_ns, 0u);
  EXPECT_EQ(slot->slot.object, 0u);
}

TEST_F(SemanticsTest, TrylockOnLockedMutexReturnsEbusy) {
  pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
  ASSERT_EQ(pthread_mutex_lock(&mutex), 0);
  std::thread other([&] { EXPECT_EQ(pthread_mutex_trylock(&mutex), EBUSY); });
  other.join();
  pthread_mutex_unlock(&mutex);
}

TEST_F(SemanticsTest, ErrorCheckingRelockReturnsEdeadlk) {
  pthread_mutexattr_t attributes;
  pthread_mutexattr_init(&attributes);
  pthread_mutexattr_settype(&attributes, PTHREAD_MUTEX_ERRORCHECK);
  pthread_mutex_t mutex;
  pthread_mutex_init(&mutex, &attributes);
  ASSERT_EQ(pthread_mutex_lock(&mutex), 0);
  errno = 1234;
  EXPECT_EQ(pthread_mutex_lock(&mutex), EDEADLK);
  EXPECT_EQ(errno, 1234);
  EXPECT_TRUE(WaitForRunning(CurrentTid()));
  EXPECT_EQ(pthread_mutex_unlock(&mutex), 0);
  EXPECT_EQ(pthread_mutex_unlock(&mutex), EPERM);
  pthread_mutex_destroy(&mutex);
  pthread_mutexattr_destroy(&attributes);
}

TEST_F(SemanticsTest, RecursiveRelockSucceedsWithoutRecording) {
  pthread_mutexattr_t attributes;
  pthread_mutexattr_init(&attributes);
  pthread_mutexattr_settype(&attributes, PTHREAD_MUTEX_RECURSIVE);
  pthread_mutex_t mutex;
  pthread_mutex_init(&mutex, &attributes);
  const uint32_t seq_before = SeqOf(CurrentTid());
  EXPECT_EQ(pthread_mutex_lock(&mutex), 0);
  EXPECT_EQ(pthread_mutex_lock(&mutex), 0);
  EXPECT_EQ(pthread_mutex_unlock(&mutex), 0);
  EXPECT_EQ(pthread_mutex_unlock(&mutex), 0);
  EXPECT_EQ(pthread_mutex_unlock(&mutex), EPERM);
  EXPECT_EQ(SeqOf(CurrentTid()), seq_before);
  pthread_mutex_destroy(&mutex);
  pthread_mutexattr_destroy(&attributes);
}

TEST_F(SemanticsTest, TimedlockTimeoutReturnsEtimedout) {
  pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
  ASSERT_EQ(pthread_mutex_lock(&mutex), 0);
  std::thread other([&] {
    errno = 4321;
    timespec deadline = RealtimeIn(20'000'000);
    EXPECT_EQ(pthread_mutex_timedlock(&mutex, &deadline), ETIMEDOUT);
    EXPECT_EQ(errno, 4321);
    timespec monotonic_deadline;
    clock_gettime(CLOCK_MONOTONIC, &monotonic_deadline);
    EXPECT_EQ(
        pthread_mutex_clocklock(&mutex, CLOCK_MONOTONIC, &monotonic_deadline),
        ETIMEDOUT);
  });
  other.join();
  pthread_mutex_unlock(&mutex);
}

TEST_F(SemanticsTest, RwlockReadWhileHoldingWriteReturnsEdeadlk) {
  pthread_rwlock_t rwlock = PTHREAD_RWLOCK_INITIALIZER;
  ASSERT_EQ(pthread_rwlock_wrlock(&rwlock), 0);
  EXPECT_EQ(pthread_rwlock_rdlock(&rwlock), EDEADLK);
  EXPECT_EQ(pthread_rwlock_wrlock(&rwlock), EDEADLK);
  EXPECT_EQ(pthread_rwlock_unlock(&rwlock), 0);
  std::thread reader([&] {
    timespec deadline = RealtimeIn(10'000'000);
    EXPECT_EQ(pthread_rwlock_timedrdlock(&rwlock, &deadline), 0);
    pthread_rwlock_unlock(&rwlock);
  });
  reader.join();
}

TEST_F(SemanticsTest, ReadOnClosedFdReturnsEbadf) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  close(fds[0]);
  close(fds[1]);
  char byte;
  errno = 0;
  EXPECT_EQ(read(fds[0], &byte, 1), -1);
  EXPECT_EQ(errno, EBADF);
  errno = 0;
  EXPECT_EQ(write(fds[1], &byte, 1), -1);
  EXPECT_EQ(errno, EBADF);
}

TEST_F(SemanticsTest, CondTimedwaitTimeoutReturnsEtimedout) {
  pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
  pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
  pthread_mutex_lock(&mutex);
  errno = 777;
  timespec deadline = RealtimeIn(10'000'000);
  EXPECT_EQ(pthread_cond_timedwait(&cond, &mutex, &deadline), ETIMEDOUT);
  timespec monotonic_deadline;
  clock_gettime(CLOCK_MONOTONIC, &monotonic_deadline);
  EXPECT_EQ(pthread_cond_clockwait(&cond, &mutex, CLOCK_MONOTONIC,
                                   &monotonic_deadline),
            ETIMEDOUT);
  EXPECT_EQ(errno, 777);
  pthread_mutex_unlock(&mutex);
  EXPECT_TRUE(WaitForRunning(CurrentTid()));
}

TEST_F(SemanticsTest, SemTimedwaitTimeoutSetsEtimedout) {
  sem_t sem;
  ASSERT_EQ(sem_init(&sem, 0, 0), 0);
  timespec deadline = RealtimeIn(10'000'000);
  errno = 0;
  EXPECT_EQ(sem_timedwait(&sem, &deadline), -1);
  EXPECT_EQ(errno, ETIMEDOUT);
  sem_destroy(&sem);
}

// The hook's sem_trywait fails with EAGAIN before the real sem_wait runs;
// the caller must not see that EAGAIN.
TEST_F(SemanticsTest, BlockingSemWaitKeepsCallersErrno) {
  sem_t sem;
  ASSERT_EQ(sem_init(&sem, 0, 0), 0);
  std::thread poster([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    sem_post(&sem);
  });
  errno = 4242;
  EXPECT_EQ(sem_wait(&sem), 0);
  EXPECT_EQ(errno, 4242);
  poster.join();
  sem_destroy(&sem);
}

TEST_F(SemanticsTest, ContendedLockKeepsCallersErrno) {
  std::mutex mutex;
  mutex.lock();
  std::thread unlocker([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    mutex.unlock();
  });
  std::thread waiter([&] {
    errno = 5151;
    mutex.lock();
    EXPECT_EQ(errno, 5151);
    mutex.unlock();
  });
  unlocker.join();
  waiter.join();
}

TEST_F(SemanticsTest, FutexSyscallKeepsItsErrnoConvention) {
  uint32_t word = 1;
  errno = 0;
  // The word is not 0: the kernel refuses to sleep.
  EXPECT_EQ(
      syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, nullptr, nullptr, 0),
      -1);
  EXPECT_EQ(errno, EAGAIN);
  EXPECT_EQ(syscall(SYS_gettid), CurrentTid());
  EXPECT_EQ(syscall(-1), -1);
  EXPECT_EQ(errno, ENOSYS);
}

TEST_F(SemanticsTest, ClockNanosleepReturnsErrorNumberWithoutErrno) {
  timespec duration = {0, 1000};
  errno = 99;
  EXPECT_EQ(
      clock_nanosleep(static_cast<clockid_t>(1234), 0, &duration, nullptr),
      EINVAL);
  EXPECT_EQ(errno, 99);
  EXPECT_EQ(nanosleep(nullptr, nullptr), -1);
  EXPECT_EQ(errno, EFAULT);
}

}  // namespace
}  // namespace parkscope::agent_test
