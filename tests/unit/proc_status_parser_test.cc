#include "proc/status_parser.h"

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

constexpr char kMinimal[] = "Name:\tw\nState:\tS (sleeping)\nTgid:\t10\n";

TEST(ProcStatusParser, RealBashSample) {
  std::optional<ProcStatus> status = ParseStatus(Testdata("status_bash.txt"));
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->name, "bash");
  EXPECT_EQ(status->state, 'S');
  EXPECT_EQ(status->tgid, 3964);
  EXPECT_EQ(status->tracer_pid, 0);
  EXPECT_EQ(status->nspid, std::vector<Pid>{3964});
  EXPECT_EQ(status->voluntary_ctxt_switches, 3u);
  EXPECT_EQ(status->nonvoluntary_ctxt_switches, 0u);
}

TEST(ProcStatusParser, RealKernelThreadSample) {
  std::optional<ProcStatus> status =
      ParseStatus(Testdata("status_kthreadd.txt"));
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->name, "kthreadd");
  EXPECT_EQ(status->tgid, 2);
  EXPECT_EQ(status->voluntary_ctxt_switches, 60u);
}

TEST(ProcStatusParser, NestedNamespacesAndTracer) {
  std::optional<ProcStatus> status = ParseStatus(
      "Name:\tapp\nState:\tt (tracing stop)\nTgid:\t4000\n"
      "TracerPid:\t3999\nNSpid:\t4000\t17\t1\n");
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->state, 't');
  EXPECT_EQ(status->tracer_pid, 3999);
  EXPECT_EQ(status->nspid, (std::vector<Pid>{4000, 17, 1}));
}

TEST(ProcStatusParser, NameIsKeptAsPrinted) {
  // The kernel escapes newline and backslash; spaces and parens are raw.
  std::optional<ProcStatus> status = ParseStatus(
      "Name:\t a\\nb) (c \nState:\tR (running)\nTgid:\t1\n");
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->name, " a\\nb) (c ");
  status = ParseStatus("Name:\t\nState:\tR (running)\nTgid:\t1\n");
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->name, "");
}

TEST(ProcStatusParser, OptionalKeysDefault) {
  std::optional<ProcStatus> status = ParseStatus(kMinimal);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->tracer_pid, 0);
  EXPECT_TRUE(status->nspid.empty());
  EXPECT_EQ(status->voluntary_ctxt_switches, 0u);
}

TEST(ProcStatusParser, RequiredKeysMissing) {
  EXPECT_FALSE(ParseStatus("").has_value());
  EXPECT_FALSE(ParseStatus("Name:\tw\nState:\tS (sleeping)\n").has_value());
  EXPECT_FALSE(ParseStatus("Name:\tw\nTgid:\t10\n").has_value());
  EXPECT_FALSE(ParseStatus("State:\tS (sleeping)\nTgid:\t10\n").has_value());
  // Truncated in the middle of the Tgid line.
  EXPECT_FALSE(ParseStatus("Name:\tw\nState:\tS (sleeping)\nTg").has_value());
}

TEST(ProcStatusParser, MalformedValuesAreRejected) {
  auto with = [](const std::string& extra) {
    return ParseStatus(kMinimal + extra);
  };
  EXPECT_TRUE(with("TracerPid:\t0\n").has_value());
  EXPECT_FALSE(with("TracerPid:\tx\n").has_value());
  EXPECT_FALSE(with("TracerPid:\t-1\n").has_value());
  EXPECT_FALSE(with("TracerPid:\t2147483648\n").has_value());
  EXPECT_FALSE(with("NSpid:\t\n").has_value());
  EXPECT_FALSE(with("NSpid:\t1\tx\n").has_value());
  EXPECT_FALSE(with("voluntary_ctxt_switches:\t18446744073709551616\n")
                   .has_value());
  EXPECT_FALSE(with("nonvoluntary_ctxt_switches:\t1 2\n").has_value());
  EXPECT_FALSE(ParseStatus("Name:\tw\nState:\t?\nTgid:\t1\n").has_value());
  EXPECT_FALSE(ParseStatus("Name:\tw\nState:\tSS\nTgid:\t1\n").has_value());
  EXPECT_FALSE(ParseStatus("Name:\tw\nState:\t\nTgid:\t1\n").has_value());
  EXPECT_FALSE(ParseStatus("Name:\tw\nState:\tS\nTgid:\t0\n").has_value());
}

TEST(ProcStatusParser, NspidDepthIsBounded) {
  std::string levels;
  for (int i = 0; i < 33; ++i) levels += "\t" + std::to_string(i + 1);
  EXPECT_TRUE(ParseStatus(kMinimal + ("NSpid:" + levels + "\n")).has_value());
  levels += "\t34";
  EXPECT_FALSE(ParseStatus(kMinimal + ("NSpid:" + levels + "\n")).has_value());
}

TEST(ProcStatusParser, FirstOccurrenceWins) {
  std::optional<ProcStatus> status =
      ParseStatus("Name:\tw\nState:\tS (sleeping)\nTgid:\t10\nTgid:\t11\n"
                  "Name:\tother\n");
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->tgid, 10);
  EXPECT_EQ(status->name, "w");
}

TEST(ProcStatusParser, GarbageLinesAndBinaryAreIgnored) {
  std::string text = "\0\xff\x01\n"s;
  for (int i = 0; i < 10'000; ++i) text += i % 2 ? ":::\n" : "no colon here\n";
  text += kMinimal;
  std::optional<ProcStatus> status = ParseStatus(text);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->tgid, 10);
  EXPECT_FALSE(ParseStatus("\0\xff\x01:\x02"s).has_value());
}

TEST(ProcStatusParser, HugeNameIsBounded) {
  std::string text = "Name:\t" + std::string(100'000, 'n') +
                     "\nState:\tS (sleeping)\nTgid:\t10\n";
  std::optional<ProcStatus> status = ParseStatus(text);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->name.size(), 256u);
}

}  // namespace
}  // namespace parkscope
