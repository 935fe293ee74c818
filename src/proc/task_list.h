// Lists the threads of a process from /proc/PID/task.
//
// One listing is a moment's view: threads may start or exit right after it.
// Callers that must see every thread (the stop-the-world pass) re-list until
// two listings agree; this function deliberately does only one pass.
#pragma once

#include <cstddef>
#include <vector>

#include "model/snapshot.h"

namespace parkscope {

enum class ListStatus {
  kOk,     // tids holds the threads seen
  kGone,   // the process does not exist (or exited while being listed)
  kError,  // could not list; err tells why (EACCES, EMFILE, ...)
};

struct TaskList {
  ListStatus status = ListStatus::kError;
  int err = 0;
  std::vector<Tid> tids;   // ascending, no duplicates
  bool truncated = false;  // more than max_tasks entries; tids holds the first
};

// Reads /proc/PID/task once. Entries that are not plain positive decimal tids
// are skipped. A pid <= 0 is kError with EINVAL: "/proc/0" or "/proc/-1"
// would otherwise read as "gone" and hide a caller bug.
TaskList ListTasks(Pid pid, size_t max_tasks = 1'000'000);

}  // namespace parkscope
