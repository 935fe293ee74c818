#include "report/flame_graph.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <vector>

#include "report/html.h"

namespace parkscope {
namespace {

constexpr int kRowHeight = 17;
constexpr double kCharWidth = 6.6;  // 11px sans-serif, on average
constexpr double kMinBoxWidth = 0.5;

struct Node {
  std::string name;
  int64_t count = 0;
  std::map<std::string, std::unique_ptr<Node>> children;
};

int Depth(const Node& node) {
  int depth = 0;
  for (const auto& [name, child] : node.children) depth = std::max(depth, 1 + Depth(*child));
  return depth;
}

// flamegraph.pl's "hot" palette, seeded by the name so a frame keeps its
// colour from one refresh to the next.
std::string Colour(const std::string& name) {
  const size_t h = std::hash<std::string>{}(name);
  char buf[32];
  std::snprintf(buf, sizeof buf, "rgb(%d,%d,%d)", 205 + static_cast<int>(h % 50),
                static_cast<int>((h >> 8) % 230), static_cast<int>((h >> 16) % 55));
  return buf;
}

struct Drawer {
  std::ostream& out;
  const FlameGraphLimits& limits;
  double total;
  int height;
  size_t boxes = 0;

  void Draw(const Node& node, double x, int depth) {
    if (depth >= limits.max_depth || boxes >= limits.max_boxes) return;
    const double width = static_cast<double>(node.count) / total * limits.width;
    if (width < kMinBoxWidth) return;
    const int y = height - (depth + 1) * kRowHeight;
    ++boxes;
    char geometry[128];
    std::snprintf(geometry, sizeof geometry, "x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\"", x,
                  y, width, kRowHeight - 1);
    const double share = 100.0 * static_cast<double>(node.count) / total;
    char tail[64];
    std::snprintf(tail, sizeof tail, " (%lld thread%s, %.1f%%)", static_cast<long long>(node.count),
                  node.count == 1 ? "" : "s", share);
    out << "<g class=\"frame\"><title>" << HtmlEscape(node.name) << tail << "</title><rect "
        << geometry << " fill=\"" << Colour(node.name) << "\"/>";
    const size_t fits = static_cast<size_t>((width - 6) / kCharWidth);
    if (fits >= 3) {
      std::string label =
          node.name.size() <= fits ? node.name : node.name.substr(0, fits - 2) + "..";
      out << "<text x=\"" << static_cast<int>(x + 3) << "\" y=\"" << y + kRowHeight - 5 << "\">"
          << HtmlEscape(label) << "</text>";
    }
    out << "</g>\n";
    double child_x = x;
    for (const auto& [name, child] : node.children) {
      Draw(*child, child_x, depth + 1);
      child_x += static_cast<double>(child->count) / total * limits.width;
    }
  }
};

}  // namespace

void WriteFlameGraphSvg(const std::map<std::string, int64_t>& stacks, std::ostream& out,
                        const FlameGraphLimits& limits) {
  Node root;
  root.name = "all";
  for (const auto& [stack, count] : stacks) {
    if (count <= 0) continue;
    root.count += count;
    Node* node = &root;
    size_t begin = 0;
    int depth = 0;
    while (begin <= stack.size() && depth < limits.max_depth) {
      size_t end = stack.find(';', begin);
      if (end == std::string::npos) end = stack.size();
      const std::string name = stack.substr(begin, end - begin);
      auto& child = node->children[name];
      if (!child) {
        child = std::make_unique<Node>();
        child->name = name;
      }
      child->count += count;
      node = child.get();
      begin = end + 1;
      ++depth;
    }
  }
  const int depth = std::min(Depth(root) + 1, limits.max_depth);
  const int height = std::max(depth, 1) * kRowHeight + 4;
  out << "<svg id=\"flame\" width=\"" << limits.width << "\" height=\"" << height
      << "\" font-family=\"sans-serif\" font-size=\"11\">\n";
  if (root.count == 0) {
    out << "<text x=\"4\" y=\"14\">no parked threads</text>\n";
  } else {
    Drawer drawer{out, limits, static_cast<double>(root.count), height};
    drawer.Draw(root, 0, 0);
  }
  out << "</svg>\n";
}

}  // namespace parkscope
