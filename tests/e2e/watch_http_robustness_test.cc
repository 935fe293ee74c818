// The HTTP side cannot hold up sampling: slowloris clients that trickle a
// request byte by byte and a crowd of fast clients at once, while the
// sampler keeps its interval; afterwards the server answers again. And no
// endpoint accepts a request that could change anything.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>

#include "e2e_support.h"
#include "watch_e2e.h"

namespace parkscope::e2e {
namespace {

int Connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);  // completes in the background
  return fd;
}

TEST(WatchHttp, SamplingContinuesUnderSlowlorisAndManyClients) {
  Fixture fixture("fanout_leak", {"--requests", "10", "--workers", "4"});
  ASSERT_TRUE(fixture.WaitReady()) << fixture.why();
  WatchDaemon watch(fixture.pid(), {"--interval", "100ms", "--log-samples"});
  const int port = watch.Port();
  ASSERT_GT(port, 0) << watch.Stderr();

  // 64 slowloris connections: more than the workers and the queue together.
  std::vector<int> slow;
  for (int i = 0; i < 64; ++i) slow.push_back(Connect(port));
  std::atomic<bool> done = false;
  std::thread trickler([&] {
    const std::string request = "GET /debug/pprof/threads?debug=2 HTTP/1.1\r\nHost: x\r\nX-Pad: ";
    for (size_t i = 0; !done; ++i) {
      for (int fd : slow) {
        const char c = i < request.size() ? request[i] : 'a';
        (void)!send(fd, &c, 1, MSG_NOSIGNAL);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  });
  std::vector<std::thread> crowd;
  std::atomic<int> answered = 0;
  for (int i = 0; i < 8; ++i) {
    crowd.emplace_back([&, i] {
      const char* targets[] = {"/metrics", "/debug/pprof/threads?debug=2", "/",
                               "/debug/pprof/threads"};
      while (!done) answered += HttpRequest(port, targets[i % 4], 2).status == 200;
    });
  }
  const double started = MonotonicSeconds();
  auto first = watch.EventsNamed("sample").size();
  std::this_thread::sleep_for(std::chrono::seconds(4));
  const auto samples = watch.EventsNamed("sample");
  const double elapsed = MonotonicSeconds() - started;
  done = true;
  trickler.join();
  for (auto& t : crowd) t.join();
  for (int fd : slow) close(fd);

  // 100 ms interval: about 40 samples in 4 s. Allow for a loaded machine,
  // but not for sampling that waits on the server.
  EXPECT_GE(samples.size() - first, static_cast<size_t>(elapsed * 10 * 0.5)) << samples.size();
  double previous = 0, worst_gap = 0;
  for (const auto& e : samples) {
    // "2026-11-28T03:42:25.082Z": seconds within the minute are enough here.
    const std::string t = e["time"];
    const double at = std::stod(t.substr(14, 2)) * 60 + std::stod(t.substr(17, 6));
    if (previous > 0 && at > previous) worst_gap = std::max(worst_gap, at - previous);
    previous = at;
  }
  EXPECT_LT(worst_gap, 1.0);
  EXPECT_TRUE(watch.Running());
  // Once the slow clients are gone the server answers again.
  HttpResponse after;
  const double deadline = MonotonicSeconds() + 20;
  while (after.status != 200 && MonotonicSeconds() < deadline)
    after = HttpRequest(port, "/metrics", 5);
  EXPECT_EQ(after.status, 200);

  EXPECT_EQ(watch.Stop(SIGTERM), 0);
}

TEST(WatchHttp, NothingButGetIsServed) {
  Fixture fixture("sleep_for");
  ASSERT_TRUE(fixture.WaitReady()) << fixture.why();
  WatchDaemon watch(fixture.pid(), {"--interval", "1h"});
  const int port = watch.Port();
  ASSERT_GT(port, 0) << watch.Stderr();
  for (const char* method : {"POST", "PUT", "DELETE", "PATCH"}) {
    for (const char* target : {"/", "/metrics", "/debug/pprof/threads"}) {
      HttpResponse r = HttpRequest(port, target, 10, method);
      EXPECT_GE(r.status, 400) << method << " " << target;
    }
  }
  EXPECT_EQ(HttpRequest(port, "/debug/pprof/").status, 200);
  EXPECT_EQ(HttpRequest(port, "/nothing-here").status, 404);
  EXPECT_EQ(watch.Stop(SIGTERM), 0);
}

TEST(WatchHttp, APortInUseIsAnErrorNotASharedPort) {
  Fixture fixture("sleep_for");
  ASSERT_TRUE(fixture.WaitReady()) << fixture.why();
  WatchDaemon first(fixture.pid(), {"--interval", "1h"});
  const int port = first.Port();
  ASSERT_GT(port, 0) << first.Stderr();
  RunResult second = RunParkscope({"watch", "-p", std::to_string(fixture.pid()), "--listen",
                                   "127.0.0.1:" + std::to_string(port)},
                                  30);
  EXPECT_EQ(second.exit_code, 2) << second.err;
  EXPECT_NE(second.err.find("cannot listen on 127.0.0.1:" + std::to_string(port)),
            std::string::npos)
      << second.err;
  EXPECT_EQ(first.Stop(SIGTERM), 0);
}

// The listener is a plugin (serve/http_listener.h); without it, watch
// --listen says which files it looked for, and exits 2 before serving.
TEST(WatchHttp, AMissingPluginIsOneLineNamingWhatWasSearched) {
  Fixture fixture("sleep_for");
  ASSERT_TRUE(fixture.WaitReady()) << fixture.why();
  const std::string missing = "/nonexistent/libparkscope_http.so";
  setenv("PARKSCOPE_HTTP_PLUGIN", missing.c_str(), 1);
  RunResult run = RunParkscope(
      {"watch", "-p", std::to_string(fixture.pid()), "--listen", "127.0.0.1:0"}, 30);
  unsetenv("PARKSCOPE_HTTP_PLUGIN");
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find("parkscope: cannot load the HTTP plugin libparkscope_http.so (searched " +
                         missing + ")"),
            std::string::npos)
      << run.err;
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
}

}  // namespace
}  // namespace parkscope::e2e
