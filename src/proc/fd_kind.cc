#include "proc/fd_kind.h"

#include <climits>
#include <optional>

#include "proc/proc_files.h"

namespace parkscope {
namespace {

// The kernel prints these as "<type>:[<inode>]" (socket, pipe) or
// "anon_inode:<name>" where name is bracketed for most types; inotify is the
// historical exception without brackets.
struct AnonName {
  std::string_view link;
  const char* kind;
};
constexpr AnonName kAnonNames[] = {
    {"anon_inode:[eventfd]", "eventfd"},
    {"anon_inode:[eventpoll]", "epoll"},
    {"anon_inode:[timerfd]", "timerfd"},
    {"anon_inode:[signalfd]", "signalfd"},
    {"anon_inode:inotify", "inotify"},
};

}  // namespace

std::string FdKindFromLink(std::string_view link) {
  if (link.starts_with("socket:[")) return "socket";
  if (link.starts_with("pipe:[")) return "pipe";
  if (link.starts_with("anon_inode:")) {
    for (const AnonName& name : kAnonNames) {
      if (link == name.link) return name.kind;
    }
    return "anon";
  }
  if (link.starts_with("/dev/")) return "device";
  if (link.starts_with("/")) return "file";
  return "unknown";
}

std::string ReadFdKind(Pid pid, long fd) {
  // fds are ints in the syscall ABI; a larger value came from a corrupt
  // register or argument, not a real descriptor.
  if (fd < 0 || fd > INT_MAX) return "unknown";
  std::optional<std::string> link =
      ReadLink(ProcPath(pid, "fd/" + std::to_string(fd)));
  if (!link) return "unknown";
  return FdKindFromLink(*link);
}

}  // namespace parkscope
