#include "http/bounded_task_queue.h"

namespace parkscope {

BoundedTaskQueue::BoundedTaskQueue(size_t threads, size_t max_queued) : max_queued_(max_queued) {
  for (size_t i = 0; i < threads; ++i) workers_.emplace_back([this] { Work(); });
}

BoundedTaskQueue::~BoundedTaskQueue() { shutdown(); }

void BoundedTaskQueue::enqueue(std::function<void()> fn) {
  std::unique_lock lock(mutex_);
  has_room_.wait(lock, [this] { return queue_.size() < max_queued_ || shutting_down_; });
  queue_.push_back(std::move(fn));
  lock.unlock();
  has_work_.notify_one();
}

void BoundedTaskQueue::shutdown() {
  {
    std::lock_guard lock(mutex_);
    if (shutting_down_ && workers_.empty()) return;
    shutting_down_ = true;
  }
  has_work_.notify_all();
  has_room_.notify_all();
  for (auto& worker : workers_) worker.join();
  workers_.clear();
}

void BoundedTaskQueue::Work() {
  for (;;) {
    std::function<void()> fn;
    {
      std::unique_lock lock(mutex_);
      has_work_.wait(lock, [this] { return !queue_.empty() || shutting_down_; });
      // Queued connections are served even when shutting down: each task
      // owns a socket that only running it closes.
      if (queue_.empty()) return;
      fn = std::move(queue_.front());
      queue_.pop_front();
    }
    has_room_.notify_one();
    fn();
  }
}

}  // namespace parkscope
