#include "proc/own_binary.h"

#include <unistd.h>

#include <climits>

namespace parkscope {

std::string OwnBinaryDir() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return ".";
  std::string path(buf, static_cast<size_t>(n));
  return path.substr(0, path.rfind('/'));
}

}  // namespace parkscope
