// What kind of thing a file descriptor is, from its /proc/PID/fd/N link. A
// thread parked in read() or epoll_wait() reads very differently when the fd
// is a socket, a pipe or an eventfd, so reports name the kind.
#pragma once

#include <string>
#include <string_view>

#include "model/snapshot.h"

namespace parkscope {

// Maps the link text to one of: "socket", "pipe", "eventfd", "epoll",
// "timerfd", "signalfd", "inotify", "anon" (any other anon_inode), "device"
// (/dev/...), "file" (any other absolute path), "unknown" (anything else,
// including "" and namespace links such as "net:[4026531840]").
std::string FdKindFromLink(std::string_view link);

// FdKindFromLink of /proc/PID/fd/FD; "unknown" when fd is negative or beyond
// what an fd can be, or the link cannot be read (closed since, EACCES).
std::string ReadFdKind(Pid pid, long fd);

}  // namespace parkscope
