// Replays deterministic mutations of the captured /proc samples through every
// parser. Run under PARKSCOPE_SANITIZE (ASan, UBSan) this is the cheap stand-in for
// a fuzzer: any out-of-bounds read or overflow fails here, not in a user's
// snapshot of a process that named a thread something odd.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "proc/fd_kind.h"
#include "proc/maps_parser.h"
#include "proc/proc_files.h"
#include "proc/sched_parser.h"
#include "proc/stat_parser.h"
#include "proc/status_parser.h"
#include "proc/syscall_parser.h"

namespace parkscope {
namespace {

constexpr int kMutationsPerSample = 3000;

std::vector<std::string> Samples() {
  std::vector<std::string> samples;
  for (const char* name :
       {"maps_bash.txt", "sched_bash.txt", "sched_cat_self.txt",
        "stat_bash.txt", "stat_kthreadd.txt", "status_bash.txt",
        "status_kthreadd.txt", "syscall_bash.txt", "syscall_cat_read.txt"}) {
    ReadResult read =
        ReadProcFile(std::string(PARKSCOPE_TESTDATA_DIR) + "/proc/" + name);
    EXPECT_TRUE(read.ok()) << name;
    samples.push_back(read.text);
  }
  return samples;
}

std::string Mutate(std::string text, std::mt19937_64& rng) {
  // Bytes that matter to the parsers, and so are most likely to break them.
  static constexpr char kInteresting[] = "()-: \t\n.0x9fF\0\xff";
  int edits = 1 + static_cast<int>(rng() % 8);
  for (int i = 0; i < edits; ++i) {
    size_t pos = text.empty() ? 0 : rng() % (text.size() + 1);
    char byte = (rng() % 2) ? static_cast<char>(rng())
                            : kInteresting[rng() % (sizeof kInteresting - 1)];
    switch (rng() % 5) {
      case 0:  // cut short, as a read racing an exit would
        text.resize(pos);
        break;
      case 1:
        if (pos < text.size()) text[pos] = byte;
        break;
      case 2:
        text.insert(pos, 1, byte);
        break;
      case 3:  // long runs of digits overflow every integer type
        text.insert(pos, std::string(1 + rng() % 30, '9'));
        break;
      case 4:
        if (pos < text.size()) text.erase(pos, 1 + rng() % 16);
        break;
    }
  }
  return text;
}

void ParseEverything(const std::string& text) {
  if (std::optional<TaskStat> stat = ParseStat(text)) {
    EXPECT_LE(stat->comm.size(), 256u);
    EXPECT_GE(stat->ppid, 0);
  }
  if (std::optional<SyscallState> state = ParseSyscall(text)) {
    if (state->kind != SyscallState::Kind::kInSyscall) {
      EXPECT_EQ(state->nr, -1);
    } else {
      EXPECT_GE(state->nr, 0);
    }
  }
  if (std::optional<SchedInfo> info = ParseSched(text)) {
    BlockedNs(*info, *info);
  }
  if (std::optional<ProcStatus> status = ParseStatus(text)) {
    EXPECT_GT(status->tgid, 0);
    EXPECT_LE(status->nspid.size(), 33u);
  }
  MapsParse maps = ParseMaps(text);
  for (const MapEntry& entry : maps.entries) {
    EXPECT_LT(entry.start, entry.end);
    // Every entry holds its own start, sorted or not.
    const MapEntry* found = FindMapping(maps.entries, entry.start);
    ASSERT_NE(found, nullptr);
    EXPECT_LE(found->start, entry.start);
    EXPECT_GT(found->end, entry.start);
  }
  FindMapping(maps.entries, 0);
  FdKindFromLink(text);
}

TEST(ProcParsersFuzz, MutatedSamplesNeverCrash) {
  std::mt19937_64 rng(0x5eed);
  for (const std::string& sample : Samples()) {
    ParseEverything(sample);
    for (int i = 0; i < kMutationsPerSample; ++i) {
      ParseEverything(Mutate(sample, rng));
    }
  }
}

TEST(ProcParsersFuzz, RandomBytesNeverCrash) {
  std::mt19937_64 rng(0xb17e5);
  for (int i = 0; i < 2000; ++i) {
    std::string text(rng() % 512, '\0');
    for (char& c : text) c = static_cast<char>(rng());
    ParseEverything(text);
  }
}

}  // namespace
}  // namespace parkscope
