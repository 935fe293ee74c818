#include "symbolize/inflated_debug_cache.h"

#include <dirent.h>
#include <elfutils/libdwelf.h>
#include <fcntl.h>
#include <gelf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <vector>

#include "symbolize/build_id.h"

namespace parkscope {
namespace {

// Larger debug files are left compressed: their copy would crowd the cache.
constexpr off_t kMaxSourceBytes = 256 << 20;
// Older temporary files are the remains of a dump killed while writing.
constexpr time_t kStaleTempSeconds = 600;

bool OursAndPrivate(const struct stat& st) {
  return st.st_uid == geteuid() && (st.st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

// mkdir -m 0700 of dir (and of its parent, ~/.cache, when missing), then
// the checks that make it ours: a directory, not a link, owned by us and
// writable by us only.
bool UsableDir(const std::string& dir) {
  if (mkdir(dir.c_str(), 0700) != 0 && errno == ENOENT) {
    const size_t slash = dir.rfind('/');
    if (slash == std::string::npos || slash == 0) return false;
    mkdir(dir.substr(0, slash).c_str(), 0700);
    mkdir(dir.c_str(), 0700);
  }
  struct stat st {};
  return lstat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && OursAndPrivate(st);
}

int OpenCached(const std::string& path, const unsigned char* bits, int len) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) return -1;
  struct stat st {};
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && OursAndPrivate(st) &&
      FileHasBuildId(fd, bits, len, ELF_C_READ_MMAP)) {
    return fd;
  }
  close(fd);
  return -1;
}

bool HasCompressedSections(int fd) {
  Elf* elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
  if (elf == nullptr) return false;
  bool compressed = false;
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn != nullptr && !compressed;
       scn = elf_nextscn(elf, scn)) {
    GElf_Shdr shdr;
    compressed = gelf_getshdr(scn, &shdr) != nullptr && (shdr.sh_flags & SHF_COMPRESSED) != 0;
  }
  elf_end(elf);
  return compressed;
}

bool CopyFile(int from, int to, off_t size) {
  off_t in = 0, out = 0;
  while (in < size) {
    ssize_t n = copy_file_range(from, &in, to, &out, static_cast<size_t>(size - in), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
  }
  return true;
}

// The copy in `fd`, inflated in place: libelf lays the file out again.
bool InflateInPlace(int fd) {
  Elf* elf = elf_begin(fd, ELF_C_RDWR, nullptr);
  if (elf == nullptr) return false;
  bool ok = true;
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn != nullptr && ok;
       scn = elf_nextscn(elf, scn)) {
    GElf_Shdr shdr;
    if (gelf_getshdr(scn, &shdr) == nullptr) ok = false;
    else if ((shdr.sh_flags & SHF_COMPRESSED) != 0) ok = elf_compress(scn, 0, 0) >= 0;
  }
  ok = ok && elf_update(elf, ELF_C_WRITE) >= 0;
  elf_end(elf);
  return ok;
}

// Deletes the oldest copies until `incoming` more bytes fit kCacheMaxBytes.
void MakeRoom(const std::string& dir, uint64_t incoming) {
  DIR* listing = opendir(dir.c_str());
  if (listing == nullptr) return;
  struct Entry {
    std::string path;
    time_t mtime;
    uint64_t bytes;
  };
  std::vector<Entry> entries;
  uint64_t total = 0;
  const time_t now = time(nullptr);
  while (dirent* d = readdir(listing)) {
    const std::string name = d->d_name;
    struct stat st {};
    const std::string path = dir + "/" + name;
    if (lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    // A copy half written by a dump that was killed: its temporary name.
    if (name.find(".debug.") != std::string::npos) {
      if (now - st.st_mtime > kStaleTempSeconds) unlink(path.c_str());
      continue;
    }
    if (name.size() < 7 || name.compare(name.size() - 6, 6, ".debug") != 0) continue;
    entries.push_back({path, st.st_mtime, static_cast<uint64_t>(st.st_size)});
    total += static_cast<uint64_t>(st.st_size);
  }
  closedir(listing);
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.mtime < b.mtime; });
  for (const Entry& e : entries) {
    if (total + incoming <= kCacheMaxBytes) break;
    if (unlink(e.path.c_str()) == 0) total -= e.bytes;
  }
}

// The directory in use, or "" when the cache is off or unusable.
std::string InflatedCacheDir() {
  std::string dir;
  if (const char* set = std::getenv("PARKSCOPE_CACHE_DIR")) {
    dir = set;
  } else if (geteuid() == 0) {
    dir = "/var/cache/parkscope";
  } else if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && xdg[0] == '/') {
    dir = std::string(xdg) + "/parkscope";
  } else if (const char* home = std::getenv("HOME"); home != nullptr && home[0] == '/') {
    dir = std::string(home) + "/.cache/parkscope";
  }
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  if (dir.empty() || dir[0] != '/' || !UsableDir(dir)) return "";
  return dir;
}

}  // namespace

int OpenInflatedCopy(int debug_fd, const unsigned char* build_id, int build_id_len) {
  if (build_id_len < 2 || build_id_len > 64) return -1;
  const std::string dir = InflatedCacheDir();
  if (dir.empty()) return -1;
  const std::string path = dir + "/" + HexOf(build_id, build_id_len) + ".debug";
  if (int cached = OpenCached(path, build_id, build_id_len); cached >= 0) return cached;

  struct stat source {};
  if (fstat(debug_fd, &source) != 0 || !S_ISREG(source.st_mode) ||
      source.st_size > kMaxSourceBytes || !HasCompressedSections(debug_fd)) {
    return -1;
  }
  // Inflated DWARF is three to four times the compressed file.
  MakeRoom(dir, static_cast<uint64_t>(source.st_size) * 4);
  std::string temp = path + ".XXXXXX";
  int fd = mkostemp(temp.data(), O_CLOEXEC);
  if (fd < 0) return -1;
  const bool written = CopyFile(debug_fd, fd, source.st_size) && InflateInPlace(fd) &&
                       fchmod(fd, 0600) == 0 && rename(temp.c_str(), path.c_str()) == 0;
  close(fd);
  if (!written) {
    unlink(temp.c_str());
    return -1;
  }
  return OpenCached(path, build_id, build_id_len);
}

}  // namespace parkscope
