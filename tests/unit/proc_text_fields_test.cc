#include "proc/text_fields.h"

#include <gtest/gtest.h>

#include <string>

namespace parkscope {
namespace {

using namespace std::string_literals;

TEST(ProcTextFields, ParseU64AcceptsOnlyWholeNumbers) {
  EXPECT_EQ(ParseU64("0"), 0u);
  EXPECT_EQ(ParseU64("18446744073709551615"), UINT64_MAX);
  EXPECT_EQ(ParseU64("ffffffffffffffff", 16), UINT64_MAX);
  EXPECT_EQ(ParseU64("DeadBeef", 16), 0xdeadbeefu);
  EXPECT_EQ(ParseU64("18446744073709551616"), std::nullopt);
  EXPECT_EQ(ParseU64("10000000000000000", 16), std::nullopt);
  for (const char* bad : {"", " 1", "1 ", "+1", "-1", "1a", "0x1", "1.0"}) {
    EXPECT_EQ(ParseU64(bad), std::nullopt) << bad;
  }
  EXPECT_EQ(ParseU64("1\0"s), std::nullopt);
}

TEST(ProcTextFields, SignedRanges) {
  EXPECT_EQ(ParseI64("-9223372036854775808"), INT64_MIN);
  EXPECT_EQ(ParseI64("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(ParseI64("9223372036854775808"), std::nullopt);
  EXPECT_EQ(ParseI64("-"), std::nullopt);
  EXPECT_EQ(ParseInt("-2147483648"), INT32_MIN);
  EXPECT_EQ(ParseInt("2147483647"), INT32_MAX);
  EXPECT_EQ(ParseInt("2147483648"), std::nullopt);
  EXPECT_EQ(ParseInt("--1"), std::nullopt);
}

TEST(ProcTextFields, ParseHex0xNeedsThePrefix) {
  EXPECT_EQ(ParseHex0x("0x0"), 0u);
  EXPECT_EQ(ParseHex0x("0x7ffd1234"), 0x7ffd1234u);
  for (const char* bad : {"", "0x", "x1", "0X1", "1234", "0x-1", "0x 1",
                          "0x10000000000000000", "0x1g"}) {
    EXPECT_EQ(ParseHex0x(bad), std::nullopt) << bad;
  }
}

TEST(ProcTextFields, FieldsAndLines) {
  std::string_view rest = "  a\tbb  c\nd";
  EXPECT_EQ(NextField(rest), "a");
  EXPECT_EQ(NextField(rest), "bb");
  EXPECT_EQ(NextField(rest), "c");
  EXPECT_EQ(NextField(rest), "");  // stops at the end of the line
  EXPECT_EQ(rest, "\nd");

  rest = "one\n\ntwo";
  EXPECT_EQ(NextLine(rest), "one");
  EXPECT_EQ(NextLine(rest), "");
  EXPECT_EQ(NextLine(rest), "two");
  EXPECT_TRUE(rest.empty());
  EXPECT_EQ(NextLine(rest), "");

  EXPECT_EQ(TrimBlanks(" \t x y \t "), "x y");
  EXPECT_EQ(TrimBlanks("   "), "");
  EXPECT_EQ(TrimBlanks(""), "");
}

}  // namespace
}  // namespace parkscope
