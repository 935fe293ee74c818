#include "report/html.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "report/duration_format.h"
#include "report/flame_graph.h"
#include "report/folded.h"
#include "report/names.h"
#include "report/site_text.h"
#include "report/thread_text.h"

namespace parkscope {
namespace {

constexpr int kChartWidth = 900, kChartHeight = 220;
constexpr int kLeft = 50, kRight = 20, kTop = 12, kBottom = 28;
constexpr size_t kTidsShown = 20;

constexpr char kStyle[] = R"(body{font-family:sans-serif;margin:1.5em;color:#222}
h1{font-size:1.3em}h2{font-size:1.1em;margin-top:1.6em}
table{border-collapse:collapse}td,th{padding:3px 8px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
td.n{text-align:right}pre{margin:4px 0;font-size:12px}.deadlock{color:#b00;font-weight:bold}
.threads{stroke:#1f77b4;fill:#1f77b4}.parked{stroke:#ff7f0e;fill:#ff7f0e}polyline{fill:none;stroke-width:2}
.axis{stroke:#888}svg text{font-size:11px}.muted{color:#777})";

std::string UtcTime(int64_t unix_ms) {
  std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
  return buf;
}

// Inline <svg> needs no xmlns in HTML (the parser puts it in the SVG
// namespace), so the page names no URL at all.
void WriteChart(const std::vector<CountPoint>& all, size_t max_points, std::ostream& out) {
  const size_t first = all.size() > max_points ? all.size() - max_points : 0;
  const std::vector<CountPoint> points(all.begin() + static_cast<long>(first), all.end());
  out << "<svg id=\"chart\" width=\"" << kChartWidth << "\" height=\"" << kChartHeight << "\">\n";
  if (points.empty()) {
    out << "<text x=\"10\" y=\"20\">no samples yet</text></svg>\n";
    return;
  }
  size_t y_max = 1;
  for (const auto& p : points) y_max = std::max({y_max, p.threads, p.parked});
  const int64_t t0 = points.front().unix_ms;
  const int64_t span = std::max<int64_t>(1, points.back().unix_ms - t0);
  const double plot_w = kChartWidth - kLeft - kRight, plot_h = kChartHeight - kTop - kBottom;
  auto x_of = [&](const CountPoint& p) {
    return points.size() == 1 ? kLeft + plot_w / 2
                              : kLeft + plot_w * static_cast<double>(p.unix_ms - t0) / span;
  };
  auto y_of = [&](size_t v) { return kTop + plot_h * (1.0 - static_cast<double>(v) / y_max); };
  char buf[160];
  std::snprintf(buf, sizeof buf,
                "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
                "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n",
                kLeft, kTop, kLeft, kChartHeight - kBottom, kLeft, kChartHeight - kBottom,
                kChartWidth - kRight, kChartHeight - kBottom);
  out << buf;
  out << "<text x=\"" << kLeft - 6 << "\" y=\"" << kTop + 4 << "\" text-anchor=\"end\">" << y_max
      << "</text><text x=\"" << kLeft - 6 << "\" y=\"" << kChartHeight - kBottom
      << "\" text-anchor=\"end\">0</text>\n";
  out << "<text x=\"" << kLeft << "\" y=\"" << kChartHeight - 8 << "\">"
      << UtcTime(points.front().unix_ms) << " UTC</text><text x=\"" << kChartWidth - kRight
      << "\" y=\"" << kChartHeight - 8 << "\" text-anchor=\"end\">"
      << UtcTime(points.back().unix_ms) << " UTC</text>\n";
  for (const char* series : {"threads", "parked"}) {
    const bool threads = series[0] == 't';
    out << "<polyline class=\"" << series << "\" points=\"";
    for (const auto& p : points) {
      std::snprintf(buf, sizeof buf, "%.1f,%.1f ", x_of(p), y_of(threads ? p.threads : p.parked));
      out << buf;
    }
    out << "\"/>\n";
    for (const auto& p : points) {
      const size_t v = threads ? p.threads : p.parked;
      std::snprintf(buf, sizeof buf,
                    "<circle class=\"point %s\" cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\">", series,
                    x_of(p), y_of(v));
      out << buf << "<title>" << UtcTime(p.unix_ms) << " UTC: " << v << ' ' << series
          << "</title></circle>\n";
    }
  }
  out << "<text class=\"threads\" x=\"" << kLeft + 8 << "\" y=\"" << kTop + 12
      << "\" stroke=\"none\">threads</text><text class=\"parked\" x=\"" << kLeft + 70 << "\" y=\""
      << kTop + 12 << "\" stroke=\"none\">parked</text>\n</svg>\n";
}

std::string StackText(const ThreadSnapshot& thread) {
  std::string text;
  for (const Frame& f : thread.frames) {
    std::string name = FunctionOf(f);
    text += name.empty() ? AddressOf(f, true) : name;
    if (!f.file.empty())
      text += "  " + std::string(Basename(f.file)) + ":" + std::to_string(f.line);
    if (f.inlined) text += " [inlined]";
    text += '\n';
  }
  if (!thread.stack_note.empty()) text += "... " + thread.stack_note + '\n';
  if (thread.created_by) {
    if (const Frame* creator = CreatorFrame(*thread.created_by)) {
      text += "created by " + FunctionOf(*creator) + " in thread " +
              std::to_string(thread.created_by->tid) + '\n';
    }
  }
  return text;
}

void WriteGroups(const ProcessSnapshot& s, size_t max_groups, std::ostream& out) {
  std::vector<const StackGroup*> groups;
  for (const auto& g : s.groups) groups.push_back(&g);
  // Longest blocked first; unknown durations after known ones.
  std::stable_sort(groups.begin(), groups.end(), [](const StackGroup* a, const StackGroup* b) {
    return a->max_blocked_ns.value_or(-1) > b->max_blocked_ns.value_or(-1);
  });
  out << "<table id=\"groups\"><tr><th>threads</th><th>reason</th><th>blocked</th>"
         "<th>site</th><th>stack</th></tr>\n";
  size_t shown = 0;
  for (const StackGroup* g : groups) {
    if (shown++ == max_groups) {
      out << "<tr><td colspan=\"5\">" << groups.size() - max_groups << " more groups</td></tr>\n";
      break;
    }
    const ThreadSnapshot& rep = s.threads[g->representative];
    std::string blocked = g->max_blocked_ns ? FormatDuration(*g->max_blocked_ns) : "?";
    if (g->min_blocked_ns && g->max_blocked_ns && *g->min_blocked_ns != *g->max_blocked_ns) {
      blocked = FormatDuration(*g->min_blocked_ns) + " .. " + blocked;
    }
    std::string tids;
    for (size_t i = 0; i < g->tids.size() && i < kTidsShown; ++i)
      tids += std::to_string(g->tids[i]) + ' ';
    if (g->tids.size() > kTidsShown)
      tids += "… (+" + std::to_string(g->tids.size() - kTidsShown) + " more)";
    out << "<tr class=\"group" << (g->in_deadlock ? " deadlock" : "") << "\" data-count=\""
        << g->tids.size() << "\" data-blocked-ns=\"" << g->max_blocked_ns.value_or(-1)
        << "\"><td class=\"n\">" << g->tids.size() << "</td><td>" << HtmlEscape(g->reason)
        << "</td><td>" << blocked << "</td><td>" << HtmlEscape(SiteText(g->site))
        << "</td><td><details><summary>" << HtmlEscape(rep.name) << " (" << rep.frames.size()
        << " frames)</summary><pre>" << HtmlEscape(StackText(rep))
        << "</pre><div class=\"muted\">tids: " << tids << "</div></details></td></tr>\n";
  }
  out << "</table>\n";
}

}  // namespace

std::string HtmlEscape(std::string_view text) {
  std::string out;
  for (char c : ValidUtf8(text)) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

void WriteHtmlPage(const ProcessSnapshot& s, const std::vector<CountPoint>& history,
                   const HtmlPageOptions& options, std::ostream& out) {
  const std::string title = "parkscope: pid " + std::to_string(s.pid);
  out << "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" << title << "</title>";
  if (options.refresh_seconds > 0) {
    out << "<meta http-equiv=\"refresh\" content=\"" << options.refresh_seconds << "\">";
  }
  out << "<style>" << kStyle << "</style></head><body>\n<h1>" << HtmlEscape(title)
      << " <span class=\"muted\">" << HtmlEscape(s.command) << "</span></h1>\n<p id=\"counts\">"
      << s.threads.size() << " threads, " << s.ParkedCount() << " parked; capture "
      << FormatMicros(s.capture.wall_us) << ", stopped "
      << FormatMicros(s.capture.threads_stopped_total_us)
      << " total. Reports: <a href=\"/debug/pprof/threads?debug=2\">debug=2</a> "
         "<a href=\"/debug/pprof/threads?debug=1\">debug=1</a> "
         "<a href=\"/debug/pprof/threads?format=summary\">summary</a> "
         "<a href=\"/debug/pprof/threads?format=json\">json</a> "
         "<a href=\"/debug/pprof/threads\">pprof</a> <a href=\"/metrics\">metrics</a> "
         "<a href=\"/?refresh=5\">auto-refresh</a></p>\n";
  out << "<h2>Threads over time</h2>\n";
  WriteChart(history, options.max_chart_points, out);
  if (!s.deadlocks.empty()) {
    out << "<h2 class=\"deadlock\">Deadlocks</h2>\n<ul id=\"deadlocks\">";
    for (const Deadlock& d : s.deadlocks) {
      out << "<li class=\"deadlock\">threads";
      for (Tid tid : d.tids) out << ' ' << tid;
      out << " wait for each other</li>";
    }
    out << "</ul>\n";
  }
  out << "<h2>Groups, longest blocked first</h2>\n";
  WriteGroups(s, options.max_groups, out);
  out << "<h2>Parked stacks</h2>\n";
  FoldedProfile parked;
  for (const ThreadSnapshot& t : s.threads) {
    if (!IsParked(t.wait.reason)) continue;
    auto path = FoldedFrames(t.frames);
    path.push_back(ReasonLeaf(t));
    parked.Add(path, 1);
  }
  WriteFlameGraphSvg(parked.stacks(), out);
  out << "</body></html>\n";
}

}  // namespace parkscope
