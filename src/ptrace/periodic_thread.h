// A thread of ours that wakes every period to look at something, for the
// watchdogs beside a capture (ptrace/seize_watchdog.h, ptrace/cpu_yield.h).
// It starts with every signal blocked (StartWithSignalsBlocked,
// ptrace/helper_thread.h). Its
// destructor wakes it at once and joins it, so ending a capture never
// waits out a period.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace parkscope {

class PeriodicThread {
 public:
  // Calls look every period, first one period after the start, until the
  // destructor runs or look returns false.
  PeriodicThread(std::chrono::nanoseconds period, std::function<bool()> look);
  ~PeriodicThread();
  PeriodicThread(const PeriodicThread&) = delete;
  PeriodicThread& operator=(const PeriodicThread&) = delete;

 private:
  void Run(std::chrono::nanoseconds period, const std::function<bool()>& look);

  std::mutex mu_;
  std::condition_variable wake_;
  bool done_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace parkscope
