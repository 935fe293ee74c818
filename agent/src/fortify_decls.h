// glibc's _FORTIFY_SOURCE entry points. <bits/*_chk.h> declare them only
// when fortification is on, and the agent is built without it (it must not
// fortify its own calls), so declare the ones the agent interposes here.
// Signatures follow glibc 2.36's debug/*_chk.c.
#pragma once

#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

extern "C" {
ssize_t __read_chk(int fd, void* buf, size_t nbytes, size_t buflen);
ssize_t __recv_chk(int fd, void* buf, size_t len, size_t buflen, int flags);
ssize_t __recvfrom_chk(int fd, void* buf, size_t len, size_t buflen, int flags,
                       struct sockaddr* from, socklen_t* fromlen);
int __poll_chk(struct pollfd* fds, nfds_t nfds, int timeout, size_t fdslen);
int __ppoll_chk(struct pollfd* fds, nfds_t nfds, const struct timespec* timeout,
                const sigset_t* ss, size_t fdslen);
}
