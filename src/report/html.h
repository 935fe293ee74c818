// parkscope watch's page at "/": one self-contained HTML document (inline
// CSS and server-drawn SVG, no script, nothing fetched from elsewhere):
//   - the thread count and parked count over time, as an SVG line chart
//     whose points are <circle class="point threads|parked"> elements;
//   - deadlocks, if any;
//   - the groups of the latest sample sorted by blocked time, longest
//     first, each row's stack expandable (<details>);
//   - a flame graph of the parked threads' stacks (flame_graph.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "model/snapshot.h"

namespace parkscope {

// One point of the chart: one sample.
struct CountPoint {
  int64_t unix_ms = 0;
  size_t threads = 0;
  size_t parked = 0;
};

struct HtmlPageOptions {
  int refresh_seconds = 0;  // > 0: the page reloads itself (meta refresh)
  size_t max_chart_points = 600;
  size_t max_groups = 200;  // rows; the rest are counted in one line
};

void WriteHtmlPage(const ProcessSnapshot& snapshot, const std::vector<CountPoint>& history,
                   const HtmlPageOptions& options, std::ostream& out);

// text with & < > " ' escaped, and made valid UTF-8.
std::string HtmlEscape(std::string_view text);

}  // namespace parkscope
