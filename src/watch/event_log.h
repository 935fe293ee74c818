// The watch daemon's log: one JSON object per line, to stderr or a file.
// Every line gets "time" (UTC, RFC 3339 with milliseconds) first and
// "event" second.
//
// Writing never blocks the caller (the sampler): lines go to a bounded
// queue that a thread of its own drains. A reader that stops reading our
// stderr pipe would otherwise stall sampling; instead lines are dropped and
// counted (dropped(), and a "log_dropped" line once writing resumes). The
// writer itself waits for the descriptor with poll and writes at most
// PIPE_BUF bytes at a time, so shutting down never hangs on a full pipe:
// what cannot be written within a second of the destructor is dropped.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

namespace parkscope {

class EventLog {
 public:
  // path "" or "-": stderr. Returns null and sets *error when the file
  // cannot be opened for appending.
  static std::unique_ptr<EventLog> Open(const std::string& path, std::string* error);
  ~EventLog();  // writes what is queued, then stops
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  // fields: an object; "time" and "event" are put in front of its members.
  void Write(const std::string& event,
             const nlohmann::ordered_json& fields = nlohmann::ordered_json::object());
  uint64_t dropped() const;

  // The line Write would queue, for tests: time_unix_ms instead of now.
  static std::string Format(int64_t time_unix_ms, const std::string& event,
                            const nlohmann::ordered_json& fields);

 private:
  EventLog(int fd, bool owns_fd, size_t max_queued);
  void Drain();
  bool WriteAll(const std::string& text);

  int fd_;
  bool owns_fd_;
  size_t max_queued_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::string> queue_;
  uint64_t dropped_ = 0;
  uint64_t dropped_reported_ = 0;
  std::atomic<bool> stopping_ = false;
  std::thread writer_;
};

}  // namespace parkscope
