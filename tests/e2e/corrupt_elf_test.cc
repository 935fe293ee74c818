// parkscope on a process that loaded a library whose ELF or DWARF is
// corrupt: the dump must end (exit 0 or 1, within seconds, no crash), the
// main executable's threads must keep every name and file:line, and the
// thread parked in the library must keep its frames (the name from .dynsym
// or .symtab when those survive, else module+offset). Each test corrupts a
// copy of fixture_corrupt_dso_lib.so and has fixture_corrupt_dso dlopen it.
#include <elf.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "e2e_support.h"

namespace parkscope::e2e {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;
using Bytes = std::vector<char>;

// A dump of three threads takes well under a second; a corrupt file that
// sent a parser into a loop would take forever.
constexpr double kDumpTimeoutS = 10;

const char kLib[] = "fixture_corrupt_dso_lib.so";

std::string LibraryPath() { return std::string(PARKSCOPE_FIXTURE_BIN_DIR) + "/" + kLib; }

Bytes ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bool WriteBytes(const std::string& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out);
}

template <typename T>
T At(const Bytes& bytes, uint64_t offset) {
  T value{};
  if (offset <= bytes.size() && bytes.size() - offset >= sizeof(T)) {
    std::memcpy(&value, bytes.data() + offset, sizeof(T));
  }
  return value;
}

struct Section {
  std::string name;
  uint64_t offset = 0, size = 0;
  uint32_t type = 0;
};

// The section table of an intact ELF64 file (the one the build made).
std::vector<Section> Sections(const Bytes& elf) {
  std::vector<Section> sections;
  const auto ehdr = At<Elf64_Ehdr>(elf, 0);
  if (std::memcmp(ehdr.e_ident, ELFMAG, SELFMAG) != 0) return sections;
  const auto strtab =
      At<Elf64_Shdr>(elf, ehdr.e_shoff + uint64_t{ehdr.e_shstrndx} * sizeof(Elf64_Shdr));
  for (uint16_t i = 0; i < ehdr.e_shnum; ++i) {
    const auto shdr = At<Elf64_Shdr>(elf, ehdr.e_shoff + uint64_t{i} * sizeof(Elf64_Shdr));
    Section s;
    const uint64_t name_at = strtab.sh_offset + shdr.sh_name;
    if (name_at < elf.size()) {
      s.name = std::string(elf.data() + name_at, strnlen(elf.data() + name_at, elf.size() - name_at));
    }
    s.offset = shdr.sh_offset;
    s.size = shdr.sh_type == SHT_NOBITS ? 0 : shdr.sh_size;
    s.type = shdr.sh_type;
    sections.push_back(s);
  }
  return sections;
}

// Where the file's loaded bytes end: the loader maps nothing past this.
uint64_t LoadEnd(const Bytes& elf) {
  const auto ehdr = At<Elf64_Ehdr>(elf, 0);
  uint64_t end = 0;
  for (uint16_t i = 0; i < ehdr.e_phnum; ++i) {
    const auto phdr = At<Elf64_Phdr>(elf, ehdr.e_phoff + uint64_t{i} * sizeof(Elf64_Phdr));
    if (phdr.p_type == PT_LOAD) end = std::max<uint64_t>(end, phdr.p_offset + phdr.p_filesz);
  }
  return end;
}

// Overwrites every .debug_* section: with random bytes (every = 1), or by
// flipping one random bit in about one byte of every `every`, which keeps
// most of the structure so the parsers go deeper before meeting garbage.
// Returns how many sections were hit.
int CorruptDwarf(Bytes& elf, uint64_t seed, int every) {
  std::mt19937_64 random(seed);
  int hit = 0;
  for (const Section& s : Sections(elf)) {
    if (s.name.rfind(".debug_", 0) != 0 || s.size == 0) continue;
    if (s.offset > elf.size() || elf.size() - s.offset < s.size) continue;
    ++hit;
    for (uint64_t i = s.offset; i < s.offset + s.size; ++i) {
      if (every == 1) {
        elf[i] = static_cast<char>(random());
      } else if (random() % every == 0) {
        elf[i] = static_cast<char>(elf[i] ^ (1 << (random() % 8)));
      }
    }
  }
  return hit;
}

uint64_t SeedForThisRun() {
  return static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
}

// The thread's wait site is fixtures/<file> at the marker's line.
::testing::AssertionResult SiteIs(const json& thread, const std::string& file,
                                  const std::string& marker, const std::string& function) {
  const int line = MarkerLine(file, marker);
  if (line == 0) return ::testing::AssertionFailure() << "no marker " << marker;
  if (thread["site"].is_null()) {
    return ::testing::AssertionFailure() << "no site: " << thread["frames"].dump();
  }
  const json& site = thread["site"];
  if (BaseName(site["file"].get<std::string>()) == file && site["line"] == line &&
      site["function"].get<std::string>().find(function) != std::string::npos) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "site " << site.dump() << ", expected " << file << ":"
                                       << line << " in " << function;
}

// A frame of this thread whose pc lies in module; nullptr if none.
const json* FrameInModule(const json& thread, const std::string& module) {
  for (const json& f : thread["frames"]) {
    if (f["module"] == module) return &f;
  }
  return nullptr;
}

// What the thread in the corrupt library must still show.
enum class LibraryFrame {
  kNamed,         // its function name, from .symtab or .dynsym
  kModuleOffset,  // at least module+offset: the whole file was refused
};

class CorruptElf : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/parkscope-corrupt-" + std::to_string(getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    ASSERT_TRUE(fs::create_directories(dir_));
    // Its own name: the module name in the dump tells this copy apart.
    copy_ = dir_ + "/corrupt_copy.so";
    original_ = ReadBytes(LibraryPath());
    ASSERT_GT(original_.size(), 0u) << LibraryPath();
    ASSERT_GT(Sections(original_).size(), 10u) << "not an ELF64 file with sections";
  }
  void TearDown() override {
    fixture_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  bool Start() {
    fixture_ = std::make_unique<Fixture>("corrupt_dso", std::vector<std::string>{copy_});
    return fixture_->WaitReady();
  }

  // Dumps the fixture and checks everything the brief promises whatever
  // the corruption; expect_unwound: the library's CFI (.eh_frame, in its
  // loaded segment) is reachable, so the walk must go on to the caller.
  void CheckDump(LibraryFrame library_frame, bool expect_unwound) {
    const double started = MonotonicSeconds();
    RunResult raw = RunParkscope(
        {"dump", "-p", std::to_string(fixture_->pid()), "--format", "json"}, kDumpTimeoutS);
    const double took = MonotonicSeconds() - started;
    ASSERT_LT(took, kDumpTimeoutS) << "the dump hung";
    ASSERT_TRUE(raw.exit_code == 0 || raw.exit_code == 1)
        << "exit " << raw.exit_code << " after " << took << " s: " << raw.err;
    json snap = json::parse(raw.out, nullptr, false);
    ASSERT_FALSE(snap.is_discarded()) << raw.out.substr(0, 500);
    EXPECT_TRUE(StoppedOrTracedThreads(fixture_->pid()).empty());

    // The main executable's threads: every name and line, as if nothing
    // were wrong.
    auto sleepers = ThreadsNamed(snap, "exe-sleeper");
    ASSERT_EQ(sleepers.size(), 1u) << snap.dump();
    EXPECT_TRUE(SiteIs(sleepers[0], "corrupt_dso.cc", "corrupt-exe-sleep", "ExeSleeper"));
    const json* main_thread = nullptr;
    for (const json& t : snap["threads"]) {
      if (t["tid"] == fixture_->pid()) main_thread = &t;
    }
    ASSERT_NE(main_thread, nullptr);
    EXPECT_TRUE(SiteIs(*main_thread, "corrupt_dso.cc", "corrupt-main", "ParkMainForever"));
    bool main_named = false;
    for (const json& f : (*main_thread)["frames"]) main_named |= f["function"] == "main";
    EXPECT_TRUE(main_named) << (*main_thread)["frames"].dump();

    // The thread in the library: frames, and the library among them.
    auto parkers = ThreadsNamed(snap, "dso-parker");
    ASSERT_EQ(parkers.size(), 1u);
    const json& parker = parkers[0];
    EXPECT_NE(parker["capture_method"], "none") << parker.dump();
    ASSERT_FALSE(parker["frames"].empty()) << parker.dump();
    const json* in_library = FrameInModule(parker, BaseName(copy_));
    ASSERT_NE(in_library, nullptr) << parker["frames"].dump();
    EXPECT_GT((*in_library)["module_offset"].get<uint64_t>(), 0u);
    if (library_frame == LibraryFrame::kNamed) {
      bool named = false;
      for (const json& f : parker["frames"]) {
        named |= f["module"] == BaseName(copy_) && f["function"] == "CorruptDsoPark";
      }
      EXPECT_TRUE(named) << parker["frames"].dump();
    }
    if (expect_unwound) {
      bool caller = false;
      const int call_line = MarkerLine("corrupt_dso.cc", "dso-call");
      for (const json& f : parker["frames"]) {
        caller |= f["function"].get<std::string>().find("DsoParker") != std::string::npos &&
                  BaseName(f["file"].get<std::string>()) == "corrupt_dso.cc" &&
                  f["line"] == call_line;
      }
      EXPECT_TRUE(caller) << "no DsoParker at corrupt_dso.cc:" << call_line << " in "
                          << parker["frames"].dump();
    }
  }

  std::string dir_, copy_;
  Bytes original_;
  std::unique_ptr<Fixture> fixture_;
};

#define START_OR_FAIL()                                     \
  if (!Start()) FAIL() << "corrupt_dso: " << fixture_->why()

TEST_F(CorruptElf, IntactCopyIsFullySymbolized) {
  // The control: what the corrupt copies lose, this one has.
  ASSERT_TRUE(WriteBytes(copy_, original_));
  START_OR_FAIL();
  ASSERT_NO_FATAL_FAILURE(CheckDump(LibraryFrame::kNamed, /*expect_unwound=*/true));
  json snap = DumpJson(fixture_->pid());
  auto parkers = ThreadsNamed(snap, "dso-parker");
  ASSERT_EQ(parkers.size(), 1u);
  EXPECT_TRUE(SiteIs(parkers[0], "corrupt_dso_lib.cc", "dso-park", "CorruptDsoPark"));
}

TEST_F(CorruptElf, RandomBytesInEveryDwarfSection) {
  const uint64_t seed = SeedForThisRun();
  SCOPED_TRACE("seed " + std::to_string(seed));
  Bytes elf = original_;
  ASSERT_GE(CorruptDwarf(elf, seed, 1), 3);  // at least info, abbrev, line
  ASSERT_TRUE(WriteBytes(copy_, elf));
  START_OR_FAIL();
  CheckDump(LibraryFrame::kNamed, /*expect_unwound=*/true);
}

TEST_F(CorruptElf, FlippedBitsInEveryDwarfSection) {
  const uint64_t seed = SeedForThisRun();
  SCOPED_TRACE("seed " + std::to_string(seed));
  Bytes elf = original_;
  ASSERT_GE(CorruptDwarf(elf, seed, 16), 3);
  ASSERT_TRUE(WriteBytes(copy_, elf));
  START_OR_FAIL();
  CheckDump(LibraryFrame::kNamed, /*expect_unwound=*/true);
}

TEST_F(CorruptElf, NoSectionHeaderTable) {
  // e_shoff = e_shnum = 0: legal, and the loader never reads sections.
  // .symtab and DWARF are unreachable; .dynsym is found through
  // PT_DYNAMIC and .eh_frame through PT_GNU_EH_FRAME.
  Bytes elf = original_;
  auto ehdr = At<Elf64_Ehdr>(elf, 0);
  ehdr.e_shoff = 0;
  ehdr.e_shnum = 0;
  ehdr.e_shstrndx = 0;
  std::memcpy(elf.data(), &ehdr, sizeof ehdr);
  ASSERT_TRUE(WriteBytes(copy_, elf));
  START_OR_FAIL();
  CheckDump(LibraryFrame::kNamed, /*expect_unwound=*/true);
}

TEST_F(CorruptElf, SectionHeaderTableBeyondTheEnd) {
  // A section table that claims 65,535 entries far past the end of the
  // file: a reader that trusts it reads out of bounds.
  Bytes elf = original_;
  auto ehdr = At<Elf64_Ehdr>(elf, 0);
  ehdr.e_shoff = elf.size() - 8;
  ehdr.e_shnum = 0xffff;
  ehdr.e_shstrndx = 0xfffe;
  std::memcpy(elf.data(), &ehdr, sizeof ehdr);
  ASSERT_TRUE(WriteBytes(copy_, elf));
  START_OR_FAIL();
  CheckDump(LibraryFrame::kModuleOffset, /*expect_unwound=*/false);
}

TEST_F(CorruptElf, TruncatedOnDiskAfterLoading) {
  // The file shrinks under the mapping to where its loaded bytes end: the
  // target never touches a page past that (no SIGBUS), but DWARF, .symtab
  // and the section table that map_files hands us are gone.
  ASSERT_TRUE(WriteBytes(copy_, original_));
  START_OR_FAIL();
  const uint64_t load_end = LoadEnd(original_);
  ASSERT_GT(load_end, 0u);
  ASSERT_LT(load_end, Sections(original_).back().offset);  // debug data lies beyond
  ASSERT_EQ(truncate(copy_.c_str(), static_cast<off_t>(load_end)), 0) << strerror(errno);
  CheckDump(LibraryFrame::kModuleOffset, /*expect_unwound=*/false);
}

// Splits the library into a stripped copy_ whose .gnu_debuglink names
// `debug`, a separate debug file next to it (same build-id).
void SplitDebugInfo(const std::string& dir, const Bytes& original, const std::string& copy,
                    const std::string& debug) {
  const std::string whole = dir + "/whole.so";
  ASSERT_TRUE(WriteBytes(whole, original));
  ASSERT_EQ(system(("objcopy --only-keep-debug " + whole + " " + debug).c_str()), 0);
  ASSERT_EQ(system(("cd " + dir + " && objcopy --strip-debug --add-gnu-debuglink=" +
                    BaseName(debug) + " " + whole + " " + copy)
                       .c_str()),
            0);
  auto has_dwarf = [](const std::string& path) {
    for (const Section& section : Sections(ReadBytes(path))) {
      if (section.name == ".debug_info" && section.type != SHT_NOBITS) return true;
    }
    return false;
  };
  // Whatever DWARF the dump finds for copy, it found through the debuglink.
  ASSERT_FALSE(has_dwarf(copy));
  ASSERT_TRUE(has_dwarf(debug));
}

TEST_F(CorruptElf, IntactSeparateDebugFileIsFound) {
  // The control for the two below: the debuglink is followed, and its
  // DWARF gives the library's wait site.
  const std::string debug = dir_ + "/corrupt_copy.debug";
  ASSERT_NO_FATAL_FAILURE(SplitDebugInfo(dir_, original_, copy_, debug));
  START_OR_FAIL();
  ASSERT_NO_FATAL_FAILURE(CheckDump(LibraryFrame::kNamed, /*expect_unwound=*/true));
  json snap = DumpJson(fixture_->pid());
  auto parkers = ThreadsNamed(snap, "dso-parker");
  ASSERT_EQ(parkers.size(), 1u);
  EXPECT_TRUE(SiteIs(parkers[0], "corrupt_dso_lib.cc", "dso-park", "CorruptDsoPark"));
}

// A stripped copy whose .gnu_debuglink names a separate debug file next to
// it. The debug file keeps the library's build-id (so a reader accepts it as
// the right one) but its DWARF is garbage.
TEST_F(CorruptElf, GarbageSeparateDebugFile) {
  const std::string debug = dir_ + "/corrupt_copy.debug";
  ASSERT_NO_FATAL_FAILURE(SplitDebugInfo(dir_, original_, copy_, debug));
  const uint64_t seed = SeedForThisRun();
  SCOPED_TRACE("seed " + std::to_string(seed));
  Bytes garbage = ReadBytes(debug);
  ASSERT_GE(CorruptDwarf(garbage, seed, 1), 3);
  ASSERT_TRUE(WriteBytes(debug, garbage));
  START_OR_FAIL();
  CheckDump(LibraryFrame::kNamed, /*expect_unwound=*/true);
}

TEST_F(CorruptElf, DebuglinkNamesAFifo) {
  // The debuglink's name is the target's to choose, and so is the
  // directory it is looked up in: here it is a FIFO nobody writes. An
  // open() that waits for a writer would hang the dump forever.
  const std::string debug = dir_ + "/corrupt_copy.debug";
  ASSERT_NO_FATAL_FAILURE(SplitDebugInfo(dir_, original_, copy_, debug));
  ASSERT_EQ(unlink(debug.c_str()), 0);
  ASSERT_EQ(mkfifo(debug.c_str(), 0600), 0);
  START_OR_FAIL();
  CheckDump(LibraryFrame::kNamed, /*expect_unwound=*/true);
}

}  // namespace
}  // namespace parkscope::e2e
