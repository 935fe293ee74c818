// A flame graph drawn on the server as inline SVG, for parkscope watch's
// HTML page: no script and no CDN, so the page works offline, under a
// strict Content-Security-Policy, and in a test's headless browser. Each
// box has a <title> (its frame, thread count and share), the tooltip
// browsers show on hover.
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>

namespace parkscope {

struct FlameGraphLimits {
  int width = 1200;         // pixels
  int max_depth = 128;      // deeper frames are not drawn
  size_t max_boxes = 4000;  // bounds the page size whatever the stacks
};

// stacks: folded stacks (folded.h), outermost frame first, with counts.
// Root at the bottom, as in flamegraph.pl. Writes one <svg id="flame">.
void WriteFlameGraphSvg(const std::map<std::string, int64_t>& stacks, std::ostream& out,
                        const FlameGraphLimits& limits = {});

}  // namespace parkscope
