#include "proc/fd_kind.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <climits>
#include <initializer_list>
#include <string>
#include <vector>

namespace parkscope {
namespace {

using namespace std::string_literals;

// Closes the fds a test opened, whatever the outcome.
class FdGuard {
 public:
  explicit FdGuard(std::initializer_list<int> fds) : fds_(fds) {}
  ~FdGuard() {
    for (int fd : fds_) {
      if (fd >= 0) close(fd);
    }
  }

 private:
  std::vector<int> fds_;
};

TEST(ProcFdKind, KernelLinkShapes) {
  EXPECT_EQ(FdKindFromLink("socket:[123]"), "socket");
  EXPECT_EQ(FdKindFromLink("pipe:[4567]"), "pipe");
  EXPECT_EQ(FdKindFromLink("anon_inode:[eventfd]"), "eventfd");
  EXPECT_EQ(FdKindFromLink("anon_inode:[eventpoll]"), "epoll");
  EXPECT_EQ(FdKindFromLink("anon_inode:[timerfd]"), "timerfd");
  EXPECT_EQ(FdKindFromLink("anon_inode:[signalfd]"), "signalfd");
  EXPECT_EQ(FdKindFromLink("anon_inode:inotify"), "inotify");
  EXPECT_EQ(FdKindFromLink("anon_inode:[pidfd]"), "anon");
  EXPECT_EQ(FdKindFromLink("anon_inode:[io_uring]"), "anon");
  EXPECT_EQ(FdKindFromLink("anon_inode:"), "anon");
  EXPECT_EQ(FdKindFromLink("/dev/null"), "device");
  EXPECT_EQ(FdKindFromLink("/dev/pts/3"), "device");
  EXPECT_EQ(FdKindFromLink("/home/u/log.txt"), "file");
  EXPECT_EQ(FdKindFromLink("/memfd:buf (deleted)"), "file");
  EXPECT_EQ(FdKindFromLink("/"), "file");
}

TEST(ProcFdKind, UnrecognisedLinksAreUnknown) {
  EXPECT_EQ(FdKindFromLink(""), "unknown");
  EXPECT_EQ(FdKindFromLink("net:[4026531840]"), "unknown");
  EXPECT_EQ(FdKindFromLink("socket"), "unknown");
  EXPECT_EQ(FdKindFromLink("socket:"), "unknown");
  EXPECT_EQ(FdKindFromLink("pipe"), "unknown");
  EXPECT_EQ(FdKindFromLink("anon_inode[eventfd]"), "unknown");
  EXPECT_EQ(FdKindFromLink("dev/null"), "unknown");
  EXPECT_EQ(FdKindFromLink("\0socket:[1]"s), "unknown");
  EXPECT_EQ(FdKindFromLink(std::string(100'000, '\xff')), "unknown");
  // Exact names only: a longer anon name is just "anon".
  EXPECT_EQ(FdKindFromLink("anon_inode:[eventfd]x"), "anon");
}

TEST(ProcFdKind, LivePipeSocketEventfdEpoll) {
  int pipe_fds[2] = {-1, -1};
  ASSERT_EQ(pipe2(pipe_fds, O_CLOEXEC), 0);
  int sock_fds[2] = {-1, -1};
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sock_fds), 0);
  int event_fd = eventfd(0, EFD_CLOEXEC);
  int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  FdGuard guard({pipe_fds[0], pipe_fds[1], sock_fds[0], sock_fds[1], event_fd,
                 epoll_fd});
  ASSERT_GE(event_fd, 0);
  ASSERT_GE(epoll_fd, 0);

  EXPECT_EQ(ReadFdKind(getpid(), pipe_fds[0]), "pipe");
  EXPECT_EQ(ReadFdKind(getpid(), pipe_fds[1]), "pipe");
  EXPECT_EQ(ReadFdKind(getpid(), sock_fds[0]), "socket");
  EXPECT_EQ(ReadFdKind(getpid(), event_fd), "eventfd");
  EXPECT_EQ(ReadFdKind(getpid(), epoll_fd), "epoll");
}

TEST(ProcFdKind, LiveFileAndDevice) {
  int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  int file_fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
  FdGuard guard({null_fd, file_fd});
  ASSERT_GE(null_fd, 0);
  ASSERT_GE(file_fd, 0);
  EXPECT_EQ(ReadFdKind(getpid(), null_fd), "device");
  EXPECT_EQ(ReadFdKind(getpid(), file_fd), "file");
}

TEST(ProcFdKind, BadFdsAreUnknown) {
  EXPECT_EQ(ReadFdKind(getpid(), -1), "unknown");
  EXPECT_EQ(ReadFdKind(getpid(), LONG_MIN), "unknown");
  EXPECT_EQ(ReadFdKind(getpid(), static_cast<long>(INT_MAX) + 1), "unknown");
  EXPECT_EQ(ReadFdKind(getpid(), LONG_MAX), "unknown");
  EXPECT_EQ(ReadFdKind(getpid(), 999'999), "unknown");  // not open
  EXPECT_EQ(ReadFdKind(0, 0), "unknown");
  EXPECT_EQ(ReadFdKind(-1, 0), "unknown");
}

}  // namespace
}  // namespace parkscope
