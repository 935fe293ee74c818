#include "ptrace/seize_watchdog.h"

#include <signal.h>
#include <sys/wait.h>

#include <chrono>

#include "ptrace/thread_stop.h"

namespace parkscope {

SeizeWatchdog::SeizeWatchdog() {
  // Started with every signal blocked: the capture's SIGCHLD stop notices
  // and held SIGINT/SIGTERM are for the capture thread.
  sigset_t all, before;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &before);
  thread_ = std::thread(&SeizeWatchdog::Watch, this);
  pthread_sigmask(SIG_SETMASK, &before, nullptr);
}

SeizeWatchdog::~SeizeWatchdog() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void SeizeWatchdog::Watch() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!wake_.wait_for(lock, std::chrono::nanoseconds(kWatchdogPeriodNs), [this] { return done_; })) {
    const int64_t since = SeizeWaitingSinceNs();
    if (since == 0 || MonotonicNs() - since < kSeizeStuckNs) continue;
    for (Tid tid : HeldTracees()) {
      siginfo_t info{};
      waitid(P_PID, static_cast<id_t>(tid), &info, WEXITED | WNOHANG | __WALL);
    }
  }
}

}  // namespace parkscope
