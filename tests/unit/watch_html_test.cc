// The HTML page: self-contained (no script, nothing fetched), the chart has
// one point per sample and series, groups come longest blocked first, and
// names chosen by the target cannot inject markup. Headless Chromium loads
// the live page in tests/e2e/watch_html_test.cc.
#include <gtest/gtest.h>

#include <sstream>

#include "../golden/synthetic_snapshots.h"
#include "report/flame_graph.h"
#include "report/html.h"

namespace parkscope {
namespace {

using testing::Analyzed;
using testing::FanoutFilter;
using testing::FanoutSnapshot;

std::string Page(const ProcessSnapshot& s, const std::vector<CountPoint>& history,
                 HtmlPageOptions options = {}) {
  std::ostringstream out;
  WriteHtmlPage(s, history, options, out);
  return out.str();
}

size_t Count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = 0; (at = text.find(needle, at)) != std::string::npos; at += needle.size()) ++n;
  return n;
}

TEST(HtmlPage, SelfContainedWithChartGroupsAndFlameGraph) {
  const ProcessSnapshot s = Analyzed(FanoutSnapshot(3), FanoutFilter());
  const std::vector<CountPoint> history = {
      {1760000000000, 5, 4}, {1760000001000, 6, 5}, {1760000002000, 7, 6}};
  const std::string page = Page(s, history);
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(page.find("<script"), std::string::npos);
  EXPECT_EQ(page.find("src="), std::string::npos);
  EXPECT_EQ(page.find("http://"), std::string::npos);
  EXPECT_EQ(page.find("https://"), std::string::npos);
  EXPECT_EQ(Count(page, "<circle class=\"point threads\""), 3u);
  EXPECT_EQ(Count(page, "<circle class=\"point parked\""), 3u);
  EXPECT_EQ(Count(page, "<svg id=\"flame\""), 1u);
  EXPECT_NE(page.find("<title>worker(Channel&amp;) (3 threads"), std::string::npos);
  EXPECT_NE(page.find("<title>[chan send] (3 threads"), std::string::npos);
}

TEST(HtmlPage, GroupsAreSortedByBlockedTimeLongestFirst) {
  const std::string page = Page(Analyzed(FanoutSnapshot(3), FanoutFilter()), {});
  std::vector<long long> blocked;
  for (size_t at = 0; (at = page.find("data-blocked-ns=\"", at)) != std::string::npos;) {
    at += 17;
    blocked.push_back(std::stoll(page.substr(at, page.find('"', at) - at)));
  }
  ASSERT_GE(blocked.size(), 4u);
  for (size_t i = 1; i < blocked.size(); ++i) EXPECT_GE(blocked[i - 1], blocked[i]);
  EXPECT_EQ(blocked[0], 590'000'000'000);  // main, joining
}

TEST(HtmlPage, TargetChosenNamesAreEscaped) {
  ProcessSnapshot s = FanoutSnapshot(1);
  s.threads[0].name = "<img src=x onerror=alert(1)>";
  s.command = "evil \"<b>\" & co";
  const std::string page = Page(Analyzed(s, FanoutFilter()), {});
  EXPECT_EQ(page.find("<img"), std::string::npos);
  EXPECT_EQ(page.find("<b>"), std::string::npos);
  EXPECT_NE(page.find("&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
  EXPECT_NE(page.find("evil &quot;&lt;b&gt;&quot; &amp; co"), std::string::npos);
}

TEST(HtmlPage, ChartKeepsOnlyTheNewestPointsAndRefreshIsOptional) {
  std::vector<CountPoint> history;
  for (int i = 0; i < 50; ++i) history.push_back({1760000000000 + i * 1000, 10u + i, 5u});
  HtmlPageOptions options;
  options.max_chart_points = 20;
  options.refresh_seconds = 5;
  const std::string page = Page(Analyzed(FanoutSnapshot(1), FanoutFilter()), history, options);
  EXPECT_EQ(Count(page, "<circle class=\"point threads\""), 20u);
  EXPECT_NE(page.find("<meta http-equiv=\"refresh\" content=\"5\">"), std::string::npos);
  EXPECT_EQ(Page(Analyzed(FanoutSnapshot(1), FanoutFilter()), history).find("http-equiv"),
            std::string::npos);
}

TEST(FlameGraph, BoxesAreBoundedWhateverTheStacks) {
  std::map<std::string, int64_t> stacks;
  for (int i = 0; i < 20000; ++i) stacks["main;f" + std::to_string(i) + ";leaf"] = 1;
  std::ostringstream out;
  FlameGraphLimits limits;
  limits.max_boxes = 500;
  WriteFlameGraphSvg(stacks, out, limits);
  EXPECT_LE(Count(out.str(), "<rect"), 500u);
  EXPECT_GE(Count(out.str(), "<rect"), 2u);  // all, main
}

}  // namespace
}  // namespace parkscope
