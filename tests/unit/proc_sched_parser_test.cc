#include "proc/sched_parser.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
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

constexpr char kHeader[] =
    "worker (4242, #threads: 3)\n"
    "-------------------------------------------------------------------\n";

std::string SchedWith(const std::string& body) { return kHeader + body; }

std::optional<int64_t> ExecStartOf(const std::string& value) {
  std::optional<SchedInfo> info = ParseSched(
      SchedWith("se.exec_start                                :" + value +
                "\n"));
  if (!info) return std::nullopt;
  return info->exec_start_ns;
}

TEST(ProcSchedParser, RealBashSample) {
  std::optional<SchedInfo> info = ParseSched(Testdata("sched_bash.txt"));
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->exec_start_ns, 740'534'306'347);
  EXPECT_EQ(info->sum_exec_runtime_ns, 464'666);
  EXPECT_EQ(info->nr_switches, 3u);
  EXPECT_EQ(info->nr_voluntary_switches, 3u);
  EXPECT_EQ(info->nr_involuntary_switches, 0u);
}

TEST(ProcSchedParser, RealPairGivesBlockedDuration) {
  // sched_cat_self.txt was read by cat right after bash's file, as the
  // collector reads /proc/self/sched right after the target's.
  std::optional<SchedInfo> target = ParseSched(Testdata("sched_bash.txt"));
  std::optional<SchedInfo> self = ParseSched(Testdata("sched_cat_self.txt"));
  ASSERT_TRUE(target && self);
  EXPECT_EQ(self->sum_exec_runtime_ns, 0);
  EXPECT_EQ(BlockedNs(*target, *self), 740'806'957'711 - 740'534'306'347);
}

TEST(ProcSchedParser, MillisecondsConvertExactly) {
  EXPECT_EQ(ExecStartOf("        183761.205496"), 183'761'205'496);
  EXPECT_EQ(ExecStartOf("0.000001"), 1);
  EXPECT_EQ(ExecStartOf("0.000000"), 0);
  // A double would round this: 2^53 ns is about 104 days.
  EXPECT_EQ(ExecStartOf("9007199254.740993"), 9'007'199'254'740'993);
  EXPECT_EQ(ExecStartOf("-12.000345"), -12'000'345);
}

TEST(ProcSchedParser, FewerDecimalsAreScaled) {
  EXPECT_EQ(ExecStartOf("1.5"), 1'500'000);
  EXPECT_EQ(ExecStartOf("1.05"), 1'050'000);
  EXPECT_EQ(ExecStartOf("1.00001"), 1'000'010);
  EXPECT_EQ(ExecStartOf("7"), 7'000'000);
}

TEST(ProcSchedParser, MalformedTimesStayEmpty) {
  EXPECT_EQ(ExecStartOf("1.0000001"), std::nullopt);  // beyond ns
  EXPECT_EQ(ExecStartOf("1."), std::nullopt);
  EXPECT_EQ(ExecStartOf(".5"), std::nullopt);
  EXPECT_EQ(ExecStartOf("1.-5"), std::nullopt);
  EXPECT_EQ(ExecStartOf("--1.5"), std::nullopt);
  EXPECT_EQ(ExecStartOf("+1.5"), std::nullopt);
  EXPECT_EQ(ExecStartOf("1.5 ms"), std::nullopt);
  EXPECT_EQ(ExecStartOf("0x10.5"), std::nullopt);
  EXPECT_EQ(ExecStartOf("1e3"), std::nullopt);
  EXPECT_EQ(ExecStartOf("nan"), std::nullopt);
}

TEST(ProcSchedParser, OverflowIsRejectedAtTheExactLimit) {
  // INT64_MAX ns is 9223372036854.775807 ms.
  EXPECT_EQ(ExecStartOf("9223372036854.775807"), INT64_MAX);
  EXPECT_EQ(ExecStartOf("-9223372036854.775807"), -INT64_MAX);
  EXPECT_EQ(ExecStartOf("9223372036854.775808"), std::nullopt);
  EXPECT_EQ(ExecStartOf("9223372036855"), std::nullopt);
  EXPECT_EQ(ExecStartOf("99999999999999999999999.0"), std::nullopt);
  std::optional<SchedInfo> info =
      ParseSched(SchedWith("nr_switches : 18446744073709551616\n"
                           "nr_voluntary_switches : 18446744073709551615\n"
                           "nr_involuntary_switches : -1\n"));
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->nr_switches, std::nullopt);
  EXPECT_EQ(info->nr_voluntary_switches, 18446744073709551615u);
  EXPECT_EQ(info->nr_involuntary_switches, std::nullopt);
}

TEST(ProcSchedParser, MissingKeysStayEmpty) {
  std::optional<SchedInfo> info =
      ParseSched(SchedWith("se.vruntime : 67.399075\npolicy : 0\n"));
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->exec_start_ns, std::nullopt);
  EXPECT_EQ(info->nr_switches, std::nullopt);
  EXPECT_EQ(info->sum_exec_runtime_ns, std::nullopt);
}

TEST(ProcSchedParser, UnusableTextIsNullopt) {
  EXPECT_EQ(ParseSched(""), std::nullopt);
  EXPECT_EQ(ParseSched("\n\n\n"), std::nullopt);
  EXPECT_EQ(ParseSched(kHeader), std::nullopt);
  EXPECT_EQ(ParseSched("garbage without separators"), std::nullopt);
  EXPECT_EQ(ParseSched("\0\xff\x01:\x02"s), std::nullopt);  // header only
}

TEST(ProcSchedParser, CommCannotInjectFields) {
  // A 15-byte thread name with newlines, as the kernel prints it unescaped.
  std::string text =
      "-\nnr_switches:9\n (4242, #threads: 1)\n"
      "-------------------------------------------------------------------\n"
      "nr_switches                                  :                    3\n";
  std::optional<SchedInfo> info = ParseSched(text);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->nr_switches, 3u);
}

TEST(ProcSchedParser, FirstWellFormedValueWins) {
  std::optional<SchedInfo> info = ParseSched(
      SchedWith("nr_switches : x\nnr_switches : 4\nnr_switches : 5\n"));
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->nr_switches, 4u);
}

TEST(ProcSchedParser, TruncatedFileKeepsWhatWasComplete) {
  std::string text = Testdata("sched_bash.txt");
  size_t cut = text.find("nr_switches");
  ASSERT_NE(cut, std::string::npos);
  std::optional<SchedInfo> info = ParseSched(text.substr(0, cut + 5));
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->exec_start_ns, 740'534'306'347);
  EXPECT_EQ(info->nr_switches, std::nullopt);
  // Cut in the middle of the value: the partial number is still a number,
  // which is why the collector checks ReadResult::truncated.
  info = ParseSched(SchedWith("se.exec_start : 7405"));
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->exec_start_ns, 7'405'000'000);
}

TEST(ProcSchedParser, TenThousandGarbageLines) {
  std::string text = kHeader;
  for (int i = 0; i < 10'000; ++i) {
    text += (i % 3 == 0)   ? "::::::\n"
            : (i % 3 == 1) ? "se.exec_start : \xff\xfe\n"
                           : "nr_switches :: 1\n";
  }
  text += "se.exec_start : 1.000002\n";
  std::optional<SchedInfo> info = ParseSched(text);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->exec_start_ns, 1'000'002);
  EXPECT_EQ(info->nr_switches, std::nullopt);
}

TEST(ProcSchedParser, BlockedNsArithmetic) {
  SchedInfo target, self;
  EXPECT_EQ(BlockedNs(target, self), std::nullopt);
  target.exec_start_ns = 1'000;
  EXPECT_EQ(BlockedNs(target, self), std::nullopt);
  self.exec_start_ns = 5'000;
  EXPECT_EQ(BlockedNs(target, self), 4'000);
  self.exec_start_ns = 1'000;
  EXPECT_EQ(BlockedNs(target, self), 0);

  // Target slightly ahead: per-CPU clock skew, clamped to 0.
  target.exec_start_ns = 2'000'000'000;
  self.exec_start_ns = 1'500'000'000;
  EXPECT_EQ(BlockedNs(target, self), 0);
  self.exec_start_ns = 1'000'000'000;
  EXPECT_EQ(BlockedNs(target, self), 0);
  // More than a second ahead: not skew.
  self.exec_start_ns = 999'999'999;
  EXPECT_EQ(BlockedNs(target, self), std::nullopt);

  // Hostile extremes must not overflow.
  target.exec_start_ns = -INT64_MAX;
  self.exec_start_ns = INT64_MAX;
  EXPECT_EQ(BlockedNs(target, self), std::nullopt);
  target.exec_start_ns = INT64_MAX;
  self.exec_start_ns = -INT64_MAX;
  EXPECT_EQ(BlockedNs(target, self), std::nullopt);
}

TEST(ProcSchedstat, RunTimeIsTheFirstField) {
  EXPECT_EQ(ParseSchedstatRunNs("123456789 1000 42\n"), 123456789);
  EXPECT_EQ(ParseSchedstatRunNs("0 0 0\n"), 0);
  EXPECT_FALSE(ParseSchedstatRunNs(""));
  EXPECT_FALSE(ParseSchedstatRunNs("123456789"));  // no separator: cut short
  EXPECT_FALSE(ParseSchedstatRunNs("abc 1 2\n"));
  EXPECT_FALSE(ParseSchedstatRunNs("-5 1 2\n"));
  EXPECT_FALSE(ParseSchedstatRunNs("9223372036854775808 1 2\n"));  // over int64
  EXPECT_FALSE(ParseSchedstatRunNs("99999999999999999999999 1 2\n"));
}

TEST(ProcSchedstat, OurOwnThreadsFileParses) {
  // The kernel adds a running thread's time to the counter only when it
  // is switched out or a tick lands: a fresh process that had done neither
  // read 0 (a Release build, run on its own). A sleep switches it out.
  usleep(2000);
  ReadResult read = ReadProcRecord("/proc/thread-self/schedstat", 256);
  ASSERT_TRUE(read.ok()) << "errno " << read.err;
  auto ns = ParseSchedstatRunNs(read.text);
  ASSERT_TRUE(ns);
  EXPECT_GT(*ns, 0);
}

TEST(ProcRecord, OneReadGivesTheWholeRecordAndTruncationIsReported) {
  ReadResult loop = ReadProcFile("/proc/self/status", 16384);
  ReadResult once = ReadProcRecord("/proc/self/status", 16384);
  ASSERT_TRUE(loop.ok() && once.ok());
  EXPECT_FALSE(once.truncated);
  EXPECT_GT(once.text.size(), 200u);
  EXPECT_EQ(once.text.substr(0, 40), loop.text.substr(0, 40));
  ReadResult cut = ReadProcRecord("/proc/self/status", 10);
  ASSERT_TRUE(cut.ok());
  EXPECT_TRUE(cut.truncated);
  EXPECT_EQ(cut.text, loop.text.substr(0, 10));
  ReadResult missing = ReadProcRecord("/proc/self/no-such-file", 100);
  EXPECT_EQ(missing.err, ENOENT);
}

TEST(ProcSchedstat, RunQueueWaitIsTheSecondField) {
  EXPECT_EQ(ParseSchedstatWaitNs("123456789 1000 42\n"), 1000);
  EXPECT_EQ(ParseSchedstatWaitNs("5 77\n"), 77);
  EXPECT_EQ(ParseSchedstatWaitNs("5 77"), 77);  // end of text ends the number
  EXPECT_FALSE(ParseSchedstatWaitNs(""));
  EXPECT_FALSE(ParseSchedstatWaitNs("123456789"));     // one field
  EXPECT_FALSE(ParseSchedstatWaitNs("123456789 \n"));  // second field empty
  EXPECT_FALSE(ParseSchedstatWaitNs("abc 1 2\n"));     // first field bad
  EXPECT_FALSE(ParseSchedstatWaitNs("1 -2 3\n"));
  EXPECT_FALSE(ParseSchedstatWaitNs("1 9223372036854775808 2\n"));  // over int64
}

}  // namespace
}  // namespace parkscope
