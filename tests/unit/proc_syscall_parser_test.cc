#include "proc/syscall_parser.h"

#include <gtest/gtest.h>

#include <string>

#include "proc/proc_files.h"

namespace parkscope {
namespace {

using Kind = SyscallState::Kind;
using namespace std::string_literals;

std::string Testdata(const std::string& name) {
  ReadResult read =
      ReadProcFile(std::string(PARKSCOPE_TESTDATA_DIR) + "/proc/" + name);
  EXPECT_TRUE(read.ok()) << name << ": errno " << read.err;
  return read.text;
}

TEST(ProcSyscallParser, RealWait4Sample) {
  // bash parked in wait4(-1, ...): nr 61 on x86_64.
  std::optional<SyscallState> state = ParseSyscall(Testdata("syscall_bash.txt"));
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->kind, Kind::kInSyscall);
  EXPECT_EQ(state->nr, 61);
  EXPECT_EQ(state->args[0], 0xffffffffu);
  EXPECT_EQ(state->args[1], 0x7fff344d5b20u);
  EXPECT_EQ(state->args[5], 0x8u);
  EXPECT_EQ(state->sp, 0x7fff344d5af8u);
  EXPECT_EQ(state->pc, 0x7fa257193bd3u);
}

TEST(ProcSyscallParser, RealReadSample) {
  std::optional<SyscallState> state =
      ParseSyscall(Testdata("syscall_cat_read.txt"));
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->kind, Kind::kInSyscall);
  EXPECT_EQ(state->nr, 0);
  EXPECT_EQ(state->args[0], 3u);
  EXPECT_EQ(state->pc, 0x7f5cd70f62adu);
}

TEST(ProcSyscallParser, Running) {
  for (const char* text : {"running", "running\n"}) {
    std::optional<SyscallState> state = ParseSyscall(text);
    ASSERT_TRUE(state.has_value()) << text;
    EXPECT_EQ(state->kind, Kind::kRunning);
    EXPECT_EQ(state->nr, -1);
    EXPECT_EQ(state->sp, 0u);
    EXPECT_EQ(state->pc, 0u);
  }
}

TEST(ProcSyscallParser, NotInSyscall) {
  std::optional<SyscallState> state =
      ParseSyscall("-1 0x7ffd1234 0x55aa0010\n");
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->kind, Kind::kNotInSyscall);
  EXPECT_EQ(state->nr, -1);
  EXPECT_EQ(state->sp, 0x7ffd1234u);
  EXPECT_EQ(state->pc, 0x55aa0010u);
  // Other negative numbers print the same way and mean the same.
  state = ParseSyscall("-2 0x1 0x2");
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->kind, Kind::kNotInSyscall);
  EXPECT_EQ(state->nr, -1);
}

TEST(ProcSyscallParser, FullWidthValues) {
  std::optional<SyscallState> state = ParseSyscall(
      "202 0xffffffffffffffff 0x80 0x2 0x0 0x0 0xABCDEF 0x10 0x20\n");
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->nr, 202);
  EXPECT_EQ(state->args[0], 0xffffffffffffffffu);
  EXPECT_EQ(state->args[5], 0xabcdefu);
}

TEST(ProcSyscallParser, WrongFieldCountsAreRejected) {
  EXPECT_FALSE(ParseSyscall("").has_value());
  EXPECT_FALSE(ParseSyscall("\n").has_value());
  EXPECT_FALSE(ParseSyscall("   ").has_value());
  EXPECT_FALSE(ParseSyscall("-1").has_value());
  EXPECT_FALSE(ParseSyscall("-1 0x1").has_value());
  EXPECT_FALSE(ParseSyscall("-1 0x1 0x2 0x3").has_value());
  EXPECT_FALSE(ParseSyscall("7 0x1 0x2").has_value());
  EXPECT_FALSE(ParseSyscall("7 0x1 0x2 0x3 0x4 0x5 0x6 0x7").has_value());
  EXPECT_FALSE(
      ParseSyscall("7 0x1 0x2 0x3 0x4 0x5 0x6 0x7 0x8 0x9").has_value());
  // Truncated mid-number or mid-line.
  EXPECT_FALSE(ParseSyscall("7 0x1 0x2 0x3 0x4 0x5 0x6 0x7 0x").has_value());
  EXPECT_FALSE(ParseSyscall("runn").has_value());
  EXPECT_FALSE(ParseSyscall("running\nrunning\n").has_value());
  EXPECT_FALSE(ParseSyscall("-1 0x1 0x2\n-1 0x1 0x2\n").has_value());
}

TEST(ProcSyscallParser, MalformedNumbersAreRejected) {
  EXPECT_FALSE(ParseSyscall("-1 1234 0x2").has_value());        // no 0x
  EXPECT_FALSE(ParseSyscall("-1 0xg 0x2").has_value());         // not hex
  EXPECT_FALSE(ParseSyscall("-1 0x-1 0x2").has_value());
  EXPECT_FALSE(ParseSyscall("-1 0X1 0x2").has_value());
  EXPECT_FALSE(ParseSyscall("-1 0x1 0x10000000000000000").has_value());
  EXPECT_FALSE(ParseSyscall("0x3 0x1 0x2 0x3 0x4 0x5 0x6 0x7 0x8").has_value());
  EXPECT_FALSE(
      ParseSyscall("+3 0x1 0x2 0x3 0x4 0x5 0x6 0x7 0x8").has_value());
  EXPECT_FALSE(ParseSyscall("2147483648 0x1 0x2 0x3 0x4 0x5 0x6 0x7 0x8")
                   .has_value());
  EXPECT_FALSE(ParseSyscall("-2147483649 0x1 0x2").has_value());
  std::string binary = "-1 0x1\0 0x2"s;
  EXPECT_FALSE(ParseSyscall(binary).has_value());
}

}  // namespace
}  // namespace parkscope
