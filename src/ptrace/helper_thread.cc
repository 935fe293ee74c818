#include "ptrace/helper_thread.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>
#include <optional>

#include "ptrace/cpu_yield.h"
#include "ptrace/run_queue_starvation.h"

namespace parkscope {

struct HelperThread::Progress {
  std::mutex mu;
  std::condition_variable done_cv;
  Tid tid = 0;        // guarded by mu; set before the helper yields
  bool done = false;  // guarded by mu
};

namespace {

// Every CPU but the one the caller runs on.
void KeepOffCpu(int caller_cpu) {
  cpu_set_t elsewhere;
  CPU_ZERO(&elsewhere);
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) CPU_SET(cpu, &elsewhere);
  if (caller_cpu >= 0 && caller_cpu < CPU_SETSIZE) CPU_CLR(caller_cpu, &elsewhere);
  pthread_setaffinity_np(pthread_self(), sizeof elsewhere, &elsewhere);
}

}  // namespace

std::thread StartWithSignalsBlocked(std::function<void()> work) {
  sigset_t all, before;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &before);
  std::thread started(std::move(work));
  pthread_sigmask(SIG_SETMASK, &before, nullptr);
  return started;
}

// The helper sets its own affinity and policy, after it has said its tid:
// until then it runs at the caller's priority, so a tid that Join cannot
// watch yet belongs to a thread that needs no watching.
HelperThread::HelperThread(std::function<void()> work)
    : progress_(std::make_shared<Progress>()) {
  thread_ = StartWithSignalsBlocked(
      [progress = progress_, caller_cpu = sched_getcpu(), work = std::move(work)] {
        {
          std::lock_guard<std::mutex> lock(progress->mu);
          progress->tid = static_cast<Tid>(syscall(SYS_gettid));
        }
        KeepOffCpu(caller_cpu);
        ApplyHelperPolicy(pthread_self());
        work();
        {
          std::lock_guard<std::mutex> lock(progress->mu);
          progress->done = true;
        }
        progress->done_cv.notify_all();
      });
}

// The first look comes one period in: a helper that is done by then (all
// of them, on a machine with idle time) costs no /proc read.
void HelperThread::Join() {
  if (!thread_.joinable()) return;
  std::optional<ThreadRunSample> before;
  bool watching = true;
  std::unique_lock<std::mutex> lock(progress_->mu);
  while (!progress_->done_cv.wait_for(lock, kStarvationLookEvery,
                                      [this] { return progress_->done; })) {
    const Tid tid = progress_->tid;
    if (!watching || tid == 0) continue;
    lock.unlock();
    std::optional<ThreadRunSample> now = SampleThread(getpid(), tid);
    if (before && now && Starved({{tid, *before}}, {{tid, *now}}, kStarvedWaitNs)) {
      sched_param normal{};
      pthread_setschedparam(thread_.native_handle(), SCHED_OTHER, &normal);
      watching = false;
    }
    before = now;
    lock.lock();
  }
  lock.unlock();
  thread_.join();
}

}  // namespace parkscope
