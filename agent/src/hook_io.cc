// Blocking file and socket I/O: read/write, the recv/send family, accept,
// connect, flock. The object is the file descriptor.
//
// Whether a call will block depends on the descriptor (O_NONBLOCK, buffer
// state), which cannot be checked cheaply, so every call is recorded, with
// CLOCK_MONOTONIC_COARSE: about 3 ns against a system call of 200 ns or more
// (capture-facts §2). Calls that say themselves they will not block
// (MSG_DONTWAIT, LOCK_NB) are forwarded without a record.
//
// The _chk variants are what -D_FORTIFY_SOURCE turns read/recv/recvfrom
// into. They do their bounds check and then call glibc's internal read, not
// our hook, so recording here does not record twice. stdio (fgets, fread)
// also reads through internal calls and is not seen at all; the collector
// falls back to /proc and the stack for those (capture-facts §1).
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "export.h"
#include "fortify_decls.h"
#include "real_symbols.h"
#include "wait_scope.h"

using parkscope::agent::ObjectOf;
using parkscope::agent::WaitClock;
using parkscope::agent::WaitScope;

// Declares the scope for descriptor `fd`.
#define PARKSCOPE_IO_WAIT(fd)                                    \
  WaitScope parked(PARKSCOPE_REASON_IO_WAIT, ObjectOf(long{fd}), \
                   WaitClock::kCoarse)

extern "C" PARKSCOPE_EXPORT ssize_t read(int fd, void* buffer, size_t size) {
  PARKSCOPE_REAL_OR_ERRNO(read);
  PARKSCOPE_IO_WAIT(fd);
  return real_read(fd, buffer, size);
}

extern "C" PARKSCOPE_EXPORT ssize_t readv(int fd, const struct iovec* iov,
                                          int count) {
  PARKSCOPE_REAL_OR_ERRNO(readv);
  PARKSCOPE_IO_WAIT(fd);
  return real_readv(fd, iov, count);
}

extern "C" PARKSCOPE_EXPORT ssize_t __read_chk(int fd, void* buffer,
                                               size_t size, size_t capacity) {
  PARKSCOPE_REAL_OR_ERRNO(__read_chk);
  PARKSCOPE_IO_WAIT(fd);
  return real___read_chk(fd, buffer, size, capacity);
}

extern "C" PARKSCOPE_EXPORT ssize_t write(int fd, const void* buffer,
                                          size_t size) {
  PARKSCOPE_REAL_OR_ERRNO(write);
  PARKSCOPE_IO_WAIT(fd);
  return real_write(fd, buffer, size);
}

extern "C" PARKSCOPE_EXPORT ssize_t writev(int fd, const struct iovec* iov,
                                           int count) {
  PARKSCOPE_REAL_OR_ERRNO(writev);
  PARKSCOPE_IO_WAIT(fd);
  return real_writev(fd, iov, count);
}

extern "C" PARKSCOPE_EXPORT ssize_t recv(int fd, void* buffer, size_t size,
                                         int flags) {
  PARKSCOPE_REAL_OR_ERRNO(recv);
  if (flags & MSG_DONTWAIT) return real_recv(fd, buffer, size, flags);
  PARKSCOPE_IO_WAIT(fd);
  return real_recv(fd, buffer, size, flags);
}

extern "C" PARKSCOPE_EXPORT ssize_t __recv_chk(int fd, void* buffer,
                                               size_t size, size_t capacity,
                                               int flags) {
  PARKSCOPE_REAL_OR_ERRNO(__recv_chk);
  if (flags & MSG_DONTWAIT)
    return real___recv_chk(fd, buffer, size, capacity, flags);
  PARKSCOPE_IO_WAIT(fd);
  return real___recv_chk(fd, buffer, size, capacity, flags);
}

extern "C" PARKSCOPE_EXPORT ssize_t recvfrom(int fd, void* buffer, size_t size,
                                             int flags, struct sockaddr* from,
                                             socklen_t* from_size) {
  PARKSCOPE_REAL_OR_ERRNO(recvfrom);
  if (flags & MSG_DONTWAIT)
    return real_recvfrom(fd, buffer, size, flags, from, from_size);
  PARKSCOPE_IO_WAIT(fd);
  return real_recvfrom(fd, buffer, size, flags, from, from_size);
}

extern "C" PARKSCOPE_EXPORT ssize_t __recvfrom_chk(int fd, void* buffer,
                                                   size_t size, size_t capacity,
                                                   int flags,
                                                   struct sockaddr* from,
                                                   socklen_t* from_size) {
  PARKSCOPE_REAL_OR_ERRNO(__recvfrom_chk);
  if (flags & MSG_DONTWAIT) {
    return real___recvfrom_chk(fd, buffer, size, capacity, flags, from,
                               from_size);
  }
  PARKSCOPE_IO_WAIT(fd);
  return real___recvfrom_chk(fd, buffer, size, capacity, flags, from,
                             from_size);
}

extern "C" PARKSCOPE_EXPORT ssize_t recvmsg(int fd, struct msghdr* message,
                                            int flags) {
  PARKSCOPE_REAL_OR_ERRNO(recvmsg);
  if (flags & MSG_DONTWAIT) return real_recvmsg(fd, message, flags);
  PARKSCOPE_IO_WAIT(fd);
  return real_recvmsg(fd, message, flags);
}

extern "C" PARKSCOPE_EXPORT int recvmmsg(int fd, struct mmsghdr* messages,
                                         unsigned count, int flags,
                                         struct timespec* timeout) {
  PARKSCOPE_REAL_OR_ERRNO(recvmmsg);
  if (flags & MSG_DONTWAIT)
    return real_recvmmsg(fd, messages, count, flags, timeout);
  PARKSCOPE_IO_WAIT(fd);
  return real_recvmmsg(fd, messages, count, flags, timeout);
}

extern "C" PARKSCOPE_EXPORT ssize_t send(int fd, const void* buffer,
                                         size_t size, int flags) {
  PARKSCOPE_REAL_OR_ERRNO(send);
  if (flags & MSG_DONTWAIT) return real_send(fd, buffer, size, flags);
  PARKSCOPE_IO_WAIT(fd);
  return real_send(fd, buffer, size, flags);
}

extern "C" PARKSCOPE_EXPORT ssize_t sendto(int fd, const void* buffer,
                                           size_t size, int flags,
                                           const struct sockaddr* to,
                                           socklen_t to_size) {
  PARKSCOPE_REAL_OR_ERRNO(sendto);
  if (flags & MSG_DONTWAIT)
    return real_sendto(fd, buffer, size, flags, to, to_size);
  PARKSCOPE_IO_WAIT(fd);
  return real_sendto(fd, buffer, size, flags, to, to_size);
}

extern "C" PARKSCOPE_EXPORT ssize_t sendmsg(int fd,
                                            const struct msghdr* message,
                                            int flags) {
  PARKSCOPE_REAL_OR_ERRNO(sendmsg);
  if (flags & MSG_DONTWAIT) return real_sendmsg(fd, message, flags);
  PARKSCOPE_IO_WAIT(fd);
  return real_sendmsg(fd, message, flags);
}

extern "C" PARKSCOPE_EXPORT int accept(int fd, struct sockaddr* peer,
                                       socklen_t* peer_size) {
  PARKSCOPE_REAL_OR_ERRNO(accept);
  PARKSCOPE_IO_WAIT(fd);
  return real_accept(fd, peer, peer_size);
}

extern "C" PARKSCOPE_EXPORT int accept4(int fd, struct sockaddr* peer,
                                        socklen_t* peer_size, int flags) {
  PARKSCOPE_REAL_OR_ERRNO(accept4);
  PARKSCOPE_IO_WAIT(fd);
  return real_accept4(fd, peer, peer_size, flags);
}

extern "C" PARKSCOPE_EXPORT int connect(int fd, const struct sockaddr* peer,
                                        socklen_t peer_size) {
  PARKSCOPE_REAL_OR_ERRNO(connect);
  PARKSCOPE_IO_WAIT(fd);
  return real_connect(fd, peer, peer_size);
}

extern "C" PARKSCOPE_EXPORT int flock(int fd, int operation) noexcept {
  PARKSCOPE_REAL_OR_ERRNO(flock);
  if (operation & LOCK_NB) return real_flock(fd, operation);
  PARKSCOPE_IO_WAIT(fd);
  return real_flock(fd, operation);
}
