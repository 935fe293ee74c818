#include "ptrace/signal_guard.h"

#include <initializer_list>

namespace parkscope {

SignalGuard::SignalGuard() {
  sigemptyset(&held_);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaddset(&held_, sig);
  sigprocmask(SIG_BLOCK, &held_, &previous_);
}

SignalGuard::~SignalGuard() { sigprocmask(SIG_SETMASK, &previous_, nullptr); }

bool SignalGuard::Interrupted() const {
  sigset_t pending;
  sigemptyset(&pending);
  if (sigpending(&pending) != 0) return false;
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) {
    if (sigismember(&pending, sig) && sigismember(&held_, sig)) return true;
  }
  return false;
}

}  // namespace parkscope
