#include "proc/task_list.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "proc/proc_files.h"
#include "proc/text_fields.h"

namespace parkscope {
namespace {

// How much of /proc/PID/task one getdents64 call may fill. The kernel
// builds every entry of a call in one stretch without a scheduling point
// (under PREEMPT_NONE a thread woken on that CPU waits it out): glibc's
// readdir asks for 32 KiB, all 1,004 entries of a 1,000-thread process,
// which took 2 to 3 ms, and a heartbeat thread in the target waited as
// long. 4 KiB is about 170 entries, a few hundred microseconds.
constexpr size_t kDirChunkBytes = 4096;

// The layout getdents64(2) fills (struct linux_dirent64).
struct DirEntry64 {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

bool IsAllDigits(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

// ENOENT: no such pid. ESRCH: the process died while we held the directory
// open (readdir on a reaped task dir). Both mean "gone", and the caller
// reports the process as exited rather than as an error.
bool MeansGone(int err) { return err == ENOENT || err == ESRCH; }

}  // namespace

TaskList ListTasks(Pid pid, size_t max_tasks) {
  TaskList list;
  if (pid <= 0) {
    list.err = EINVAL;
    return list;
  }
  std::string path = ProcPath(pid, "task");
  const int fd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    list.err = errno;
    list.status = MeansGone(list.err) ? ListStatus::kGone : ListStatus::kError;
    return list;
  }
  FdCloser closer(fd);
  alignas(DirEntry64) char buf[kDirChunkBytes];
  for (bool stop = false; !stop;) {
    const ssize_t got = getdents64(fd, buf, sizeof buf);
    if (got < 0) {
      if (errno == EINTR) continue;
      list.err = errno;
      list.status = MeansGone(list.err) ? ListStatus::kGone : ListStatus::kError;
      list.tids.clear();
      return list;
    }
    if (got == 0) break;  // the end
    for (ssize_t at = 0; at < got;) {
      const auto* entry = reinterpret_cast<const DirEntry64*>(buf + at);
      // A record the kernel wrote cannot be shorter than its header or run
      // past what it returned; stop rather than read beyond the buffer.
      if (entry->d_reclen < offsetof(DirEntry64, d_name) + 1 || entry->d_reclen > got - at) {
        stop = true;
        break;
      }
      at += entry->d_reclen;
      std::string_view name(entry->d_name,
                            strnlen(entry->d_name, entry->d_reclen - offsetof(DirEntry64, d_name)));
      if (!IsAllDigits(name)) continue;  // ".", "..", anything unexpected
      std::optional<int> tid = ParseInt(name);
      if (!tid || *tid <= 0) continue;
      if (list.tids.size() >= max_tasks) {
        list.truncated = stop = true;
        break;
      }
      list.tids.push_back(*tid);
    }
  }
  std::sort(list.tids.begin(), list.tids.end());
  list.tids.erase(std::unique(list.tids.begin(), list.tids.end()),
                  list.tids.end());
  // A live process always has at least its leader in task/ (even a zombie
  // leader stays listed), so an empty listing means it was reaped after
  // opendir succeeded.
  list.status = list.tids.empty() && !list.truncated ? ListStatus::kGone
                                                     : ListStatus::kOk;
  return list;
}

}  // namespace parkscope
