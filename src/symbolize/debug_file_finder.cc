#include "symbolize/debug_file_finder.h"

#include <elfutils/libdwelf.h>
#include <fcntl.h>
#include <gelf.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "proc/mapped_file.h"
#include "proc/proc_files.h"
#include "symbolize/build_id.h"
#include "symbolize/inflated_debug_cache.h"

namespace parkscope {
namespace {

constexpr char kDebugRoot[] = "/usr/lib/debug";

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Ours, not the target's: O_NONBLOCK and regular files only, as there.
int OpenOnHost(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return -1;
  struct stat st {};
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) return fd;
  close(fd);
  return -1;
}

// The CRC-32 .gnu_debuglink carries (zlib's polynomial and init).
bool HasCrc(int fd, GElf_Word expected) {
  std::vector<unsigned char> buf(64 * 1024);
  uLong crc = crc32(0L, Z_NULL, 0);
  off_t at = 0;
  for (;;) {
    ssize_t n = pread(fd, buf.data(), buf.size(), at);
    if (n < 0) return false;
    if (n == 0) break;
    crc = crc32(crc, buf.data(), static_cast<uInt>(n));
    at += n;
  }
  return static_cast<GElf_Word>(crc) == expected;
}

// Accepts fd as the module's debug file, or closes it.
int Validated(int fd, const unsigned char* bits, int len, GElf_Word crc, bool check) {
  if (fd < 0) return -1;
  if (check && !(len > 0 ? FileHasBuildId(fd, bits, len, ELF_C_READ) : HasCrc(fd, crc))) {
    close(fd);
    return -1;
  }
  return fd;
}

// The target sees our file system: its root is ours, so a file found in
// its root is one of ours.
bool SharesOurRoot(Pid pid) {
  struct stat ours {}, theirs {};
  return stat("/", &ours) == 0 && stat((ProcPath(pid, "root") + "/").c_str(), &theirs) == 0 &&
         ours.st_dev == theirs.st_dev && ours.st_ino == theirs.st_ino;
}

// A debug file of our own file system, as its inflated copy when the cache
// has or makes one (symbolize/inflated_debug_cache.h).
int Inflated(int fd, const unsigned char* bits, int len) {
  if (fd < 0) return fd;
  int copy = OpenInflatedCopy(fd, bits, len);
  if (copy < 0) return fd;
  close(fd);
  return copy;
}

int Found(int fd, const std::string& name, char** debuginfo_file_name) {
  if (fd >= 0 && debuginfo_file_name != nullptr) *debuginfo_file_name = strdup(name.c_str());
  return fd;
}

}  // namespace

int OpenSeparateDebugFile(Dwfl_Module* module, Pid pid, const std::string& module_path,
                          const char* debuglink_file, GElf_Word debuglink_crc,
                          char** debuginfo_file_name) {
  const unsigned char* bits = nullptr;
  GElf_Addr vaddr = 0;
  const int len = dwfl_module_build_id(module, &bits, &vaddr);

  // The module's own debuglink, to tell its lookup from a dwz alternate's.
  Dwarf_Addr bias = 0;
  Elf* main_elf = dwfl_module_getelf(module, &bias);
  GElf_Word main_crc = 0;
  const char* main_link =
      main_elf != nullptr ? dwelf_elf_gnu_debuglink(main_elf, &main_crc) : nullptr;
  const bool alternate = debuglink_file != nullptr &&
                         (main_link == nullptr || std::strcmp(main_link, debuglink_file) != 0);

  const std::string root = ReadLink(ProcPath(pid, "root")).value_or("/");
  const std::string dir = DirName(PathInTargetRoot(root, module_path));
  std::vector<std::string> in_target;
  if (alternate) {
    const std::string name = debuglink_file;
    in_target.push_back(name[0] == '/' ? name : dir + "/" + name);
    for (const std::string& path : in_target) {
      int fd = OpenFileInTargetRoot(pid, path);
      if (fd >= 0) return Found(fd, path, debuginfo_file_name);
    }
    // An absolute alternate under /usr/lib/debug may be ours, found with
    // a debug file from our own build-id tree.
    if (name.rfind(kDebugRoot, 0) == 0) return Found(OpenOnHost(name), name, debuginfo_file_name);
    return -1;
  }

  std::string by_build_id;
  if (len > 1) {
    const std::string hex = HexOf(bits, len);
    by_build_id = std::string(kDebugRoot) + "/.build-id/" + hex.substr(0, 2) + "/" +
                  hex.substr(2) + ".debug";
    in_target.push_back(by_build_id);
  }
  if (debuglink_file != nullptr) {
    const std::string link = debuglink_file;
    in_target.push_back(dir + "/" + link);
    in_target.push_back(dir + "/.debug/" + link);
    in_target.push_back(std::string(kDebugRoot) + dir + "/" + link);
  }
  const bool ours = SharesOurRoot(pid);
  for (const std::string& path : in_target) {
    int fd = Validated(OpenFileInTargetRoot(pid, path), bits, len, debuglink_crc, true);
    if (fd >= 0 && ours) fd = Inflated(fd, bits, len);
    if (fd >= 0) return Found(fd, path, debuginfo_file_name);
  }
  if (!by_build_id.empty()) {
    int fd = Inflated(Validated(OpenOnHost(by_build_id), bits, len, debuglink_crc, true), bits, len);
    if (fd >= 0) return Found(fd, by_build_id, debuginfo_file_name);
  }
  return -1;
}

}  // namespace parkscope
