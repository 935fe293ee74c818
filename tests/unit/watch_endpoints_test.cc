// What each HTTP endpoint answers, without sockets: formats, parameters,
// the empty-daemon case, response bounds; the sample behind them (its
// snapshot built once, with this sample's durations and owners); and the
// loopback rule for --listen.
#include <gtest/gtest.h>

#include <sstream>

#include "report/gzip.h"
#include "serve/endpoints.h"
#include "serve/listen_address.h"
#include "watch_test_samples.h"

namespace parkscope {
namespace {

using testing::FanoutSample;

TEST(WatchSample, SnapshotAppliesThisSamplesDurationsAndOwnersAndGroups) {
  auto sample = FanoutSample(3);
  for (auto& t : sample->threads) {
    if (t.thread->tid == 1241) t.blocked_ns = 999'000'000'000;
    if (t.thread->tid == 1234) t.owner_tid = 1242;  // the lock changed hands
  }
  const ProcessSnapshot& s = sample->Snapshot();
  EXPECT_EQ(&s, &sample->Snapshot());  // built once
  EXPECT_EQ(s.FindThread(1241)->wait.blocked_ns, 999'000'000'000);
  EXPECT_EQ(s.FindThread(1234)->wait.owner_tid, 1242);
  ASSERT_FALSE(s.groups.empty());
  EXPECT_EQ(s.groups[0].tids.size(), 3u);  // the workers, blocked longest
  EXPECT_EQ(s.groups[0].max_blocked_ns, 999'000'000'000);
  EXPECT_EQ(sample->ParkedCount(), s.ParkedCount());
}

TEST(WatchSample, RenderedOncePerKeyAndLatestSampleSwaps) {
  auto sample = FanoutSample(1);
  int renders = 0;
  auto render = [&](const WatchSample&) {
    ++renders;
    return std::string("body");
  };
  auto a = sample->Rendered("k", render);
  auto b = sample->Rendered("k", render);
  EXPECT_EQ(a, b);
  EXPECT_EQ(renders, 1);
  LatestSample latest;
  EXPECT_EQ(latest.Get(), nullptr);
  latest.Publish(sample);
  EXPECT_EQ(latest.Get(), sample);
}

TEST(Endpoints, NoSampleYetIs503WithAReason) {
  for (const auto& r :
       {ThreadsEndpoint(nullptr, {}), MetricsEndpoint(nullptr), PageEndpoint(nullptr, {})}) {
    EXPECT_EQ(r.status, 503);
    EXPECT_NE(r.body->find("no sample yet"), std::string::npos);
  }
}

TEST(Endpoints, ThreadsFormatsAndTheirContentTypes) {
  auto sample = FanoutSample(2);
  auto pprof = ThreadsEndpoint(sample.get(), {});
  EXPECT_EQ(pprof.status, 200);
  EXPECT_EQ(pprof.content_type, "application/octet-stream");
  EXPECT_EQ(pprof.content_disposition, "attachment; filename=\"threads.pb.gz\"");
  EXPECT_TRUE(Gunzip(*pprof.body));
  EXPECT_EQ(ThreadsEndpoint(sample.get(), {{"debug", "0"}}).body, pprof.body);  // cached

  auto debug1 = ThreadsEndpoint(sample.get(), {{"debug", "1"}});
  EXPECT_EQ(debug1.content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(debug1.body->rfind("threads profile: total ", 0), 0u);
  auto debug2 = ThreadsEndpoint(sample.get(), {{"debug", "2"}});
  EXPECT_EQ(debug2.body->rfind("thread ", 0), 0u);
  auto json = ThreadsEndpoint(sample.get(), {{"format", "json"}});
  EXPECT_EQ(json.content_type, "application/json");
  EXPECT_NE(json.body->find("\"schema\": \"parkscope.snapshot/1\""), std::string::npos);
  auto summary = ThreadsEndpoint(sample.get(), {{"format", "summary"}});
  EXPECT_EQ(summary.body->rfind("parkscope: pid 1234", 0), 0u);
}

TEST(Endpoints, BadParametersAre400WithTheRule) {
  auto sample = FanoutSample(1);
  EXPECT_EQ(ThreadsEndpoint(sample.get(), {{"debug", "3"}}).status, 400);
  EXPECT_EQ(ThreadsEndpoint(sample.get(), {{"format", "xml"}}).status, 400);
  EXPECT_EQ(ThreadsEndpoint(sample.get(), {{"debug", "1"}, {"format", "json"}}).status, 400);
  EXPECT_EQ(PageEndpoint(sample.get(), {{"refresh", "soon"}}).status, 400);
  // Bad parameters are told apart even before the first sample.
  EXPECT_EQ(ThreadsEndpoint(nullptr, {{"debug", "9"}}).status, 400);
}

TEST(Endpoints, MetricsAndPage) {
  auto sample = FanoutSample(2);
  auto metrics = MetricsEndpoint(sample.get());
  EXPECT_EQ(metrics.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(metrics.body->find("parkscope_threads 7\n"), std::string::npos);
  auto page = PageEndpoint(sample.get(), {{"refresh", "100000"}});
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_NE(page.body->find("content=\"3600\""), std::string::npos);  // clamped
}

TEST(Endpoints, OversizeTextIsCutAtALineAndOversizeBinaryRefused) {
  auto text = std::make_shared<const std::string>("line one\nline two\nline three\n");
  auto cut = Bounded({200, "text/plain; charset=utf-8", text, ""}, 20);
  EXPECT_EQ(cut.status, 200);
  EXPECT_EQ(cut.body->rfind("line one\nline two\n... response cut at 20 bytes", 0), 0u);
  auto refused = Bounded({200, "application/json", text, ""}, 20);
  EXPECT_EQ(refused.status, 503);
  EXPECT_NE(refused.body->find("too large"), std::string::npos);
  auto fits = Bounded({200, "application/json", text, ""}, 1000);
  EXPECT_EQ(fits.body, text);
}

TEST(ListenAddress, ParsesHostsAndPortsAndKnowsLoopback) {
  std::string error;
  auto v4 = ParseListenAddress("127.0.0.1:6060", &error);
  ASSERT_TRUE(v4) << error;
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 6060);
  EXPECT_TRUE(v4->loopback);
  auto v6 = ParseListenAddress("[::1]:0", &error);
  ASSERT_TRUE(v6) << error;
  EXPECT_EQ(v6->host, "::1");
  EXPECT_TRUE(v6->loopback);
  EXPECT_TRUE(ParseListenAddress("localhost:80", &error)->loopback);
  EXPECT_TRUE(ParseListenAddress("127.9.9.9:80", &error)->loopback);
  EXPECT_FALSE(ParseListenAddress("0.0.0.0:6060", &error)->loopback);
  EXPECT_FALSE(ParseListenAddress("[::]:6060", &error)->loopback);
  EXPECT_FALSE(ParseListenAddress("10.1.2.3:6060", &error)->loopback);
  EXPECT_TRUE(IsLoopbackHost("::ffff:127.0.0.1"));
}

TEST(ListenAddress, RejectsMalformedAddressesInOneLine) {
  for (const char* bad : {"6060", "127.0.0.1", "127.0.0.1:", "127.0.0.1:70000", "127.0.0.1:-1",
                          "127.0.0.1:x", "example.com:80", "::1:80", "[::1]80", ":6060"}) {
    std::string error;
    EXPECT_FALSE(ParseListenAddress(bad, &error)) << bad;
    EXPECT_EQ(error.find('\n'), std::string::npos);
    EXPECT_NE(error.find("--listen"), std::string::npos) << bad;
  }
}

}  // namespace
}  // namespace parkscope
