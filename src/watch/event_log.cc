#include "watch/event_log.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>

namespace parkscope {
namespace {

// Lines held while the writer is behind; a few seconds of a busy daemon.
constexpr size_t kMaxQueuedLines = 4096;
// After the destructor asks to stop, how long queued lines may take.
constexpr int kFinalFlushMs = 1000;
constexpr int kPollSliceMs = 100;

std::string Rfc3339(int64_t unix_ms) {
  std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[40];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(unix_ms % 1000));
  return buf;
}

}  // namespace

std::unique_ptr<EventLog> EventLog::Open(const std::string& path, std::string* error) {
  if (path.empty() || path == "-") {
    return std::unique_ptr<EventLog>(new EventLog(STDERR_FILENO, false, kMaxQueuedLines));
  }
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    *error = "cannot open log " + path + ": " + std::strerror(errno);
    return nullptr;
  }
  return std::unique_ptr<EventLog>(new EventLog(fd, true, kMaxQueuedLines));
}

EventLog::EventLog(int fd, bool owns_fd, size_t max_queued)
    : fd_(fd), owns_fd_(owns_fd), max_queued_(max_queued), writer_([this] { Drain(); }) {}

EventLog::~EventLog() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  writer_.join();
  if (owns_fd_) ::close(fd_);
}

bool EventLog::WriteAll(const std::string& text) {
  size_t done = 0;
  int waited_after_stop_ms = 0;
  while (done < text.size()) {
    pollfd pfd{fd_, POLLOUT, 0};
    const int ready = ::poll(&pfd, 1, kPollSliceMs);
    if (ready < 0 && errno != EINTR) return false;
    if (ready <= 0) {
      if (stopping_ && (waited_after_stop_ms += kPollSliceMs) >= kFinalFlushMs) return false;
      continue;
    }
    if (pfd.revents & (POLLERR | POLLHUP | POLLNVAL)) return false;
    // POLLOUT on a pipe promises PIPE_BUF bytes of room: a write this size
    // does not block.
    const size_t chunk = std::min<size_t>(text.size() - done, PIPE_BUF);
    ssize_t n = ::write(fd_, text.data() + done, chunk);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

std::string EventLog::Format(int64_t time_unix_ms, const std::string& event,
                             const nlohmann::ordered_json& fields) {
  // Built by hand so that time and event lead, then the fields in the
  // order the caller gave them.
  std::string line =
      "{\"time\":\"" + Rfc3339(time_unix_ms) + "\",\"event\":" + nlohmann::json(event).dump();
  for (auto it = fields.begin(); it != fields.end(); ++it) {
    line += ',' + nlohmann::json(it.key()).dump() + ':' +
            it.value().dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  }
  return line + "}\n";
}

void EventLog::Write(const std::string& event, const nlohmann::ordered_json& fields) {
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  std::string line = Format(now_ms, event, fields);
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= max_queued_) {
      ++dropped_;
      return;
    }
    queue_.push_back(std::move(line));
  }
  wake_.notify_one();
}

uint64_t EventLog::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

void EventLog::Drain() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_.load() || !queue_.empty(); });
    if (queue_.empty() && stopping_) return;
    std::deque<std::string> batch;
    batch.swap(queue_);
    std::string note;
    if (dropped_ != dropped_reported_) {
      note = Format(std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count(),
                    "log_dropped", nlohmann::ordered_json{{"lines", dropped_ - dropped_reported_}});
      dropped_reported_ = dropped_;
    }
    lock.unlock();
    std::string text = note;
    for (const std::string& line : batch) text += line;
    if (!WriteAll(text)) {
      // Nowhere to report a failed write; stop trying once shutting down.
      if (stopping_) return;
    }
    lock.lock();
  }
}

}  // namespace parkscope
