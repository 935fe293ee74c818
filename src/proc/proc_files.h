// Thin I/O over /proc: bounded whole-file reads, readlink, and path building.
// The parsers never touch the file system; these are the only calls that do,
// so tests can feed the parsers captured or hostile text instead.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "model/snapshot.h"

namespace parkscope {

// Closes a descriptor on every return path.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;
  ~FdCloser() {
    if (fd_ >= 0) close(fd_);
  }

 private:
  int fd_;
};

struct ReadResult {
  int err = 0;             // errno of the failing open/read; 0 on success
  std::string text;        // what was read; partial when err != 0
  bool truncated = false;  // the file had more than max_bytes
  bool ok() const { return err == 0; }
};

// Reads path until EOF or max_bytes, whichever comes first.
//
// /proc files have no meaningful st_size (it is 0 or 4096), so the size is
// found by reading; the cap keeps a huge maps file or a hostile cmdline from
// growing the collector without bound. ESRCH or ENOENT in err usually means
// the task exited between listing and reading: a status, not a failure.
ReadResult ReadProcFile(const std::string& path, size_t max_bytes = 1 << 20);

// For the files the kernel writes as one record (single_open: stat, status,
// syscall, sched, schedstat): such a record reaches user space whole in the
// first read when the buffer holds it, so one read() replaces the loop and
// its extra read that finds EOF. Files of many records (maps) may come back
// short before their end and must use ReadProcFile.
ReadResult ReadProcRecord(const std::string& path, size_t max_bytes);
// The same record read from an open descriptor with pread at offset 0, which
// makes the kernel write it afresh: a second read of a file kept open.
ReadResult ReadProcRecordFrom(int fd, size_t max_bytes);

// "/proc/PID/task/TID/leaf".
std::string TaskPath(Pid pid, Tid tid, std::string_view leaf);
// "/proc/PID/leaf".
std::string ProcPath(Pid pid, std::string_view leaf);

// The target of a symlink such as /proc/PID/fd/N, or nullopt when it cannot be
// read. A target longer than PATH_MAX bytes comes back cut at PATH_MAX.
std::optional<std::string> ReadLink(const std::string& path);

}  // namespace parkscope
