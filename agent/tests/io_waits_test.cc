// Threads blocked in file/socket I/O, readiness waits, message queues,
// child and signal waits and sleeps show the right reason, object, start
// time and tid.
#include <fcntl.h>
#include <mqueue.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/msg.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "agent_test_support.h"

namespace parkscope::agent_test {
namespace {

class IoWaitTest : public AgentTest {};

// A pipe whose ends close with the test.
struct Pipe {
  int read_end = -1;
  int write_end = -1;
  Pipe() {
    int fds[2];
    EXPECT_EQ(pipe2(fds, O_CLOEXEC), 0);
    read_end = fds[0];
    write_end = fds[1];
  }
  ~Pipe() {
    if (read_end >= 0) close(read_end);
    if (write_end >= 0) close(write_end);
  }
  void Poke() const { EXPECT_EQ(write(write_end, "x", 1), 1); }
};

struct SocketPair {
  int fds[2] = {-1, -1};
  SocketPair() {
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
  }
  ~SocketPair() {
    close(fds[0]);
    close(fds[1]);
  }
};

uint64_t Fd(int fd) { return static_cast<uint64_t>(fd); }

TEST_F(IoWaitTest, ReadOnPipeShowsIoWaitOnFd) {
  Pipe pipe;
  const uint64_t before = MonotonicNs();
  ParkedThread reader([&] {
    char byte;
    EXPECT_EQ(read(pipe.read_end, &byte, 1), 1);
  });
  ExpectParked(reader.tid(), PARKSCOPE_REASON_IO_WAIT, Fd(pipe.read_end),
               before);
  pipe.Poke();
}

TEST_F(IoWaitTest, ReadvOnPipeShowsIoWaitOnFd) {
  Pipe pipe;
  const uint64_t before = MonotonicNs();
  ParkedThread reader([&] {
    char byte;
    iovec iov = {&byte, 1};
    EXPECT_EQ(readv(pipe.read_end, &iov, 1), 1);
  });
  ExpectParked(reader.tid(), PARKSCOPE_REASON_IO_WAIT, Fd(pipe.read_end),
               before);
  pipe.Poke();
}

TEST_F(IoWaitTest, WriteToFullPipeShowsIoWaitOnFd) {
  Pipe pipe;
  ASSERT_EQ(fcntl(pipe.write_end, F_SETFL, O_NONBLOCK), 0);
  char chunk[4096] = {};
  while (write(pipe.write_end, chunk, sizeof(chunk)) > 0) {
  }
  ASSERT_EQ(fcntl(pipe.write_end, F_SETFL, 0), 0);
  const uint64_t before = MonotonicNs();
  ParkedThread writer([&] { EXPECT_EQ(write(pipe.write_end, "x", 1), 1); });
  ExpectParked(writer.tid(), PARKSCOPE_REASON_IO_WAIT, Fd(pipe.write_end),
               before);
  // Drain without blocking: the writer's byte may be the last one read.
  ASSERT_EQ(fcntl(pipe.read_end, F_SETFL, O_NONBLOCK), 0);
  while (!writer.done()) {
    if (read(pipe.read_end, chunk, sizeof(chunk)) <= 0) usleep(1000);
  }
}

TEST_F(IoWaitTest, RecvOnSocketpairShowsIoWaitOnFd) {
  SocketPair sockets;
  const uint64_t before = MonotonicNs();
  ParkedThread receiver([&] {
    char byte;
    EXPECT_EQ(recv(sockets.fds[0], &byte, 1, 0), 1);
  });
  ExpectParked(receiver.tid(), PARKSCOPE_REASON_IO_WAIT, Fd(sockets.fds[0]),
               before);
  EXPECT_EQ(send(sockets.fds[1], "x", 1, 0), 1);
}

TEST_F(IoWaitTest, RecvmsgOnSocketpairShowsIoWaitOnFd) {
  SocketPair sockets;
  const uint64_t before = MonotonicNs();
  ParkedThread receiver([&] {
    char byte;
    iovec iov = {&byte, 1};
    msghdr message = {};
    message.msg_iov = &iov;
    message.msg_iovlen = 1;
    EXPECT_EQ(recvmsg(sockets.fds[0], &message, 0), 1);
  });
  ExpectParked(receiver.tid(), PARKSCOPE_REASON_IO_WAIT, Fd(sockets.fds[0]),
               before);
  EXPECT_EQ(send(sockets.fds[1], "x", 1, 0), 1);
}

TEST_F(IoWaitTest, AcceptShowsIoWaitOnListeningFd) {
  const int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  sockaddr_un address = {};
  address.sun_family = AF_UNIX;
  // Abstract namespace: nothing to clean up on disk.
  std::snprintf(address.sun_path + 1, sizeof(address.sun_path) - 1,
                "parkscope-agent-test-%d", getpid());
  const socklen_t size = sizeof(address);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&address), size), 0);
  ASSERT_EQ(listen(listener, 1), 0);
  const uint64_t before = MonotonicNs();
  ParkedThread acceptor([&] {
    const int accepted = accept(listener, nullptr, nullptr);
    EXPECT_GE(accepted, 0);
    close(accepted);
  });
  ExpectParked(acceptor.tid(), PARKSCOPE_REASON_IO_WAIT, Fd(listener), before);
  const int client = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  EXPECT_EQ(connect(client, reinterpret_cast<sockaddr*>(&address), size), 0);
  acceptor.Join();
  close(client);
  close(listener);
}

TEST_F(IoWaitTest, EpollWaitShowsEpollWaitOnEpfd) {
  Pipe pipe;
  const int epfd = epoll_create1(EPOLL_CLOEXEC);
  ASSERT_GE(epfd, 0);
  epoll_event interest = {};
  interest.events = EPOLLIN;
  ASSERT_EQ(epoll_ctl(epfd, EPOLL_CTL_ADD, pipe.read_end, &interest), 0);
  const uint64_t before = MonotonicNs();
  ParkedThread waiter([&] {
    epoll_event ready;
    // A ptrace stop would make this EINTR; nothing stops us here.
    EXPECT_EQ(epoll_wait(epfd, &ready, 1, -1), 1);
  });
  ExpectParked(waiter.tid(), PARKSCOPE_REASON_EPOLL_WAIT, Fd(epfd), before);
  pipe.Poke();
  waiter.Join();
  close(epfd);
}

TEST_F(IoWaitTest, PollShowsPollOnTheArray) {
  Pipe pipe;
  pollfd watched = {pipe.read_end, POLLIN, 0};
  const uint64_t before = MonotonicNs();
  ParkedThread waiter([&] { EXPECT_EQ(poll(&watched, 1, -1), 1); });
  ExpectParked(waiter.tid(), PARKSCOPE_REASON_POLL, ObjectOf(&watched), before);
  pipe.Poke();
}

TEST_F(IoWaitTest, SelectShowsPollOnReadfds) {
  Pipe pipe;
  fd_set readable;
  FD_ZERO(&readable);
  FD_SET(pipe.read_end, &readable);
  const uint64_t before = MonotonicNs();
  ParkedThread waiter([&] {
    EXPECT_EQ(select(pipe.read_end + 1, &readable, nullptr, nullptr, nullptr),
              1);
  });
  ExpectParked(waiter.tid(), PARKSCOPE_REASON_POLL, ObjectOf(&readable),
               before);
  pipe.Poke();
}

TEST_F(IoWaitTest, MqReceiveShowsQueueRecvOnDescriptor) {
  const std::string name = "/parkscope-agent-test-" + std::to_string(getpid());
  mq_attr attributes = {};
  attributes.mq_maxmsg = 1;
  attributes.mq_msgsize = 8;
  const mqd_t queue =
      mq_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600, &attributes);
  if (queue == static_cast<mqd_t>(-1)) {
    GTEST_SKIP() << "POSIX message queues unavailable: "
                 << std::strerror(errno);
  }
  mq_unlink(name.c_str());
  const uint64_t before = MonotonicNs();
  ParkedThread receiver([&] {
    char message[8];
    EXPECT_EQ(mq_receive(queue, message, sizeof(message), nullptr), 1);
  });
  ExpectParked(receiver.tid(), PARKSCOPE_REASON_QUEUE_RECV,
               static_cast<uint64_t>(queue), before);
  EXPECT_EQ(mq_send(queue, "x", 1, 0), 0);
  receiver.Join();

  // The queue holds one message: a second send blocks.
  EXPECT_EQ(mq_send(queue, "y", 1, 0), 0);
  const uint64_t before_send = MonotonicNs();
  ParkedThread sender([&] { EXPECT_EQ(mq_send(queue, "z", 1, 0), 0); });
  ExpectParked(sender.tid(), PARKSCOPE_REASON_QUEUE_SEND,
               static_cast<uint64_t>(queue), before_send);
  char message[8];
  EXPECT_EQ(mq_receive(queue, message, sizeof(message), nullptr), 1);
  sender.Join();
  mq_close(queue);
}

TEST_F(IoWaitTest, MsgrcvShowsQueueRecvOnQueueId) {
  const int queue = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
  if (queue < 0) {
    GTEST_SKIP() << "SysV message queues unavailable: " << std::strerror(errno);
  }
  struct Message {
    long type;
    char text[1];
  };
  const uint64_t before = MonotonicNs();
  ParkedThread receiver([&] {
    Message message;
    EXPECT_EQ(msgrcv(queue, &message, sizeof(message.text), 0, 0), 1);
  });
  ExpectParked(receiver.tid(), PARKSCOPE_REASON_QUEUE_RECV,
               static_cast<uint64_t>(queue), before);
  Message message = {1, {'x'}};
  EXPECT_EQ(msgsnd(queue, &message, sizeof(message.text), 0), 0);
  receiver.Join();
  msgctl(queue, IPC_RMID, nullptr);
}

TEST_F(IoWaitTest, FlockShowsIoWaitOnFd) {
  char path[] = "/tmp/parkscope-agent-flock-XXXXXX";
  const int holder = mkstemp(path);
  ASSERT_GE(holder, 0);
  unlink(path);
  ASSERT_EQ(flock(holder, LOCK_EX), 0);
  const int contender = open(
      ("/proc/self/fd/" + std::to_string(holder)).c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(contender, 0);
  const uint64_t before = MonotonicNs();
  ParkedThread waiter([&] { EXPECT_EQ(flock(contender, LOCK_EX), 0); });
  ExpectParked(waiter.tid(), PARKSCOPE_REASON_IO_WAIT, Fd(contender), before);
  flock(holder, LOCK_UN);
  waiter.Join();
  close(contender);
  close(holder);
}

TEST_F(IoWaitTest, WaitpidShowsWaitpidOnChildPid) {
  Pipe pipe;
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    char byte;
    close(pipe.write_end);
    _exit(read(pipe.read_end, &byte, 1) == 0 ? 0 : 1);
  }
  close(pipe.read_end);
  pipe.read_end = -1;
  const uint64_t before = MonotonicNs();
  ParkedThread waiter([&] {
    int status = 0;
    EXPECT_EQ(waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  });
  ExpectParked(waiter.tid(), PARKSCOPE_REASON_WAITPID,
               static_cast<uint64_t>(child), before);
  close(pipe.write_end);
  pipe.write_end = -1;
}

TEST_F(IoWaitTest, SigwaitShowsSignalWaitOnTheSet) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR2);
  const uint64_t before = MonotonicNs();
  ParkedThread waiter([&] {
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    int signal = 0;
    EXPECT_EQ(sigwait(&set, &signal), 0);
    EXPECT_EQ(signal, SIGUSR2);
  });
  ExpectParked(waiter.tid(), PARKSCOPE_REASON_SIGNAL_WAIT, ObjectOf(&set),
               before);
  pthread_kill(waiter.thread().native_handle(), SIGUSR2);
}

TEST_F(IoWaitTest, PauseShowsSignalWait) {
  const uint64_t before = MonotonicNs();
  ParkedThread waiter([] { EXPECT_EQ(pause(), -1); });
  ExpectParked(waiter.tid(), PARKSCOPE_REASON_SIGNAL_WAIT, 0, before);
  InterruptUntilDone(waiter);
}

TEST_F(IoWaitTest, NanosleepShowsSleep) {
  const uint64_t before = MonotonicNs();
  ParkedThread sleeper([] {
    // Repeats if the first interrupt lands before the call starts.
    timespec duration = {1, 0};
    while (nanosleep(&duration, nullptr) == 0) {
    }
    EXPECT_EQ(errno, EINTR);
  });
  ExpectParked(sleeper.tid(), PARKSCOPE_REASON_SLEEP, 0, before);
  InterruptUntilDone(sleeper);
}

TEST_F(IoWaitTest, ClockNanosleepShowsSleep) {
  const uint64_t before = MonotonicNs();
  ParkedThread sleeper([] {
    timespec duration = {1, 0};
    int result;
    while ((result = clock_nanosleep(CLOCK_MONOTONIC, 0, &duration, nullptr)) ==
           0) {
    }
    EXPECT_EQ(result, EINTR);
  });
  ExpectParked(sleeper.tid(), PARKSCOPE_REASON_SLEEP, 0, before);
  InterruptUntilDone(sleeper);
}

TEST_F(IoWaitTest, UsleepShowsSleepWithDuration) {
  const uint64_t before = MonotonicNs();
  ParkedThread sleeper([] {
    while (usleep(900'000) == 0) {
    }
    EXPECT_EQ(errno, EINTR);
  });
  ExpectParked(sleeper.tid(), PARKSCOPE_REASON_SLEEP, 900'000'000u, before);
  InterruptUntilDone(sleeper);
}

TEST_F(IoWaitTest, SleepShowsSleepWithDuration) {
  const uint64_t before = MonotonicNs();
  ParkedThread sleeper([] {
    while (sleep(2) == 0) {
    }
  });
  ExpectParked(sleeper.tid(), PARKSCOPE_REASON_SLEEP, 2'000'000'000u, before);
  InterruptUntilDone(sleeper);
}

}  // namespace
}  // namespace parkscope::agent_test
