// The JSON-lines log: exact line layout, appending to a file, and the
// promise that a stalled reader never blocks the writer's caller.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "watch/event_log.h"
#include "watch/leak_trend.h"
#include "watch/watch_events.h"
#include "watch_test_samples.h"

namespace parkscope {
namespace {

std::string TempPath(const char* name) {
  return std::string("/tmp/parkscope_unit_") + std::to_string(getpid()) + "_" + name;
}

TEST(EventLog, LineHasTimeThenEventThenFieldsInOrder) {
  nlohmann::ordered_json fields;
  fields["site"] = "fanout_leak.cc:47 Send";
  fields["count"] = 120;
  fields["created_by"] = nullptr;
  EXPECT_EQ(
      EventLog::Format(1795833808183, "leak", fields),
      "{\"time\":\"2026-11-28T02:43:28.183Z\",\"event\":\"leak\",\"site\":\"fanout_leak.cc:47 "
      "Send\",\"count\":120,\"created_by\":null}\n");
}

TEST(EventLog, InvalidUtf8IsReplacedNotThrown) {
  nlohmann::ordered_json fields;
  fields["name"] = std::string("a\xff");
  EXPECT_NE(EventLog::Format(0, "stuck", fields).find("a\xEF\xBF\xBD"), std::string::npos);
}

TEST(EventLog, AppendsOneParsableLinePerEventToAFile) {
  const std::string path = TempPath("events.log");
  std::remove(path.c_str());
  {
    std::string error;
    auto log = EventLog::Open(path, &error);
    ASSERT_TRUE(log) << error;
    log->Write("start", {{"pid", 42}});
    log->Write("exit", {{"pid", 42}});
  }  // the destructor writes what is queued
  std::ifstream in(path);
  std::string line;
  std::vector<std::string> events;
  while (std::getline(in, line)) events.push_back(nlohmann::json::parse(line)["event"]);
  EXPECT_EQ(events, (std::vector<std::string>{"start", "exit"}));
  std::remove(path.c_str());
}

TEST(EventLog, UnwritablePathIsAOneLineError) {
  std::string error;
  EXPECT_FALSE(EventLog::Open("/nonexistent-dir/x.log", &error));
  EXPECT_NE(error.find("/nonexistent-dir/x.log"), std::string::npos);
}

TEST(EventLog, AFullPipeDropsLinesInsteadOfBlockingAndShutdownIsBounded) {
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
  // EventLog writes to fd 2; point a private stderr at the pipe nobody reads.
  const int saved = dup(2);
  dup2(fds[1], 2);
  double shutdown_seconds = 0;
  uint64_t dropped = 0;
  {
    std::string error;
    auto log = EventLog::Open("", &error);
    const std::string pad(2000, 'x');
    // The pipe holds 64 KiB, the queue 4,096 lines: the rest is dropped,
    // and Write returns every time.
    for (int i = 0; i < 6000; ++i) log->Write("sample", {{"pad", pad}});
    dropped = log->dropped();
    const auto stopping = std::chrono::steady_clock::now();
    log.reset();
    shutdown_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - stopping).count();
  }
  dup2(saved, 2);
  close(saved);
  close(fds[0]);
  close(fds[1]);
  EXPECT_GT(dropped, 0u);
  EXPECT_LT(shutdown_seconds, 3.0);  // the final flush gives up after a second
}

TEST(WatchEvents, LeakFieldsNameTheSiteCountRateAndCreator) {
  LeakAlarm alarm;
  alarm.reason = "cond wait";
  alarm.site = {"(anonymous namespace)::Channel<int>::Send(int)", "/src/fanout_leak.cc", 47};
  alarm.count = 152;
  alarm.first_count = 32;
  alarm.rate_per_min = 791.534;
  alarm.window_seconds = 9.0961;
  alarm.created_by = WaitSite{"Gather(int, int)", "/src/fanout_leak.cc", 111};
  alarm.created_by_tid = 7;
  EXPECT_EQ(LeakEventFields(alarm).dump(),
            "{\"reason\":\"cond wait\",\"site\":\"fanout_leak.cc:47 (anonymous "
            "namespace)::Channel<int>::Send(int)\",\"function\":\"(anonymous "
            "namespace)::Channel<int>::Send(int)\",\"file\":\"/src/fanout_leak.cc\",\"line\":47,"
            "\"count\":152,\"first_count\":32,\"rate_per_min\":791.5,\"window_s\":9.096,"
            "\"created_by\":\"fanout_leak.cc:111 Gather(int, int)\",\"created_by_tid\":7}");
}

TEST(WatchEvents, StuckFieldsCarryTheStack) {
  auto sample = testing::FanoutSample(1);
  const SampledThread* worker = nullptr;
  for (const auto& t : sample->threads) {
    if (t.thread->tid == 1240) worker = &t;
  }
  ASSERT_NE(worker, nullptr);
  auto fields = StuckEventFields(*worker);
  EXPECT_EQ(fields["tid"], 1240);
  EXPECT_EQ(fields["reason"], "chan send");
  EXPECT_EQ(fields["blocked_s"], 580.0);
  EXPECT_EQ(fields["blocked_source"], "agent");
  EXPECT_EQ(fields["site"], "fetch.cc:88 worker(Channel&)");
  EXPECT_EQ(fields["stack"][5], "worker(Channel&)  fetch.cc:88");
  EXPECT_EQ(fields["created_by"], "fetch.cc:85 gather()");
}

}  // namespace
}  // namespace parkscope
