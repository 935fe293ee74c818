#include "ptrace/disturbed_calls.h"

#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace parkscope {

bool IsAlwaysDisturbedByStop(int nr) {
  switch (nr) {
    case SYS_epoll_wait:
    case SYS_epoll_pwait:
    case SYS_epoll_pwait2:
    case SYS_semop:
    case SYS_semtimedop:
    case SYS_rt_sigtimedwait:
      return true;
    default:
      return false;
  }
}

bool IsSocketCall(int nr) {
  switch (nr) {
    case SYS_read:
    case SYS_readv:
    case SYS_write:
    case SYS_writev:
    case SYS_recvfrom:
    case SYS_recvmsg:
    case SYS_recvmmsg:
    case SYS_sendto:
    case SYS_sendmsg:
    case SYS_sendmmsg:
    case SYS_accept:
    case SYS_accept4:
    case SYS_connect:
      return true;
    default:
      return false;
  }
}

namespace {

class OwnedFd {
 public:
  explicit OwnedFd(int fd) : fd_(fd) {}
  ~OwnedFd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

bool TimeoutSet(int sock, int option) {
  timeval tv{};
  socklen_t len = sizeof tv;
  if (getsockopt(sock, SOL_SOCKET, option, &tv, &len) != 0) return true;
  return tv.tv_sec != 0 || tv.tv_usec != 0;
}

}  // namespace

bool SocketHasTimeout(Pid pid, long fd) {
  if (fd < 0 || fd > (1L << 30)) return true;
  OwnedFd pidfd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
  if (pidfd.get() < 0) return true;
  OwnedFd dup(static_cast<int>(syscall(SYS_pidfd_getfd, pidfd.get(), fd, 0)));
  if (dup.get() < 0) return true;
  int type = 0;
  socklen_t len = sizeof type;
  if (getsockopt(dup.get(), SOL_SOCKET, SO_TYPE, &type, &len) != 0) {
    return errno != ENOTSOCK;  // not a socket: a plain read, safe to stop
  }
  return TimeoutSet(dup.get(), SO_RCVTIMEO) || TimeoutSet(dup.get(), SO_SNDTIMEO);
}

std::string_view DisturbedCallsDescription() {
  return "epoll_wait, epoll_pwait, epoll_pwait2, semop, semtimedop, "
         "rt_sigtimedwait, and socket calls on sockets with SO_RCVTIMEO or "
         "SO_SNDTIMEO";
}

}  // namespace parkscope
