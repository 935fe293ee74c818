// Names of threads and processes as the kernel reports them.
#pragma once

#include <string>

#include "model/snapshot.h"

namespace parkscope {

// /proc/PID/task/TID/comm without its newline: the name set with
// pthread_setname_np or prctl(PR_SET_NAME). "" when it cannot be read.
std::string ReadThreadName(Pid pid, Tid tid);

// /proc/PID/cmdline with the NULs between arguments shown as spaces, cut at
// 4 KiB. Kernel threads and zombies have an empty cmdline; for them this is
// /proc/PID/comm instead. "" when neither can be read.
std::string ReadCommand(Pid pid);

}  // namespace parkscope
