#include "proc/proc_files.h"

#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include <cerrno>

namespace parkscope {
namespace {

// Large enough that /proc/PID/status or stat arrive in one read, small enough
// to live on the stack.
constexpr size_t kChunkBytes = 8192;
// Holds every single-record file parkscope reads (sched, the largest, is
// about 2 KB; its cap 16 KB).
constexpr size_t kRecordOnStackBytes = 16384 + 1;

// read() that retries EINTR: a signal delivered to the collector must not
// turn into a spurious "could not read" for a thread.
ssize_t ReadRetryingEintr(int fd, char* buf, size_t len) {
  ssize_t n;
  do {
    n = read(fd, buf, len);
  } while (n < 0 && errno == EINTR);
  return n;
}

}  // namespace

ReadResult ReadProcFile(const std::string& path, size_t max_bytes) {
  ReadResult result;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    result.err = errno;
    return result;
  }
  FdCloser closer(fd);
  char buf[kChunkBytes];
  while (result.text.size() < max_bytes) {
    size_t want = max_bytes - result.text.size();
    if (want > sizeof buf) want = sizeof buf;
    ssize_t n = ReadRetryingEintr(fd, buf, want);
    if (n < 0) {
      result.err = errno;
      return result;
    }
    if (n == 0) return result;  // EOF within the cap
    result.text.append(buf, static_cast<size_t>(n));
  }
  // At the cap: one more byte tells a file of exactly max_bytes from a longer
  // one, without reading (and discarding) the rest of a huge file.
  char probe;
  ssize_t n = ReadRetryingEintr(fd, &probe, 1);
  if (n < 0) {
    result.err = errno;
  } else if (n > 0) {
    result.truncated = true;
  }
  return result;
}

ReadResult ReadProcRecord(const std::string& path, size_t max_bytes) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    ReadResult failed;
    failed.err = errno;
    return failed;
  }
  FdCloser closer(fd);
  return ReadProcRecordFrom(fd, max_bytes);
}

ReadResult ReadProcRecordFrom(int fd, size_t max_bytes) {
  ReadResult result;
  // One byte more than allowed tells a record over the cap from one at it.
  // Read on the stack and copy what came: a string sized to the cap first
  // was a zeroed 16 KB allocation per /proc/TID/sched read, a few thousand
  // per dump.
  char on_stack[kRecordOnStackBytes];
  const bool fits = max_bytes + 1 <= sizeof on_stack;
  if (!fits) result.text.resize(max_bytes + 1);
  char* buf = fits ? on_stack : result.text.data();
  ssize_t n;
  do {
    n = pread(fd, buf, max_bytes + 1, 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    result.err = errno;
    result.text.clear();
    return result;
  }
  const size_t got = static_cast<size_t>(n);
  result.truncated = got > max_bytes;
  const size_t kept = result.truncated ? max_bytes : got;
  if (fits) {
    result.text.assign(on_stack, kept);
  } else {
    result.text.resize(kept);
  }
  return result;
}

std::string TaskPath(Pid pid, Tid tid, std::string_view leaf) {
  std::string path = "/proc/" + std::to_string(pid) + "/task/" +
                     std::to_string(tid);
  if (!leaf.empty()) {
    path += '/';
    path += leaf;
  }
  return path;
}

std::string ProcPath(Pid pid, std::string_view leaf) {
  std::string path = "/proc/" + std::to_string(pid);
  if (!leaf.empty()) {
    path += '/';
    path += leaf;
  }
  return path;
}

std::optional<std::string> ReadLink(const std::string& path) {
  // readlink does not NUL-terminate and silently truncates to the buffer, so
  // the length it returns is the only trustworthy size.
  char buf[PATH_MAX];
  ssize_t n = readlink(path.c_str(), buf, sizeof buf);
  if (n < 0) return std::nullopt;
  return std::string(buf, static_cast<size_t>(n));
}

}  // namespace parkscope
