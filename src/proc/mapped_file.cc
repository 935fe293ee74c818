#include "proc/mapped_file.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>

namespace parkscope {
namespace {

int OpenInTargetRoot(Pid proc_id, const std::string& path) {
  std::string root = "/proc/" + std::to_string(proc_id) + "/root";
  int root_fd = open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0) return -1;
  open_how how{};
  how.flags = O_RDONLY | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  int fd = static_cast<int>(syscall(SYS_openat2, root_fd, path.c_str(), &how, sizeof how));
  close(root_fd);
  return fd;
}

}  // namespace

int OpenMappedFile(Pid proc_id, uint64_t start, uint64_t end, const std::string& path) {
  char link[128];
  std::snprintf(link, sizeof link, "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, proc_id,
                start, end);
  int fd = open(link, O_RDONLY | O_CLOEXEC);
  if (fd >= 0) return fd;
  return OpenInTargetRoot(proc_id, path);
}

}  // namespace parkscope
