#include <gtest/gtest.h>
#include <signal.h>

#include "cli/duration_flag.h"
#include "cli/signal_names.h"

namespace parkscope {
namespace {

TEST(Duration, Units) {
  EXPECT_EQ(ParseDuration("500ms"), 500'000'000);
  EXPECT_EQ(ParseDuration("2s"), 2'000'000'000);
  EXPECT_EQ(ParseDuration("1.5s"), 1'500'000'000);
  EXPECT_EQ(ParseDuration("3m"), 180'000'000'000);
  EXPECT_EQ(ParseDuration("1h"), 3'600'000'000'000);
  EXPECT_EQ(ParseDuration("250us"), 250'000);
  EXPECT_EQ(ParseDuration("0s"), 0);
}

TEST(Duration, Refused) {
  for (const char* bad : {"", "5", "s", "-1s", "1x", "1 s", "1.2.3s", "abc", "25h", "1e99s",
                          "..s", "5ms5"}) {
    EXPECT_FALSE(ParseDuration(bad).has_value()) << bad;
  }
}

TEST(Signals, NamesAndNumbers) {
  EXPECT_EQ(ParseSignal("QUIT"), SIGQUIT);
  EXPECT_EQ(ParseSignal("sigusr1"), SIGUSR1);
  EXPECT_EQ(ParseSignal("SIGTERM"), SIGTERM);
  EXPECT_EQ(ParseSignal("10"), 10);
  EXPECT_FALSE(ParseSignal("KILL"));
  EXPECT_FALSE(ParseSignal("9"));
  EXPECT_FALSE(ParseSignal("19"));  // SIGSTOP cannot be caught
  EXPECT_FALSE(ParseSignal("0"));
  EXPECT_FALSE(ParseSignal("999"));
  EXPECT_FALSE(ParseSignal(""));
  EXPECT_FALSE(ParseSignal("SIG"));
}

}  // namespace
}  // namespace parkscope
