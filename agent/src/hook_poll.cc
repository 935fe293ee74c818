// Readiness waits: epoll_wait/epoll_pwait/epoll_pwait2, poll/ppoll (and
// their _chk forms), select/pselect.
//
// Recorded on every call with the coarse clock (see hook_io.cc), except a
// zero timeout passed by value (epoll_wait, poll), which never blocks. A
// timeout passed by pointer is not read: the agent never dereferences user
// pointers, so a bad pointer fails with EFAULT in the kernel, as it would
// without the agent.
//
// Objects: the epoll descriptor; the struct pollfd array for poll/ppoll;
// the readfds set for select/pselect (the collector can read either from
// the target). A ptrace stop makes epoll waits return EINTR
// (capture-facts §5).
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <time.h>

#include "export.h"
#include "fortify_decls.h"
#include "real_symbols.h"
#include "wait_scope.h"

using parkscope::agent::ObjectOf;
using parkscope::agent::WaitClock;
using parkscope::agent::WaitScope;

extern "C" PARKSCOPE_EXPORT int epoll_wait(int epfd, struct epoll_event* events,
                                           int max_events, int timeout) {
  PARKSCOPE_REAL_OR_ERRNO(epoll_wait);
  if (timeout == 0) return real_epoll_wait(epfd, events, max_events, timeout);
  WaitScope parked(PARKSCOPE_REASON_EPOLL_WAIT, ObjectOf(long{epfd}),
                   WaitClock::kCoarse);
  return real_epoll_wait(epfd, events, max_events, timeout);
}

extern "C" PARKSCOPE_EXPORT int epoll_pwait(int epfd,
                                            struct epoll_event* events,
                                            int max_events, int timeout,
                                            const sigset_t* mask) {
  PARKSCOPE_REAL_OR_ERRNO(epoll_pwait);
  if (timeout == 0)
    return real_epoll_pwait(epfd, events, max_events, timeout, mask);
  WaitScope parked(PARKSCOPE_REASON_EPOLL_WAIT, ObjectOf(long{epfd}),
                   WaitClock::kCoarse);
  return real_epoll_pwait(epfd, events, max_events, timeout, mask);
}

extern "C" PARKSCOPE_EXPORT int epoll_pwait2(int epfd,
                                             struct epoll_event* events,
                                             int max_events,
                                             const struct timespec* timeout,
                                             const sigset_t* mask) {
  PARKSCOPE_REAL_OR_ERRNO(epoll_pwait2);
  WaitScope parked(PARKSCOPE_REASON_EPOLL_WAIT, ObjectOf(long{epfd}),
                   WaitClock::kCoarse);
  return real_epoll_pwait2(epfd, events, max_events, timeout, mask);
}

extern "C" PARKSCOPE_EXPORT int poll(struct pollfd* fds, nfds_t count,
                                     int timeout) {
  PARKSCOPE_REAL_OR_ERRNO(poll);
  if (timeout == 0) return real_poll(fds, count, timeout);
  WaitScope parked(PARKSCOPE_REASON_POLL, ObjectOf(fds), WaitClock::kCoarse);
  return real_poll(fds, count, timeout);
}

extern "C" PARKSCOPE_EXPORT int __poll_chk(struct pollfd* fds, nfds_t count,
                                           int timeout, size_t capacity) {
  PARKSCOPE_REAL_OR_ERRNO(__poll_chk);
  if (timeout == 0) return real___poll_chk(fds, count, timeout, capacity);
  WaitScope parked(PARKSCOPE_REASON_POLL, ObjectOf(fds), WaitClock::kCoarse);
  return real___poll_chk(fds, count, timeout, capacity);
}

extern "C" PARKSCOPE_EXPORT int ppoll(struct pollfd* fds, nfds_t count,
                                      const struct timespec* timeout,
                                      const sigset_t* mask) {
  PARKSCOPE_REAL_OR_ERRNO(ppoll);
  WaitScope parked(PARKSCOPE_REASON_POLL, ObjectOf(fds), WaitClock::kCoarse);
  return real_ppoll(fds, count, timeout, mask);
}

extern "C" PARKSCOPE_EXPORT int __ppoll_chk(struct pollfd* fds, nfds_t count,
                                            const struct timespec* timeout,
                                            const sigset_t* mask,
                                            size_t capacity) {
  PARKSCOPE_REAL_OR_ERRNO(__ppoll_chk);
  WaitScope parked(PARKSCOPE_REASON_POLL, ObjectOf(fds), WaitClock::kCoarse);
  return real___ppoll_chk(fds, count, timeout, mask, capacity);
}

extern "C" PARKSCOPE_EXPORT int select(int count, fd_set* readfds,
                                       fd_set* writefds, fd_set* exceptfds,
                                       struct timeval* timeout) {
  PARKSCOPE_REAL_OR_ERRNO(select);
  WaitScope parked(PARKSCOPE_REASON_POLL, ObjectOf(readfds),
                   WaitClock::kCoarse);
  return real_select(count, readfds, writefds, exceptfds, timeout);
}

extern "C" PARKSCOPE_EXPORT int pselect(int count, fd_set* readfds,
                                        fd_set* writefds, fd_set* exceptfds,
                                        const struct timespec* timeout,
                                        const sigset_t* mask) {
  PARKSCOPE_REAL_OR_ERRNO(pselect);
  WaitScope parked(PARKSCOPE_REASON_POLL, ObjectOf(readfds),
                   WaitClock::kCoarse);
  return real_pselect(count, readfds, writefds, exceptfds, timeout, mask);
}
