// The HTTP server's workers: a fixed number of threads and a bounded queue
// of accepted connections. cpp-httplib's own pool queues without limit, so
// a flood of connections would hold a descriptor and memory each; here the
// accepting thread waits while the queue is full, and further clients wait
// in the kernel's listen backlog instead. Sampling runs on a thread of its
// own and never waits for any of this.
#pragma once

#include <httplib.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace parkscope {

class BoundedTaskQueue : public httplib::TaskQueue {
 public:
  BoundedTaskQueue(size_t threads, size_t max_queued);
  ~BoundedTaskQueue() override;

  // Waits while max_queued connections are already waiting.
  void enqueue(std::function<void()> fn) override;
  // Runs what is queued, then joins the workers.
  void shutdown() override;

 private:
  void Work();

  size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable has_work_;
  std::condition_variable has_room_;
  std::deque<std::function<void()>> queue_;
  bool shutting_down_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace parkscope
