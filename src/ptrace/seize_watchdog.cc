#include "ptrace/seize_watchdog.h"

#include <signal.h>
#include <sys/wait.h>
#include <time.h>

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
  done_.store(true);
  thread_.join();
}

void SeizeWatchdog::Watch() {
  const timespec period{0, kWatchdogPeriodNs};
  while (!done_.load()) {
    nanosleep(&period, nullptr);
    const int64_t since = SeizeWaitingSinceNs();
    if (since == 0 || MonotonicNs() - since < kSeizeStuckNs) continue;
    for (Tid tid : HeldTracees()) {
      siginfo_t info{};
      waitid(P_PID, static_cast<id_t>(tid), &info, WEXITED | WNOHANG | __WALL);
    }
  }
}

}  // namespace parkscope
