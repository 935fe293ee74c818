#include "ptrace/periodic_thread.h"

#include "ptrace/helper_thread.h"

namespace parkscope {

PeriodicThread::PeriodicThread(std::chrono::nanoseconds period, std::function<bool()> look) {
  thread_ = StartWithSignalsBlocked([this, period, look = std::move(look)] { Run(period, look); });
}

PeriodicThread::~PeriodicThread() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void PeriodicThread::Run(std::chrono::nanoseconds period, const std::function<bool()>& look) {
  std::unique_lock<std::mutex> lock(mu_);
  while (!wake_.wait_for(lock, period, [this] { return done_; })) {
    lock.unlock();
    const bool again = look();
    lock.lock();
    if (!again) return;
  }
}

}  // namespace parkscope
