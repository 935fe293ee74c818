#include "proc/maps_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "proc/proc_files.h"

namespace parkscope {
namespace {

using namespace std::string_literals;

std::string Testdata(const std::string& name) {
  ReadResult read =
      ReadProcFile(std::string(PARKSCOPE_TESTDATA_DIR) + "/proc/" + name);
  EXPECT_TRUE(read.ok()) << name << ": errno " << read.err;
  return read.text;
}

MapEntry Range(uint64_t start, uint64_t end) {
  MapEntry entry;
  entry.start = start;
  entry.end = end;
  return entry;
}

TEST(ProcMapsParser, RealBashSample) {
  MapsParse parse = ParseMaps(Testdata("maps_bash.txt"));
  EXPECT_EQ(parse.malformed_lines, 0u);
  EXPECT_FALSE(parse.truncated);
  ASSERT_EQ(parse.entries.size(), 43u);

  const MapEntry& text = parse.entries[1];
  EXPECT_EQ(text.start, 0x5609710f4000u);
  EXPECT_EQ(text.end, 0x5609711b5000u);
  EXPECT_TRUE(text.readable);
  EXPECT_FALSE(text.writable);
  EXPECT_TRUE(text.executable);
  EXPECT_FALSE(text.shared);
  EXPECT_EQ(text.offset, 0x2f000u);
  EXPECT_EQ(text.dev_major, 0xfeu);
  EXPECT_EQ(text.dev_minor, 0u);
  EXPECT_EQ(text.inode, 247101u);
  EXPECT_EQ(text.path, "/usr/bin/bash");
  EXPECT_TRUE(text.IsFile());

  const MapEntry& anon = parse.entries[5];
  EXPECT_EQ(anon.path, "");
  EXPECT_FALSE(anon.IsFile());
  EXPECT_EQ(parse.entries[6].path, "[heap]");
  EXPECT_FALSE(parse.entries[6].IsFile());

  const MapEntry& vsyscall = parse.entries.back();
  EXPECT_EQ(vsyscall.start, 0xffffffffff600000u);
  EXPECT_EQ(vsyscall.path, "[vsyscall]");
  EXPECT_FALSE(vsyscall.readable);
  EXPECT_TRUE(vsyscall.executable);

  bool saw_shared = false;
  for (const MapEntry& entry : parse.entries) saw_shared |= entry.shared;
  EXPECT_TRUE(saw_shared);  // gconv-modules.cache is r--s
}

TEST(ProcMapsParser, LiveSelfMapsFindsThisFunction) {
  ReadResult read = ReadProcFile("/proc/self/maps");
  ASSERT_TRUE(read.ok());
  MapsParse parse = ParseMaps(read.text);
  EXPECT_EQ(parse.malformed_lines, 0u);
  const MapEntry* entry = FindMapping(
      parse.entries, reinterpret_cast<uint64_t>(&ParseMaps));
  ASSERT_NE(entry, nullptr);
  EXPECT_TRUE(entry->executable);
  EXPECT_TRUE(entry->IsFile());
}

TEST(ProcMapsParser, PathWithSpacesAndDeletedSuffix) {
  MapsParse parse = ParseMaps(
      "7f0000000000-7f0000001000 r-xp 00001000 08:01 12   /tmp/my lib.so "
      "(deleted)\n"
      "7f0000001000-7f0000002000 rw-s 00000000 00:05 99 /memfd:buf (deleted)\n"
      "7f0000002000-7f0000003000 r--p 00000000 08:01 13 /tmp/x (deleted) y\n"
      "7f0000003000-7f0000004000 r--p 00000000 08:01 14 /tmp/trailing \n"
      "7f0000004000-7f0000005000 ---p 00000000 00:00 0 [anon:my name]\n");
  ASSERT_EQ(parse.entries.size(), 5u);
  EXPECT_EQ(parse.malformed_lines, 0u);
  EXPECT_EQ(parse.entries[0].path, "/tmp/my lib.so");
  EXPECT_TRUE(parse.entries[0].deleted);
  EXPECT_EQ(parse.entries[0].offset, 0x1000u);
  EXPECT_EQ(parse.entries[0].dev_minor, 1u);
  EXPECT_EQ(parse.entries[1].path, "/memfd:buf");
  EXPECT_TRUE(parse.entries[1].deleted);
  EXPECT_TRUE(parse.entries[1].shared);
  EXPECT_EQ(parse.entries[2].path, "/tmp/x (deleted) y");
  EXPECT_FALSE(parse.entries[2].deleted);
  EXPECT_EQ(parse.entries[3].path, "/tmp/trailing ");
  EXPECT_EQ(parse.entries[4].path, "[anon:my name]");
  EXPECT_FALSE(parse.entries[4].readable);
}

TEST(ProcMapsParser, WideDeviceNumbersAndNoTrailingNewline) {
  MapsParse parse =
      ParseMaps("1000-2000 r--p 00000000 103:fffff 18446744073709551615 /x");
  ASSERT_EQ(parse.entries.size(), 1u);
  EXPECT_EQ(parse.entries[0].dev_major, 0x103u);
  EXPECT_EQ(parse.entries[0].dev_minor, 0xfffffu);
  EXPECT_EQ(parse.entries[0].inode, 18446744073709551615u);
}

TEST(ProcMapsParser, BadLinesAreCountedAndSkipped) {
  const char* bad[] = {
      "2000-1000 r--p 00000000 00:00 0",           // start > end
      "1000-1000 r--p 00000000 00:00 0",           // empty range
      "1000 r--p 00000000 00:00 0",                // no dash
      "-1000 r--p 00000000 00:00 0",
      "1000- r--p 00000000 00:00 0",
      "10g0-2000 r--p 00000000 00:00 0",           // not hex
      "0x1000-0x2000 r--p 00000000 00:00 0",       // prefix not printed
      "1000-10000000000000000 r--p 00000000 00:00 0",   // 65 bits
      "1000-00000000000000002000 r--p 00000000 00:00 0",  // 20 digits
      "1000-2000 rw-- 00000000 00:00 0",           // bad sharing letter
      "1000-2000 wr-p 00000000 00:00 0",           // letters out of place
      "1000-2000 r--pp 00000000 00:00 0",
      "1000-2000 r--p zz 00:00 0",
      "1000-2000 r--p 00000000 0000 0",            // no colon in device
      "1000-2000 r--p 00000000 100000000:00 0",    // major > 32 bits
      "1000-2000 r--p 00000000 00:00 -1",
      "1000-2000 r--p 00000000 00:00 18446744073709551616",
      "1000-2000 r--p 00000000 00:00",             // truncated
      "1000-2000 r--p",
      "1000-2000",
      ":::",
  };
  std::string text;
  for (const char* line : bad) text += std::string(line) + "\n";
  text += "3000-4000 r-xp 00000000 00:00 0 [vdso]\n\n\n";
  MapsParse parse = ParseMaps(text);
  EXPECT_EQ(parse.malformed_lines, std::size(bad));
  ASSERT_EQ(parse.entries.size(), 1u);
  EXPECT_EQ(parse.entries[0].path, "[vdso]");
}

TEST(ProcMapsParser, EmptyAndBinaryInput) {
  EXPECT_TRUE(ParseMaps("").entries.empty());
  EXPECT_EQ(ParseMaps("").malformed_lines, 0u);
  MapsParse parse = ParseMaps("\0\xff\n1000-2000 r--p 0 0:0 0 \0x\n"s);
  ASSERT_EQ(parse.entries.size(), 1u);
  EXPECT_EQ(parse.entries[0].path, "\0x"s);
  EXPECT_EQ(parse.malformed_lines, 1u);
}

TEST(ProcMapsParser, TenThousandGarbageLines) {
  std::string text;
  for (int i = 0; i < 10'000; ++i) text += "garbage-line r--p ??\n";
  text += "1000-2000 r--p 00000000 00:00 0\n";
  MapsParse parse = ParseMaps(text);
  EXPECT_EQ(parse.malformed_lines, 10'000u);
  EXPECT_EQ(parse.entries.size(), 1u);
}

TEST(ProcMapsParser, MaxEntriesBoundsTheParse) {
  std::string text = Testdata("maps_bash.txt");
  MapsParse parse = ParseMaps(text, 10);
  EXPECT_EQ(parse.entries.size(), 10u);
  EXPECT_TRUE(parse.truncated);
}

TEST(ProcMapsParser, FindMappingOnSortedMaps) {
  std::vector<MapEntry> maps = {Range(0x1000, 0x2000), Range(0x3000, 0x5000),
                                Range(0x5000, 0x6000)};
  EXPECT_EQ(FindMapping(maps, 0xfff), nullptr);
  EXPECT_EQ(FindMapping(maps, 0x1000), &maps[0]);
  EXPECT_EQ(FindMapping(maps, 0x1fff), &maps[0]);
  EXPECT_EQ(FindMapping(maps, 0x2000), nullptr);  // end is exclusive
  EXPECT_EQ(FindMapping(maps, 0x4fff), &maps[1]);
  EXPECT_EQ(FindMapping(maps, 0x5000), &maps[2]);
  EXPECT_EQ(FindMapping(maps, 0x6000), nullptr);
  EXPECT_EQ(FindMapping(maps, UINT64_MAX), nullptr);
  EXPECT_EQ(FindMapping({}, 0x1000), nullptr);
}

TEST(ProcMapsParser, FindMappingOnUnsortedMaps) {
  std::vector<MapEntry> maps = {Range(0x5000, 0x6000), Range(0x1000, 0x2000),
                                Range(0x9000, 0xa000), Range(0x3000, 0x4000)};
  EXPECT_EQ(FindMapping(maps, 0x1800), &maps[1]);
  EXPECT_EQ(FindMapping(maps, 0x3800), &maps[3]);
  EXPECT_EQ(FindMapping(maps, 0x5800), &maps[0]);
  EXPECT_EQ(FindMapping(maps, 0x9800), &maps[2]);
  EXPECT_EQ(FindMapping(maps, 0x7000), nullptr);
}

TEST(ProcMapsParser, FindMappingOverRealSample) {
  MapsParse parse = ParseMaps(Testdata("maps_bash.txt"));
  const MapEntry* libc = FindMapping(parse.entries, 0x7fa257193bd3);
  ASSERT_NE(libc, nullptr);  // the wait4 pc from syscall_bash.txt
  EXPECT_EQ(libc->path, "/usr/lib/x86_64-linux-gnu/libc.so.6");
  EXPECT_TRUE(libc->executable);
}

}  // namespace
}  // namespace parkscope
