// Waiting for children (waitpid, wait, wait4, waitid) and for signals
// (sigwait, sigwaitinfo, sigtimedwait, pause, sigsuspend).
//
// Child waits with WNOHANG never block and are forwarded without a record.
// Objects: the pid/id argument (sign-extended, so -1 reads as "any child");
// for signal waits the sigset_t* (0 for pause). A ptrace stop makes
// sigtimedwait return EINTR (capture-facts §5).
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "export.h"
#include "real_symbols.h"
#include "wait_scope.h"

using parkscope::agent::ObjectOf;
using parkscope::agent::WaitClock;
using parkscope::agent::WaitScope;

extern "C" PARKSCOPE_EXPORT pid_t waitpid(pid_t pid, int* status, int options) {
  PARKSCOPE_REAL_OR_ERRNO(waitpid);
  if (options & WNOHANG) return real_waitpid(pid, status, options);
  WaitScope parked(PARKSCOPE_REASON_WAITPID, ObjectOf(long{pid}),
                   WaitClock::kPrecise);
  return real_waitpid(pid, status, options);
}

extern "C" PARKSCOPE_EXPORT pid_t wait(int* status) {
  PARKSCOPE_REAL_OR_ERRNO(wait);
  WaitScope parked(PARKSCOPE_REASON_WAITPID, ObjectOf(-1L),
                   WaitClock::kPrecise);
  return real_wait(status);
}

extern "C" PARKSCOPE_EXPORT pid_t wait4(pid_t pid, int* status, int options,
                                        struct rusage* usage) noexcept {
  PARKSCOPE_REAL_OR_ERRNO(wait4);
  if (options & WNOHANG) return real_wait4(pid, status, options, usage);
  WaitScope parked(PARKSCOPE_REASON_WAITPID, ObjectOf(long{pid}),
                   WaitClock::kPrecise);
  return real_wait4(pid, status, options, usage);
}

extern "C" PARKSCOPE_EXPORT int waitid(idtype_t type, id_t id, siginfo_t* info,
                                       int options) {
  PARKSCOPE_REAL_OR_ERRNO(waitid);
  if (options & WNOHANG) return real_waitid(type, id, info, options);
  WaitScope parked(PARKSCOPE_REASON_WAITPID,
                   ObjectOf(long{static_cast<int>(id)}), WaitClock::kPrecise);
  return real_waitid(type, id, info, options);
}

// Returns an error number, not -1/errno.
extern "C" PARKSCOPE_EXPORT int sigwait(const sigset_t* set, int* signal) {
  PARKSCOPE_REAL_OR_CODE(sigwait);
  WaitScope parked(PARKSCOPE_REASON_SIGNAL_WAIT, ObjectOf(set),
                   WaitClock::kPrecise);
  return real_sigwait(set, signal);
}

extern "C" PARKSCOPE_EXPORT int sigwaitinfo(const sigset_t* set,
                                            siginfo_t* info) {
  PARKSCOPE_REAL_OR_ERRNO(sigwaitinfo);
  WaitScope parked(PARKSCOPE_REASON_SIGNAL_WAIT, ObjectOf(set),
                   WaitClock::kPrecise);
  return real_sigwaitinfo(set, info);
}

extern "C" PARKSCOPE_EXPORT int sigtimedwait(const sigset_t* set,
                                             siginfo_t* info,
                                             const struct timespec* timeout) {
  PARKSCOPE_REAL_OR_ERRNO(sigtimedwait);
  WaitScope parked(PARKSCOPE_REASON_SIGNAL_WAIT, ObjectOf(set),
                   WaitClock::kPrecise);
  return real_sigtimedwait(set, info, timeout);
}

extern "C" PARKSCOPE_EXPORT int pause(void) {
  PARKSCOPE_REAL_OR_ERRNO(pause);
  WaitScope parked(PARKSCOPE_REASON_SIGNAL_WAIT, 0, WaitClock::kPrecise);
  return real_pause();
}

extern "C" PARKSCOPE_EXPORT int sigsuspend(const sigset_t* mask) {
  PARKSCOPE_REAL_OR_ERRNO(sigsuspend);
  WaitScope parked(PARKSCOPE_REASON_SIGNAL_WAIT, ObjectOf(mask),
                   WaitClock::kPrecise);
  return real_sigsuspend(mask);
}
