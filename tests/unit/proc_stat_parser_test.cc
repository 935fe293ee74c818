#include "proc/stat_parser.h"

#include <gtest/gtest.h>

#include <string>

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

// Fields 3..39 of a stat line, so tests can vary one at a time.
std::string StatWith(const std::string& comm, const std::string& tail) {
  return "123 (" + comm + ") " + tail + "\n";
}
const char kTail[] =
    "S 7 123 123 0 -1 4194368 76 0 0 0 11 22 0 0 20 0 1 0 33 4804608 450 "
    "18446744073709551615 1 2 3 0 0 0 65536 6 81920 1 0 0 17 5 0 0 0 0 0";

TEST(ProcStatParser, RealBashSample) {
  std::optional<TaskStat> stat = ParseStat(Testdata("stat_bash.txt"));
  ASSERT_TRUE(stat.has_value());
  EXPECT_EQ(stat->comm, "bash");
  EXPECT_EQ(stat->state, 'S');
  EXPECT_EQ(stat->ppid, 3962);
  EXPECT_EQ(stat->utime, 0u);
  EXPECT_EQ(stat->stime, 0u);
  EXPECT_EQ(stat->start_time_ticks, 74055u);
  EXPECT_EQ(stat->processor, 0);
}

TEST(ProcStatParser, RealKernelThreadSample) {
  std::optional<TaskStat> stat = ParseStat(Testdata("stat_kthreadd.txt"));
  ASSERT_TRUE(stat.has_value());
  EXPECT_EQ(stat->comm, "kthreadd");
  EXPECT_EQ(stat->ppid, 0);
  EXPECT_EQ(stat->start_time_ticks, 20u);
}

TEST(ProcStatParser, SyntheticFieldsLandInTheirSlots) {
  std::optional<TaskStat> stat = ParseStat(StatWith("worker", kTail));
  ASSERT_TRUE(stat.has_value());
  EXPECT_EQ(stat->state, 'S');
  EXPECT_EQ(stat->ppid, 7);
  EXPECT_EQ(stat->utime, 11u);
  EXPECT_EQ(stat->stime, 22u);
  EXPECT_EQ(stat->start_time_ticks, 33u);
  EXPECT_EQ(stat->processor, 5);
}

TEST(ProcStatParser, CommWithParenthesesSpacesAndNewlines) {
  // A thread can name itself anything up to 15 bytes: the parser must take
  // the last ')' or it reads the fake "Z 999" as state and ppid.
  std::optional<TaskStat> stat = ParseStat(StatWith(") (Z 999 ", kTail));
  ASSERT_TRUE(stat.has_value());
  EXPECT_EQ(stat->comm, ") (Z 999 ");
  EXPECT_EQ(stat->state, 'S');
  EXPECT_EQ(stat->ppid, 7);

  stat = ParseStat(StatWith("a\nb) R 1 (", kTail));
  ASSERT_TRUE(stat.has_value());
  EXPECT_EQ(stat->comm, "a\nb) R 1 (");
  EXPECT_EQ(stat->state, 'S');

  stat = ParseStat(StatWith("", kTail));
  ASSERT_TRUE(stat.has_value());
  EXPECT_EQ(stat->comm, "");
}

TEST(ProcStatParser, MissingTrailingFieldsKeepDefaults) {
  std::optional<TaskStat> stat = ParseStat("5 (x) R 1");
  ASSERT_TRUE(stat.has_value());
  EXPECT_EQ(stat->state, 'R');
  EXPECT_EQ(stat->ppid, 1);
  EXPECT_EQ(stat->utime, 0u);
  EXPECT_EQ(stat->processor, -1);

  // Cut after stime: utime and stime read, the rest defaulted.
  stat = ParseStat("5 (x) R 1 1 1 0 -1 0 0 0 0 0 8 9");
  ASSERT_TRUE(stat.has_value());
  EXPECT_EQ(stat->utime, 8u);
  EXPECT_EQ(stat->stime, 9u);
  EXPECT_EQ(stat->start_time_ticks, 0u);
  EXPECT_EQ(stat->processor, -1);
}

TEST(ProcStatParser, MissingStateOrPpidIsRejected) {
  EXPECT_FALSE(ParseStat("5 (x) R").has_value());
  EXPECT_FALSE(ParseStat("5 (x)").has_value());
  EXPECT_FALSE(ParseStat("5 (x) ").has_value());
  EXPECT_FALSE(ParseStat("5 (x").has_value());
  EXPECT_FALSE(ParseStat("5 x) R 1").has_value());
}

TEST(ProcStatParser, EmptyAndGarbageAreRejected) {
  EXPECT_FALSE(ParseStat("").has_value());
  EXPECT_FALSE(ParseStat("\n").has_value());
  EXPECT_FALSE(ParseStat(")(").has_value());
  EXPECT_FALSE(ParseStat("(x) R 1").has_value());         // no pid
  EXPECT_FALSE(ParseStat("abc (x) R 1").has_value());     // pid not a number
  EXPECT_FALSE(ParseStat("-5 (x) R 1").has_value());      // negative pid
  EXPECT_FALSE(ParseStat("5 (x)R 1").has_value());        // no separator
  EXPECT_FALSE(ParseStat("5 (x) RS 1").has_value());      // state not a letter
  EXPECT_FALSE(ParseStat("5 (x) 1 1").has_value());
  EXPECT_FALSE(ParseStat("5 (x) R one").has_value());
  EXPECT_FALSE(ParseStat("5 (x) R -1").has_value());
  std::string binary = "5 (\0\xff) \x01 1"s;
  EXPECT_FALSE(ParseStat(binary).has_value());
}

TEST(ProcStatParser, OverflowingNumbersAreRejected) {
  EXPECT_FALSE(ParseStat("5 (x) R 2147483648").has_value());
  EXPECT_FALSE(ParseStat("99999999999 (x) R 1").has_value());
  EXPECT_FALSE(
      ParseStat("5 (x) R 1 1 1 0 -1 0 0 0 0 0 18446744073709551616 9")
          .has_value());
  // The largest u64 still fits.
  std::optional<TaskStat> stat =
      ParseStat("5 (x) R 1 1 1 0 -1 0 0 0 0 0 18446744073709551615 9");
  ASSERT_TRUE(stat.has_value());
  EXPECT_EQ(stat->utime, 18446744073709551615u);
}

TEST(ProcStatParser, GarbageInFieldsWeReadIsRejected) {
  EXPECT_FALSE(ParseStat("5 (x) R 1 1 1 0 -1 0 0 0 0 0 0x8 9").has_value());
  EXPECT_FALSE(ParseStat("5 (x) R 1 1 1 0 -1 0 0 0 0 0 -8 9").has_value());
  // Fields we do not read may hold anything.
  EXPECT_TRUE(ParseStat("5 (x) R 1 ?? ?? ?? ??").has_value());
}

TEST(ProcStatParser, HugeCommIsBounded) {
  std::string comm(100'000, 'c');
  std::optional<TaskStat> stat = ParseStat(StatWith(comm, kTail));
  ASSERT_TRUE(stat.has_value());
  EXPECT_EQ(stat->comm.size(), 256u);
}

}  // namespace
}  // namespace parkscope
