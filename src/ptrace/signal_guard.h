// Holds SIGINT, SIGTERM, SIGHUP and SIGQUIT while threads may be stopped, so
// Ctrl-C never kills the collector between a stop and its detach. The
// capture loop polls Interrupted() between threads and unwinds its stops;
// the destructor unblocks, and a held signal then acts as it normally would.
#pragma once

#include <signal.h>

namespace parkscope {

class SignalGuard {
 public:
  SignalGuard();
  ~SignalGuard();
  SignalGuard(const SignalGuard&) = delete;
  SignalGuard& operator=(const SignalGuard&) = delete;

  // True once one of the held signals is pending.
  bool Interrupted() const;

 private:
  sigset_t held_{};
  sigset_t previous_{};
};

}  // namespace parkscope
