// The cache of inflated debug files (src/symbolize/inflated_debug_cache.h),
// with libc's separate debug file from libc6-dbg: a dump writes the copy,
// the next dump reads it and reports the same frames; a copy that is not
// what its name says, or a directory others may write, is not trusted.
#include <elfutils/libdwelf.h>
#include <fcntl.h>
#include <gelf.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "e2e_support.h"

namespace parkscope::e2e {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string BuildIdHex(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  elf_version(EV_CURRENT);
  Elf* elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
  std::string hex;
  const void* id = nullptr;
  const ssize_t len = elf != nullptr ? dwelf_elf_gnu_build_id(elf, &id) : -1;
  for (ssize_t i = 0; i < len; ++i) {
    char byte[3];
    snprintf(byte, sizeof byte, "%02x", static_cast<const unsigned char*>(id)[i]);
    hex += byte;
  }
  if (elf != nullptr) elf_end(elf);
  close(fd);
  return hex;
}

int CompressedSections(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  Elf* elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
  int count = elf == nullptr ? -1 : 0;
  for (Elf_Scn* scn = elf != nullptr ? elf_nextscn(elf, nullptr) : nullptr; scn != nullptr;
       scn = elf_nextscn(elf, scn)) {
    GElf_Shdr shdr;
    if (gelf_getshdr(scn, &shdr) != nullptr && (shdr.sh_flags & SHF_COMPRESSED) != 0) ++count;
  }
  if (elf != nullptr) elf_end(elf);
  close(fd);
  return count;
}

std::string LibcPath() {
  std::ifstream maps("/proc/self/maps");
  for (std::string line; std::getline(maps, line);) {
    const size_t at = line.find('/');
    if (at != std::string::npos && line.find("/libc.so.6") != std::string::npos) return line.substr(at);
  }
  return "";
}

std::vector<std::string> FramesOf(const json& snap) {
  std::vector<std::string> out;
  for (const json& t : snap["threads"]) {
    for (const json& f : t["frames"]) {
      out.push_back(f["function"].get<std::string>() + " " + f["file"].get<std::string>() + ":" +
                    std::to_string(f["line"].get<int>()));
    }
  }
  return out;
}

class InflatedDebugCache : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string hex = BuildIdHex(LibcPath());
    ASSERT_GT(hex.size(), 2u) << "libc has no build-id";
    system_debug_ = "/usr/lib/debug/.build-id/" + hex.substr(0, 2) + "/" + hex.substr(2) + ".debug";
    if (CompressedSections(system_debug_) <= 0) {
      GTEST_SKIP() << system_debug_ << " missing or not compressed (apt install libc6-dbg)";
    }
    copy_name_ = hex + ".debug";
    dir_ = fs::temp_directory_path() / ("parkscope-cache-test-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    setenv("PARKSCOPE_CACHE_DIR", dir_.c_str(), 1);
  }
  void TearDown() override {
    unsetenv("PARKSCOPE_CACHE_DIR");
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  std::string system_debug_, copy_name_;
  fs::path dir_;
};

TEST_F(InflatedDebugCache, FirstDumpWritesTheCopyAndTheNextReadsIt) {
  Fixture fx("many_threads", {"--threads", "4", "--depth", "5"});
  ASSERT_TRUE(fx.WaitReady()) << fx.why();
  unsetenv("PARKSCOPE_CACHE_DIR");
  setenv("PARKSCOPE_CACHE_DIR", "", 1);  // off: the frames straight from libc6-dbg
  const json plain = DumpJson(fx.pid());
  setenv("PARKSCOPE_CACHE_DIR", dir_.c_str(), 1);
  const json first = DumpJson(fx.pid());
  const fs::path copy = dir_ / copy_name_;
  ASSERT_TRUE(fs::exists(copy)) << "no " << copy;
  EXPECT_EQ(CompressedSections(copy), 0);
  EXPECT_EQ(BuildIdHex(copy), copy_name_.substr(0, copy_name_.size() - 6));
  struct stat st {};
  ASSERT_EQ(stat(dir_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(stat(copy.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const ino_t written = st.st_ino;

  const json second = DumpJson(fx.pid());
  ASSERT_EQ(stat(copy.c_str(), &st), 0);
  EXPECT_EQ(st.st_ino, written) << "the copy was written again instead of read";
  EXPECT_EQ(FramesOf(first), FramesOf(plain));
  EXPECT_EQ(FramesOf(second), FramesOf(plain));
  bool libc_lines = false;
  for (const std::string& f : FramesOf(second)) libc_lines |= f.find("nptl/") != std::string::npos;
  EXPECT_TRUE(libc_lines) << "no libc source line in the frames";
}

TEST_F(InflatedDebugCache, ACopyWithAnotherBuildIdIsReplacedNotRead) {
  Fixture fx("many_threads", {"--threads", "4", "--depth", "5"});
  ASSERT_TRUE(fx.WaitReady()) << fx.why();
  setenv("PARKSCOPE_CACHE_DIR", "", 1);
  const json plain = DumpJson(fx.pid());
  setenv("PARKSCOPE_CACHE_DIR", dir_.c_str(), 1);
  fs::create_directories(dir_);
  fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::replace);
  // Another program's DWARF under libc's build-id: read, it would put the
  // fixture's lines on libc's pcs.
  fs::copy_file(FixturePath("pipe_read"), dir_ / copy_name_);
  fs::permissions(dir_ / copy_name_, fs::perms::owner_read | fs::perms::owner_write,
                  fs::perm_options::replace);
  const json dumped = DumpJson(fx.pid());
  EXPECT_EQ(FramesOf(dumped), FramesOf(plain));
  EXPECT_EQ(BuildIdHex(dir_ / copy_name_), copy_name_.substr(0, copy_name_.size() - 6));
}

TEST_F(InflatedDebugCache, DirectoryOthersCanWriteIsNotUsed) {
  Fixture fx("many_threads", {"--threads", "4", "--depth", "5"});
  ASSERT_TRUE(fx.WaitReady()) << fx.why();
  fs::create_directories(dir_);
  fs::permissions(dir_, fs::perms::all, fs::perm_options::replace);  // 0777
  const json dumped = DumpJson(fx.pid());
  EXPECT_FALSE(fs::exists(dir_ / copy_name_));
  EXPECT_FALSE(dumped["threads"].empty());
}

}  // namespace
}  // namespace parkscope::e2e
