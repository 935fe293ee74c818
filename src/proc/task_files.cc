#include "proc/task_files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace parkscope {

KeptRecord& KeptRecord::operator=(KeptRecord&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

KeptRecord::~KeptRecord() {
  if (fd_ >= 0) close(fd_);
}

ReadResult KeptRecord::ReadAgain(size_t max_bytes) const {
  if (fd_ < 0) {
    ReadResult closed;
    closed.err = EBADF;
    return closed;
  }
  return ReadProcRecordFrom(fd_, max_bytes);
}

TaskFiles::TaskFiles(Pid pid) : pid_(pid) {
  dir_fd_ = open(ProcPath(pid, "task").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
}

TaskFiles::~TaskFiles() {
  if (dir_fd_ >= 0) close(dir_fd_);
}

int TaskFiles::Open(Tid tid, std::string_view leaf) const {
  if (dir_fd_ < 0) return open(TaskPath(pid_, tid, leaf).c_str(), O_RDONLY | O_CLOEXEC);
  std::string relative = std::to_string(tid);
  relative += '/';
  relative += leaf;
  return openat(dir_fd_, relative.c_str(), O_RDONLY | O_CLOEXEC);
}

ReadResult TaskFiles::Read(Tid tid, std::string_view leaf, size_t max_bytes) const {
  KeptRecord file(Open(tid, leaf));
  if (!file.open()) {
    ReadResult failed;
    failed.err = errno;
    return failed;
  }
  return file.ReadAgain(max_bytes);
}

ReadResult TaskFiles::ReadAndKeep(Tid tid, std::string_view leaf, size_t max_bytes,
                                  KeptRecord* kept) const {
  *kept = KeptRecord(Open(tid, leaf));
  if (!kept->open()) {
    ReadResult failed;
    failed.err = errno;
    return failed;
  }
  return kept->ReadAgain(max_bytes);
}

}  // namespace parkscope
