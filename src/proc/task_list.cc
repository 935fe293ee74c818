#include "proc/task_list.h"

#include <dirent.h>

#include <algorithm>
#include <cerrno>
#include <string_view>

#include "proc/proc_files.h"
#include "proc/text_fields.h"

namespace parkscope {
namespace {

class DirCloser {
 public:
  explicit DirCloser(DIR* dir) : dir_(dir) {}
  DirCloser(const DirCloser&) = delete;
  DirCloser& operator=(const DirCloser&) = delete;
  ~DirCloser() { closedir(dir_); }

 private:
  DIR* dir_;
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
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) {
    list.err = errno;
    list.status = MeansGone(list.err) ? ListStatus::kGone : ListStatus::kError;
    return list;
  }
  DirCloser closer(dir);
  for (;;) {
    // readdir returns nullptr both at the end and on error; only errno tells
    // them apart, so it must be cleared before each call.
    errno = 0;
    const dirent* entry = readdir(dir);
    if (entry == nullptr) {
      if (errno != 0) {
        list.err = errno;
        list.status =
            MeansGone(list.err) ? ListStatus::kGone : ListStatus::kError;
        list.tids.clear();
        return list;
      }
      break;
    }
    std::string_view name(entry->d_name);
    if (!IsAllDigits(name)) continue;  // ".", "..", anything unexpected
    std::optional<int> tid = ParseInt(name);
    if (!tid || *tid <= 0) continue;
    if (list.tids.size() >= max_tasks) {
      list.truncated = true;
      break;
    }
    list.tids.push_back(*tid);
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
