#include "watch/task_fingerprint.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>

#include "proc/proc_files.h"
#include "proc/stat_parser.h"
#include "proc/status_parser.h"

namespace parkscope {
namespace {

// Larger than anything the kernel writes to these files.
constexpr size_t kCommMax = 64;
constexpr size_t kCountersMax = 16384;  // status is the larger of the two
// A stop puts the thread on a CPU twice: into the ptrace stop, and back
// into its call after the detach (measured; see the header).
constexpr uint64_t kRunsPerStop = 2;

bool ParseU64(std::string_view text, uint64_t* value) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *value);
  return ec == std::errc() && end == text.data() + text.size();
}

// Whole-file read of an open /proc file: each pread at offset 0 makes the
// kernel generate the text anew. -1 on failure (ESRCH once the thread is
// gone).
ssize_t Pread0(int fd, char* buf, size_t size) { return pread(fd, buf, size, 0); }

}  // namespace

std::optional<std::pair<uint64_t, uint64_t>> ParseSchedstat(std::string_view text) {
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  uint64_t fields[3];
  for (int i = 0; i < 3; ++i) {
    const size_t space = text.find(' ');
    const bool last = i == 2;
    if (last != (space == std::string_view::npos)) return std::nullopt;
    if (!ParseU64(text.substr(0, space), &fields[i])) return std::nullopt;
    if (!last) text.remove_prefix(space + 1);
  }
  return std::make_pair(fields[0], fields[2]);
}

bool IsAsleep(char state) { return state == 'S' || state == 'D'; }

bool SameWaitAfterCapture(const TaskFingerprint& before, const SyscallState& before_syscall,
                          const TaskFingerprint& after, char after_state,
                          const SyscallState& after_syscall, bool was_stopped) {
  using Kind = SyscallState::Kind;
  if (before_syscall.kind != Kind::kInSyscall || after_syscall.kind != Kind::kInSyscall) {
    return false;
  }
  if (after_syscall.sp != before_syscall.sp || after_syscall.pc != before_syscall.pc ||
      after_syscall.args != before_syscall.args) {
    return false;
  }
  // A stopped timed wait resumes as restart_syscall with its registers kept.
  if (after_syscall.nr != before_syscall.nr && after_syscall.nr != SYS_restart_syscall) {
    return false;
  }
  if (!IsAsleep(after_state) || after.name != before.name) return false;
  if (after.run_count < before.run_count) return false;
  return after.run_count - before.run_count <= (was_stopped ? kRunsPerStop : 0);
}

TaskFingerprintReader::TaskFingerprintReader(Pid pid, size_t max_cached_tasks)
    : pid_(pid), max_cached_tasks_(max_cached_tasks) {}

TaskFingerprintReader::~TaskFingerprintReader() {
  for (auto& [tid, files] : files_) {
    close(files.comm);
    close(files.counters);
  }
}

bool TaskFingerprintReader::OpenFiles(Tid tid, Files* files) {
  files->comm = open(TaskPath(pid_, tid, "comm").c_str(), O_RDONLY | O_CLOEXEC);
  if (files->comm < 0) return false;
  if (counters_ != Counters::kStatus) {
    files->counters = open(TaskPath(pid_, tid, "schedstat").c_str(), O_RDONLY | O_CLOEXEC);
    if (files->counters >= 0) {
      counters_ = Counters::kSchedstat;
      return true;
    }
    // A missing schedstat means the kernel has none; any other error (the
    // thread is gone) says nothing about the kernel.
    if (errno != ENOENT || counters_ == Counters::kSchedstat) {
      close(files->comm);
      return false;
    }
    counters_ = Counters::kStatus;
  }
  files->counters = open(TaskPath(pid_, tid, "status").c_str(), O_RDONLY | O_CLOEXEC);
  if (files->counters < 0) {
    close(files->comm);
    return false;
  }
  return true;
}

std::optional<TaskFingerprint> TaskFingerprintReader::Parse(std::string_view comm,
                                                            std::string_view counters) const {
  TaskFingerprint fp;
  if (!comm.empty() && comm.back() == '\n') comm.remove_suffix(1);
  fp.name = std::string(comm);
  if (counters_ == Counters::kSchedstat) {
    auto schedstat = ParseSchedstat(counters);
    if (!schedstat) return std::nullopt;
    fp.runtime_ns = schedstat->first;
    fp.run_count = schedstat->second;
    return fp;
  }
  auto status = ParseStatus(counters);
  if (!status) return std::nullopt;
  fp.run_count = status->voluntary_ctxt_switches + status->nonvoluntary_ctxt_switches;
  fp.state = status->state;
  return fp;
}

std::optional<TaskFingerprint> TaskFingerprintReader::ReadFiles(const Files& files,
                                                                bool with_name) const {
  char comm[kCommMax];
  char counters[kCountersMax];
  const ssize_t c = with_name ? Pread0(files.comm, comm, sizeof comm) : 0;
  const ssize_t n = c >= 0 ? Pread0(files.counters, counters, sizeof counters) : -1;
  if ((with_name && c <= 0) || n <= 0) return std::nullopt;
  return Parse({comm, static_cast<size_t>(c)}, {counters, static_cast<size_t>(n)});
}

std::optional<TaskFingerprint> TaskFingerprintReader::Read(Tid tid, bool with_name) {
  auto it = files_.find(tid);
  if (it == files_.end() && files_.size() < max_cached_tasks_) {
    Files files;
    if (!OpenFiles(tid, &files)) return std::nullopt;
    it = files_.emplace(tid, files).first;
  }
  if (it == files_.end()) {
    // Over the descriptor budget: read without keeping anything open.
    Files files;
    if (!OpenFiles(tid, &files)) return std::nullopt;
    auto fp = ReadFiles(files, with_name);
    close(files.comm);
    close(files.counters);
    return fp;
  }
  auto fp = ReadFiles(it->second, with_name);
  if (!fp) Forget(tid);  // ESRCH: the thread these files were opened for has exited
  return fp;
}

char TaskFingerprintReader::ReadState(Tid tid) {
  auto file = ReadProcFile(TaskPath(pid_, tid, "stat"), 4096);
  if (!file.ok()) return '?';
  auto stat = ParseStat(file.text);
  return stat ? stat->state : '?';
}

std::optional<SyscallState> TaskFingerprintReader::ReadSyscall(Tid tid) {
  auto file = ReadProcFile(TaskPath(pid_, tid, "syscall"), 512);
  if (!file.ok()) return std::nullopt;
  return ParseSyscall(file.text);
}

void TaskFingerprintReader::Forget(Tid tid) {
  auto it = files_.find(tid);
  if (it == files_.end()) return;
  close(it->second.comm);
  close(it->second.counters);
  files_.erase(it);
}

}  // namespace parkscope
