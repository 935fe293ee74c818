// The per-thread /proc files a capture reads, opened relative to
// /proc/PID/task (opened once per capture): "TID/stat" is two path
// components for the kernel to walk instead of five, for each of the five
// files a thread costs. And a file read twice (the syscall line, before and
// after a copy) stays open between the reads: pread at offset 0 makes the
// kernel write the record afresh, one call instead of open, read and close.
#pragma once

#include <string_view>

#include "model/snapshot.h"
#include "proc/proc_files.h"

namespace parkscope {

// One open per-thread file, read again with ReadAgain. Closes itself.
class KeptRecord {
 public:
  KeptRecord() = default;
  explicit KeptRecord(int fd) : fd_(fd) {}
  KeptRecord(KeptRecord&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  KeptRecord& operator=(KeptRecord&& other) noexcept;
  KeptRecord(const KeptRecord&) = delete;
  KeptRecord& operator=(const KeptRecord&) = delete;
  ~KeptRecord();

  bool open() const { return fd_ >= 0; }
  // The record as the kernel writes it now (see ReadProcRecord).
  ReadResult ReadAgain(size_t max_bytes) const;

 private:
  int fd_ = -1;
};

class TaskFiles {
 public:
  explicit TaskFiles(Pid pid);
  ~TaskFiles();
  TaskFiles(const TaskFiles&) = delete;
  TaskFiles& operator=(const TaskFiles&) = delete;

  Pid pid() const { return pid_; }
  // /proc/PID/task/TID/<leaf>, a single-record file (ReadProcRecord).
  ReadResult Read(Tid tid, std::string_view leaf, size_t max_bytes) const;
  // Reads the file once and keeps it open in *kept for a second read.
  ReadResult ReadAndKeep(Tid tid, std::string_view leaf, size_t max_bytes,
                         KeptRecord* kept) const;

 private:
  int Open(Tid tid, std::string_view leaf) const;

  Pid pid_;
  int dir_fd_ = -1;  // -1: paths from / (the directory could not be opened)
};

}  // namespace parkscope
