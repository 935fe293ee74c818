// The page at "/" in headless Chromium (Debian chromium): it loads, shows
// the groups, and the chart has a point per sample. Chromium runs with a
// throwaway profile and no network services; the DOM it builds is what is
// checked. Skips where Chromium is not installed.
#include <gtest/gtest.h>

#include "e2e_support.h"
#include "watch_e2e.h"

namespace parkscope::e2e {
namespace {

size_t Count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = 0; (at = text.find(needle, at)) != std::string::npos; at += needle.size()) ++n;
  return n;
}

TEST(WatchHtml, ChromiumShowsGroupsChartPointsAndFlameGraph) {
  const std::string chromium = Which("chromium");
  if (chromium.empty()) GTEST_SKIP() << "chromium is not installed (apt install chromium)";
  Fixture fixture("fanout_leak", {"--requests", "3", "--workers", "2"});
  ASSERT_TRUE(fixture.WaitReady()) << fixture.why();
  WatchDaemon watch(fixture.pid(), {"--interval", "100ms", "--log-samples"});
  const int port = watch.Port();
  ASSERT_GT(port, 0) << watch.Stderr();
  ASSERT_TRUE(watch.WaitFor("sample", 20, [](const nlohmann::json& e) { return e["seq"] >= 3; }));
  TempDir profile;
  RunResult dom = RunTool({chromium, "--headless", "--no-sandbox", "--disable-gpu",
                           "--disable-background-networking", "--disable-component-update",
                           "--disable-sync", "--no-first-run", "--user-data-dir=" + profile.path(),
                           "--dump-dom", "http://127.0.0.1:" + std::to_string(port) + "/"},
                          {}, 120);
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  const std::string& page = dom.out;
  EXPECT_NE(page.find("<title>parkscope: pid " + std::to_string(fixture.pid()) + "</title>"),
            std::string::npos)
      << page.substr(0, 500);
  // Groups: the 6 workers at the send site and main. Which of them parked
  // first is a race in the fixture (its deadline is zero: main parks while
  // the workers are still computing), so their order is not checked here;
  // HtmlPage.GroupsAreSortedByBlockedTimeLongestFirst checks the sorting.
  EXPECT_EQ(Count(page, "<tr class=\"group"), 2u) << page;
  EXPECT_NE(page.find("<tr class=\"group\" data-count=\"6\""), std::string::npos) << page;
  EXPECT_NE(page.find("<tr class=\"group\" data-count=\"1\""), std::string::npos) << page;
  EXPECT_NE(page.find("fanout_leak.cc:" +
                      std::to_string(MarkerLine("fanout_leak.cc", "fanout-send-inner"))),
            std::string::npos);
  EXPECT_NE(page.find("<details>"), std::string::npos);
  // At least the three samples seen so far, one point per series each.
  const size_t threads = Count(page, "class=\"point threads\"");
  EXPECT_GE(threads, 3u);
  EXPECT_EQ(Count(page, "class=\"point parked\""), threads);
  EXPECT_NE(page.find("<svg id=\"flame\""), std::string::npos);
  EXPECT_GE(Count(page, "<g class=\"frame\">"), 10u);
  EXPECT_EQ(watch.Stop(SIGTERM), 0);
}

}  // namespace
}  // namespace parkscope::e2e
