// The other entry points of each hooked family (timed, clock, vectored,
// fortified, signal-mask and SysV variants): each shows its reason, object,
// start time and tid while blocked. std_waits_test.cc, pthread_waits_test.cc
// and io_waits_test.cc cover the common ones.
#include <fcntl.h>
#include <linux/futex.h>
#include <mqueue.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/msg.h>
#include <sys/select.h>
#include <sys/sem.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>

#include "agent_test_support.h"

// What _FORTIFY_SOURCE turns read/recv/poll into; declared by glibc only
// when fortifying.
extern "C" {
ssize_t __read_chk(int fd, void* buf, size_t nbytes, size_t buflen);
ssize_t __recv_chk(int fd, void* buf, size_t len, size_t buflen, int flags);
ssize_t __recvfrom_chk(int fd, void* buf, size_t len, size_t buflen, int flags,
                       sockaddr* from, socklen_t* fromlen);
int __poll_chk(pollfd* fds, nfds_t nfds, int timeout, size_t fdslen);
int __ppoll_chk(pollfd* fds, nfds_t nfds, const timespec* timeout,
                const sigset_t* ss, size_t fdslen);
}

namespace parkscope::agent_test {
namespace {

class VariantWaitTest : public AgentTest {};

// Runs `block` on a new thread, expects it parked for `reason` on `object`,
// then runs `release` and joins.
void ExpectBlocked(uint32_t reason, uint64_t object,
                   const std::function<void()>& block,
                   const std::function<void()>& release) {
  const uint64_t before = MonotonicNs();
  ParkedThread blocked(block);
  ExpectParked(blocked.tid(), reason, object, before);
  release();
  blocked.Join();
}

uint64_t Fd(int fd) { return static_cast<uint64_t>(fd); }

timespec In(clockid_t clock, int seconds) {
  timespec deadline;
  clock_gettime(clock, &deadline);
  deadline.tv_sec += seconds;
  return deadline;
}

struct Fds {
  int fds[2] = {-1, -1};
  ~Fds() {
    for (int fd : fds)
      if (fd >= 0) close(fd);
  }
};

Fds MakePipe() {
  Fds pipe;
  EXPECT_EQ(pipe2(pipe.fds, O_CLOEXEC), 0);
  return pipe;
}

Fds MakeSocketPair() {
  Fds pair;
  EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair.fds), 0);
  return pair;
}

void Poke(int fd) { EXPECT_EQ(write(fd, "x", 1), 1); }

// Fills `fd`'s send side until a non-blocking write would block.
void Fill(int fd) {
  const int flags = fcntl(fd, F_GETFL);
  fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  char chunk[4096] = {};
  while (write(fd, chunk, sizeof(chunk)) > 0) {
  }
  fcntl(fd, F_SETFL, flags);
}

// Reads from `fd` until `done`, to unblock a writer.
void DrainUntil(int fd, const std::atomic<bool>& done) {
  char chunk[4096];
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  while (!done.load()) {
    if (read(fd, chunk, sizeof(chunk)) <= 0) usleep(1000);
  }
}

TEST_F(VariantWaitTest, FortifiedReadRecvRecvfromPoll) {
  Fds pipe = MakePipe();
  char byte;
  ExpectBlocked(
      PARKSCOPE_REASON_IO_WAIT, Fd(pipe.fds[0]),
      [&] { EXPECT_EQ(__read_chk(pipe.fds[0], &byte, 1, 1), 1); },
      [&] { Poke(pipe.fds[1]); });
  Fds pair = MakeSocketPair();
  ExpectBlocked(
      PARKSCOPE_REASON_IO_WAIT, Fd(pair.fds[0]),
      [&] { EXPECT_EQ(__recv_chk(pair.fds[0], &byte, 1, 1, 0), 1); },
      [&] { Poke(pair.fds[1]); });
  ExpectBlocked(
      PARKSCOPE_REASON_IO_WAIT, Fd(pair.fds[0]),
      [&] {
        EXPECT_EQ(__recvfrom_chk(pair.fds[0], &byte, 1, 1, 0, nullptr, nullptr),
                  1);
      },
      [&] { Poke(pair.fds[1]); });
  pollfd watched = {pipe.fds[0], POLLIN, 0};
  ExpectBlocked(
      PARKSCOPE_REASON_POLL, ObjectOf(&watched),
      [&] { EXPECT_EQ(__poll_chk(&watched, 1, -1, sizeof(watched)), 1); },
      [&] { Poke(pipe.fds[1]); });
  EXPECT_EQ(read(pipe.fds[0], &byte, 1), 1);
  ExpectBlocked(
      PARKSCOPE_REASON_POLL, ObjectOf(&watched),
      [&] {
        EXPECT_EQ(__ppoll_chk(&watched, 1, nullptr, nullptr, sizeof(watched)),
                  1);
      },
      [&] { Poke(pipe.fds[1]); });
}

TEST_F(VariantWaitTest, RecvfromRecvmmsgAndSendFamilies) {
  Fds pair = MakeSocketPair();
  char byte;
  ExpectBlocked(
      PARKSCOPE_REASON_IO_WAIT, Fd(pair.fds[0]),
      [&] {
        EXPECT_EQ(recvfrom(pair.fds[0], &byte, 1, 0, nullptr, nullptr), 1);
      },
      [&] { Poke(pair.fds[1]); });
  ExpectBlocked(
      PARKSCOPE_REASON_IO_WAIT, Fd(pair.fds[0]),
      [&] {
        iovec iov = {&byte, 1};
        mmsghdr message = {};
        message.msg_hdr.msg_iov = &iov;
        message.msg_hdr.msg_iovlen = 1;
        EXPECT_EQ(recvmmsg(pair.fds[0], &message, 1, 0, nullptr), 1);
      },
      [&] { Poke(pair.fds[1]); });

  Fill(pair.fds[1]);
  std::atomic<bool> sent{false};
  const std::function<void()> drain = [&] { DrainUntil(pair.fds[0], sent); };
  ExpectBlocked(
      PARKSCOPE_REASON_IO_WAIT, Fd(pair.fds[1]),
      [&] {
        EXPECT_EQ(send(pair.fds[1], "x", 1, 0), 1);
        sent.store(true);
      },
      drain);
  Fill(pair.fds[1]);
  sent.store(false);
  ExpectBlocked(
      PARKSCOPE_REASON_IO_WAIT, Fd(pair.fds[1]),
      [&] {
        EXPECT_EQ(sendto(pair.fds[1], "x", 1, 0, nullptr, 0), 1);
        sent.store(true);
      },
      drain);
  Fill(pair.fds[1]);
  sent.store(false);
  ExpectBlocked(
      PARKSCOPE_REASON_IO_WAIT, Fd(pair.fds[1]),
      [&] {
        char payload = 'x';
        iovec iov = {&payload, 1};
        msghdr message = {};
        message.msg_iov = &iov;
        message.msg_iovlen = 1;
        EXPECT_EQ(sendmsg(pair.fds[1], &message, 0), 1);
        sent.store(true);
      },
      drain);

  Fds pipe = MakePipe();
  Fill(pipe.fds[1]);
  sent.store(false);
  ExpectBlocked(
      PARKSCOPE_REASON_IO_WAIT, Fd(pipe.fds[1]),
      [&] {
        char payload = 'x';
        iovec iov = {&payload, 1};
        EXPECT_EQ(writev(pipe.fds[1], &iov, 1), 1);
        sent.store(true);
      },
      [&] { DrainUntil(pipe.fds[0], sent); });
}

TEST_F(VariantWaitTest, Accept4AndConnect) {
  const int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  sockaddr_un address = {};
  address.sun_family = AF_UNIX;
  std::snprintf(address.sun_path + 1, sizeof(address.sun_path) - 1,
                "parkscope-agent-variant-%d", getpid());
  auto* raw_address = reinterpret_cast<sockaddr*>(&address);
  ASSERT_EQ(bind(listener, raw_address, sizeof(address)), 0);
  ASSERT_EQ(listen(listener, 0), 0);
  int accepted = -1;
  ExpectBlocked(
      PARKSCOPE_REASON_IO_WAIT, Fd(listener),
      [&] { accepted = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC); },
      [&] {
        const int client = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        EXPECT_EQ(connect(client, raw_address, sizeof(address)), 0);
        close(client);
      });
  EXPECT_GE(accepted, 0);
  close(accepted);

  // A Unix listener with a full backlog makes a blocking connect wait.
  std::vector<int> pending;
  for (;;) {
    const int client =
        socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (connect(client, raw_address, sizeof(address)) != 0) {
      close(client);
      break;
    }
    pending.push_back(client);
  }
  const int blocked_client = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ExpectBlocked(
      PARKSCOPE_REASON_IO_WAIT, Fd(blocked_client),
      [&] {
        EXPECT_EQ(connect(blocked_client, raw_address, sizeof(address)), 0);
      },
      [&] {
        const int drained = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        EXPECT_GE(drained, 0);
        close(drained);
      });
  for (int client : pending) close(client);
  close(blocked_client);
  close(listener);
}

TEST_F(VariantWaitTest, EpollPwaitPwait2PpollPselect) {
  Fds pipe = MakePipe();
  const int epfd = epoll_create1(EPOLL_CLOEXEC);
  ASSERT_GE(epfd, 0);
  epoll_event interest = {};
  interest.events = EPOLLIN;
  ASSERT_EQ(epoll_ctl(epfd, EPOLL_CTL_ADD, pipe.fds[0], &interest), 0);
  char byte;
  auto consume = [&] { EXPECT_EQ(read(pipe.fds[0], &byte, 1), 1); };
  epoll_event ready;
  ExpectBlocked(
      PARKSCOPE_REASON_EPOLL_WAIT, Fd(epfd),
      [&] { EXPECT_EQ(epoll_pwait(epfd, &ready, 1, -1, nullptr), 1); },
      [&] { Poke(pipe.fds[1]); });
  consume();
  ExpectBlocked(
      PARKSCOPE_REASON_EPOLL_WAIT, Fd(epfd),
      [&] {
        const int result = epoll_pwait2(epfd, &ready, 1, nullptr, nullptr);
        EXPECT_TRUE(result == 1 || (result == -1 && errno == ENOSYS));
      },
      [&] { Poke(pipe.fds[1]); });
  consume();
  pollfd watched = {pipe.fds[0], POLLIN, 0};
  ExpectBlocked(
      PARKSCOPE_REASON_POLL, ObjectOf(&watched),
      [&] { EXPECT_EQ(ppoll(&watched, 1, nullptr, nullptr), 1); },
      [&] { Poke(pipe.fds[1]); });
  consume();
  fd_set readable;
  FD_ZERO(&readable);
  FD_SET(pipe.fds[0], &readable);
  ExpectBlocked(
      PARKSCOPE_REASON_POLL, ObjectOf(&readable),
      [&] {
        EXPECT_EQ(pselect(pipe.fds[0] + 1, &readable, nullptr, nullptr, nullptr,
                          nullptr),
                  1);
      },
      [&] { Poke(pipe.fds[1]); });
  close(epfd);
}

TEST_F(VariantWaitTest, TimedQueueCallsAndSysvSend) {
  const std::string name =
      "/parkscope-agent-variant-" + std::to_string(getpid());
  mq_attr attributes = {};
  attributes.mq_maxmsg = 1;
  attributes.mq_msgsize = 8;
  const mqd_t queue =
      mq_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600, &attributes);
  if (queue != static_cast<mqd_t>(-1)) {
    mq_unlink(name.c_str());
    char message[8];
    ExpectBlocked(
        PARKSCOPE_REASON_QUEUE_RECV, static_cast<uint64_t>(queue),
        [&] {
          timespec deadline = In(CLOCK_REALTIME, 60);
          EXPECT_EQ(mq_timedreceive(queue, message, sizeof(message), nullptr,
                                    &deadline),
                    1);
        },
        [&] { EXPECT_EQ(mq_send(queue, "x", 1, 0), 0); });
    EXPECT_EQ(mq_send(queue, "y", 1, 0), 0);
    ExpectBlocked(
        PARKSCOPE_REASON_QUEUE_SEND, static_cast<uint64_t>(queue),
        [&] {
          timespec deadline = In(CLOCK_REALTIME, 60);
          EXPECT_EQ(mq_timedsend(queue, "z", 1, 0, &deadline), 0);
        },
        [&] {
          EXPECT_EQ(mq_receive(queue, message, sizeof(message), nullptr), 1);
        });
    mq_close(queue);
  }

  const int sysv_queue = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
  if (sysv_queue < 0) GTEST_SKIP() << "SysV message queues unavailable";
  struct Message {
    long type;
    char text[1024];
  } message = {1, {}};
  while (msgsnd(sysv_queue, &message, sizeof(message.text), IPC_NOWAIT) == 0) {
  }
  ExpectBlocked(
      PARKSCOPE_REASON_QUEUE_SEND, static_cast<uint64_t>(sysv_queue),
      [&] {
        Message more = {1, {}};
        EXPECT_EQ(msgsnd(sysv_queue, &more, sizeof(more.text), 0), 0);
      },
      [&] {
        Message taken;
        EXPECT_EQ(msgrcv(sysv_queue, &taken, sizeof(taken.text), 0, 0),
                  static_cast<ssize_t>(sizeof(taken.text)));
      });
  msgctl(sysv_queue, IPC_RMID, nullptr);
}

TEST_F(VariantWaitTest, SysvSemop) {
  const int semaphores = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
  if (semaphores < 0) GTEST_SKIP() << "SysV semaphores unavailable";
  sembuf take = {0, -1, 0};
  sembuf give = {0, 1, 0};
  ExpectBlocked(
      PARKSCOPE_REASON_SEM_WAIT, static_cast<uint64_t>(semaphores),
      [&] { EXPECT_EQ(semop(semaphores, &take, 1), 0); },
      [&] { EXPECT_EQ(semop(semaphores, &give, 1), 0); });
  ExpectBlocked(
      PARKSCOPE_REASON_SEM_WAIT, static_cast<uint64_t>(semaphores),
      [&] {
        timespec timeout = {60, 0};
        EXPECT_EQ(semtimedop(semaphores, &take, 1, &timeout), 0);
      },
      [&] { EXPECT_EQ(semop(semaphores, &give, 1), 0); });
  semctl(semaphores, 0, IPC_RMID);
}

TEST_F(VariantWaitTest, ChildWaitVariants) {
  Fds pipe = MakePipe();
  auto spawn = [&] {
    const pid_t child = fork();
    if (child == 0) {
      char byte;
      _exit(read(pipe.fds[0], &byte, 1) == 1 ? 0 : 1);
    }
    return child;
  };
  pid_t child = spawn();
  ExpectBlocked(
      PARKSCOPE_REASON_WAITPID, static_cast<uint64_t>(-1),
      [&] { EXPECT_EQ(wait(nullptr), child); }, [&] { Poke(pipe.fds[1]); });
  child = spawn();
  ExpectBlocked(
      PARKSCOPE_REASON_WAITPID, static_cast<uint64_t>(child),
      [&] { EXPECT_EQ(wait4(child, nullptr, 0, nullptr), child); },
      [&] { Poke(pipe.fds[1]); });
  child = spawn();
  ExpectBlocked(
      PARKSCOPE_REASON_WAITPID, static_cast<uint64_t>(child),
      [&] {
        siginfo_t info = {};
        EXPECT_EQ(waitid(P_PID, child, &info, WEXITED), 0);
        EXPECT_EQ(info.si_pid, child);
      },
      [&] { Poke(pipe.fds[1]); });
}

TEST_F(VariantWaitTest, SignalWaitVariants) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR2);
  std::atomic<pthread_t> waiter_thread{};
  auto send_usr2 = [&] { pthread_kill(waiter_thread.load(), SIGUSR2); };
  ExpectBlocked(
      PARKSCOPE_REASON_SIGNAL_WAIT, ObjectOf(&set),
      [&] {
        pthread_sigmask(SIG_BLOCK, &set, nullptr);
        waiter_thread.store(pthread_self());
        EXPECT_EQ(sigwaitinfo(&set, nullptr), SIGUSR2);
      },
      send_usr2);
  ExpectBlocked(
      PARKSCOPE_REASON_SIGNAL_WAIT, ObjectOf(&set),
      [&] {
        pthread_sigmask(SIG_BLOCK, &set, nullptr);
        waiter_thread.store(pthread_self());
        timespec timeout = {60, 0};
        EXPECT_EQ(sigtimedwait(&set, nullptr, &timeout), SIGUSR2);
      },
      send_usr2);
  // sigsuspend: SIGUSR1 has a handler (InterruptUntilDone installs it).
  sigset_t suspend_mask;
  sigemptyset(&suspend_mask);
  const uint64_t before = MonotonicNs();
  ParkedThread suspended([&] { EXPECT_EQ(sigsuspend(&suspend_mask), -1); });
  ExpectParked(suspended.tid(), PARKSCOPE_REASON_SIGNAL_WAIT,
               ObjectOf(&suspend_mask), before);
  InterruptUntilDone(suspended);
}

TEST_F(VariantWaitTest, PthreadTimedAndClockVariants) {
  pthread_rwlock_t rwlock = PTHREAD_RWLOCK_INITIALIZER;
  pthread_rwlock_rdlock(&rwlock);
  ExpectBlocked(
      PARKSCOPE_REASON_RWLOCK_WRITE, ObjectOf(&rwlock),
      [&] {
        timespec deadline = In(CLOCK_REALTIME, 60);
        EXPECT_EQ(pthread_rwlock_timedwrlock(&rwlock, &deadline), 0);
        pthread_rwlock_unlock(&rwlock);
      },
      [&] { pthread_rwlock_unlock(&rwlock); });
  pthread_rwlock_wrlock(&rwlock);
  ExpectBlocked(
      PARKSCOPE_REASON_RWLOCK_READ, ObjectOf(&rwlock),
      [&] {
        timespec deadline = In(CLOCK_MONOTONIC, 60);
        EXPECT_EQ(
            pthread_rwlock_clockrdlock(&rwlock, CLOCK_MONOTONIC, &deadline), 0);
        pthread_rwlock_unlock(&rwlock);
      },
      [&] { pthread_rwlock_unlock(&rwlock); });

  pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
  pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
  bool ready = false;
  auto signal_ready = [&] {
    pthread_mutex_lock(&mutex);
    ready = true;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&mutex);
  };
  ExpectBlocked(
      PARKSCOPE_REASON_COND_WAIT, ObjectOf(&cond),
      [&] {
        pthread_mutex_lock(&mutex);
        while (!ready) pthread_cond_wait(&cond, &mutex);
        pthread_mutex_unlock(&mutex);
      },
      signal_ready);
  ready = false;
  ExpectBlocked(
      PARKSCOPE_REASON_COND_WAIT, ObjectOf(&cond),
      [&] {
        pthread_mutex_lock(&mutex);
        timespec deadline = In(CLOCK_MONOTONIC, 60);
        while (!ready)
          pthread_cond_clockwait(&cond, &mutex, CLOCK_MONOTONIC, &deadline);
        pthread_mutex_unlock(&mutex);
      },
      signal_ready);

  sem_t sem;
  ASSERT_EQ(sem_init(&sem, 0, 0), 0);
  ExpectBlocked(
      PARKSCOPE_REASON_SEM_WAIT, ObjectOf(&sem),
      [&] {
        timespec deadline = In(CLOCK_MONOTONIC, 60);
        EXPECT_EQ(sem_clockwait(&sem, CLOCK_MONOTONIC, &deadline), 0);
      },
      [&] { sem_post(&sem); });
  sem_destroy(&sem);

  std::atomic<int> release{0};
  auto start_target = [&] {
    pthread_t target;
    EXPECT_EQ(pthread_create(
                  &target, nullptr,
                  [](void* word) -> void* {
                    static_cast<std::atomic<int>*>(word)->wait(0);
                    return nullptr;
                  },
                  &release),
              0);
    return target;
  };
  auto release_target = [&] {
    release.store(1);
    release.notify_all();
  };
  pthread_t target = start_target();
  ExpectBlocked(
      PARKSCOPE_REASON_JOIN, static_cast<uint64_t>(target),
      [&] {
        timespec deadline = In(CLOCK_REALTIME, 60);
        EXPECT_EQ(pthread_timedjoin_np(target, nullptr, &deadline), 0);
      },
      release_target);
  release.store(0);
  target = start_target();
  ExpectBlocked(
      PARKSCOPE_REASON_JOIN, static_cast<uint64_t>(target),
      [&] {
        timespec deadline = In(CLOCK_MONOTONIC, 60);
        EXPECT_EQ(
            pthread_clockjoin_np(target, nullptr, CLOCK_MONOTONIC, &deadline),
            0);
      },
      release_target);
}

TEST_F(VariantWaitTest, PiFutexLockShowsFutexWait) {
  // A PI futex word holds its owner's tid; FUTEX_LOCK_PI on it blocks until
  // the owner's FUTEX_UNLOCK_PI hands it over.
  uint32_t word = static_cast<uint32_t>(CurrentTid());
  ExpectBlocked(
      PARKSCOPE_REASON_FUTEX_WAIT, ObjectOf(&word),
      [&] {
        EXPECT_EQ(syscall(SYS_futex, &word, FUTEX_LOCK_PI_PRIVATE, 0, nullptr,
                          nullptr, 0),
                  0);
        EXPECT_EQ(syscall(SYS_futex, &word, FUTEX_UNLOCK_PI_PRIVATE, 0, nullptr,
                          nullptr, 0),
                  0);
      },
      [&] {
        EXPECT_EQ(syscall(SYS_futex, &word, FUTEX_UNLOCK_PI_PRIVATE, 0, nullptr,
                          nullptr, 0),
                  0);
      });
}

TEST_F(VariantWaitTest, FutexWaitvShowsTheWaiterArray) {
  // struct futex_waitv from <linux/futex.h> (kernel 5.16+), spelled out for
  // older headers.
  struct Waiter {
    uint64_t value;
    uint64_t address;
    uint32_t flags;
    uint32_t reserved;
  };
  constexpr long kSysFutexWaitv = 449;
  constexpr uint32_t kFutex32 = 2;
  uint32_t word = 0;
  Waiter waiters[1] = {{0, reinterpret_cast<uintptr_t>(&word),
                        kFutex32 | FUTEX_PRIVATE_FLAG, 0}};
  errno = 0;
  if (syscall(kSysFutexWaitv, nullptr, 0, 0, nullptr, 0) == -1 &&
      errno == ENOSYS) {
    GTEST_SKIP() << "futex_waitv needs Linux 5.16";
  }
  ExpectBlocked(
      PARKSCOPE_REASON_FUTEX_WAIT, ObjectOf(waiters),
      [&] {
        while (__atomic_load_n(&word, __ATOMIC_ACQUIRE) == 0)
          syscall(kSysFutexWaitv, waiters, 1, 0, nullptr, CLOCK_MONOTONIC);
      },
      [&] {
        __atomic_store_n(&word, 1, __ATOMIC_RELEASE);
        syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
      });
}

}  // namespace
}  // namespace parkscope::agent_test
