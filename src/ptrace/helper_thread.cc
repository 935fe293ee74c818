#include "ptrace/helper_thread.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>

#include "ptrace/cpu_yield.h"

namespace parkscope {

std::thread StartWithSignalsBlocked(std::function<void()> work) {
  sigset_t all, before;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &before);
  std::thread started(std::move(work));
  pthread_sigmask(SIG_SETMASK, &before, nullptr);
  return started;
}

std::thread StartHelperThread(std::function<void()> work) {
  std::thread helper = StartWithSignalsBlocked(std::move(work));
  cpu_set_t elsewhere;
  CPU_ZERO(&elsewhere);
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) CPU_SET(cpu, &elsewhere);
  const int here = sched_getcpu();
  if (here >= 0 && here < CPU_SETSIZE) CPU_CLR(here, &elsewhere);
  pthread_setaffinity_np(helper.native_handle(), sizeof elsewhere, &elsewhere);
  ApplyHelperPolicy(helper.native_handle());
  return helper;
}

}  // namespace parkscope
