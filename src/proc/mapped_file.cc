#include "proc/mapped_file.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>

#include "proc/proc_files.h"

namespace parkscope {
namespace {

// Only regular files are ELF files. A device the target mapped (or named)
// may act on open or read; such a descriptor is closed unread.
int RegularOrClose(int fd) {
  if (fd < 0) return fd;
  struct stat st {};
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) return fd;
  close(fd);
  errno = EINVAL;
  return -1;
}

int OpenInTargetRoot(Pid proc_id, const std::string& path) {
  const std::string root = ProcPath(proc_id, "root");
  int root_fd = open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0) return -1;
  const std::optional<std::string> root_seen_by_us = ReadLink(root);
  const std::string inside =
      PathInTargetRoot(root_seen_by_us.value_or("/"), path);
  open_how how{};
  // O_NONBLOCK: the target chooses what sits at this path; a FIFO there
  // must not block the open (CorruptElf.DebuglinkNamesAFifo is the same
  // trap for debug files).
  how.flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  int fd = static_cast<int>(syscall(SYS_openat2, root_fd, inside.c_str(), &how, sizeof how));
  close(root_fd);
  return fd;
}

}  // namespace

std::string PathInTargetRoot(std::string_view root_seen_by_us, std::string_view maps_path) {
  // "/" (the target shares our root) and "" (unreadable) cut nothing; a
  // trailing slash is not part of the prefix.
  while (!root_seen_by_us.empty() && root_seen_by_us.back() == '/') {
    root_seen_by_us.remove_suffix(1);
  }
  if (!root_seen_by_us.empty() && maps_path.size() > root_seen_by_us.size() &&
      maps_path.substr(0, root_seen_by_us.size()) == root_seen_by_us &&
      maps_path[root_seen_by_us.size()] == '/') {
    maps_path.remove_prefix(root_seen_by_us.size());
  }
  return std::string(maps_path);
}

int OpenFileInTargetRoot(Pid proc_id, const std::string& path) {
  return RegularOrClose(OpenInTargetRoot(proc_id, path));
}

int OpenMappedFile(Pid proc_id, uint64_t start, uint64_t end, const std::string& path) {
  char link[128];
  std::snprintf(link, sizeof link, "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, proc_id,
                start, end);
  int fd = open(link, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd >= 0) return RegularOrClose(fd);
  return RegularOrClose(OpenInTargetRoot(proc_id, path));
}

}  // namespace parkscope
