#include "serve/endpoints.h"

#include <algorithm>
#include <charconv>
#include <sstream>

#include "report/html.h"
#include "report/pprof.h"
#include "report/prometheus.h"
#include "report/report.h"

namespace parkscope {
namespace {

constexpr char kText[] = "text/plain; charset=utf-8";
// The page may be reloaded this often at most; also bounds the cache keys.
constexpr int kMinRefreshSeconds = 1, kMaxRefreshSeconds = 3600;

EndpointResponse Plain(int status, std::string text) {
  return {status, kText, std::make_shared<const std::string>(std::move(text) + "\n"), ""};
}

EndpointResponse NoSampleYet() {
  return Plain(503, "no sample yet: the first one is being taken; retry in a moment");
}

bool IsText(const std::string& content_type) { return content_type.rfind("text/plain", 0) == 0; }

EndpointResponse RenderReport(const WatchSample& sample, const std::string& format) {
  if (format == "pprof") {
    EndpointResponse r{200, "application/octet-stream",
                       sample.Rendered("pprof",
                                       [](const WatchSample& s) {
                                         std::ostringstream out;
                                         WriteThreadsPprof(s.Snapshot(), out);
                                         return out.str();
                                       }),
                       "attachment; filename=\"threads.pb.gz\""};
    return r;
  }
  const ReportFormat report = *ParseReportFormat(format);
  auto body = sample.Rendered(format, [report](const WatchSample& s) {
    std::ostringstream out;
    WriteReport(s.Snapshot(), report, out);
    return out.str();
  });
  return {200, report == ReportFormat::kJson ? "application/json" : kText, body, ""};
}

}  // namespace

EndpointResponse Bounded(EndpointResponse response, size_t max_bytes) {
  if (!response.body || response.body->size() <= max_bytes) return response;
  if (!IsText(response.content_type)) {
    return Plain(503, "response too large (" + std::to_string(response.body->size()) +
                          " bytes, limit " + std::to_string(max_bytes) +
                          "); use parkscope dump for the whole report");
  }
  std::string cut = response.body->substr(0, max_bytes);
  cut.resize(cut.rfind('\n') == std::string::npos ? 0 : cut.rfind('\n') + 1);
  cut += "... response cut at " + std::to_string(max_bytes) +
         " bytes; use parkscope dump for the whole report\n";
  response.body = std::make_shared<const std::string>(std::move(cut));
  return response;
}

EndpointResponse ThreadsEndpoint(const WatchSample* sample, const QueryParams& params) {
  auto debug = params.find("debug");
  auto format = params.find("format");
  if (debug != params.end() && format != params.end()) {
    return Plain(400, "use either ?debug= or ?format=, not both");
  }
  std::string chosen = "pprof";
  if (debug != params.end()) {
    if (debug->second == "0") {
      chosen = "pprof";
    } else if (debug->second == "1") {
      chosen = "debug1";
    } else if (debug->second == "2") {
      chosen = "debug2";
    } else {
      return Plain(400, "debug must be 0 (profile.proto), 1 or 2");
    }
  } else if (format != params.end()) {
    chosen = format->second;
    if (chosen != "pprof" && !ParseReportFormat(chosen)) {
      return Plain(400, "format must be summary, debug1, debug2, json or pprof");
    }
  }
  if (sample == nullptr) return NoSampleYet();
  return Bounded(RenderReport(*sample, chosen));
}

EndpointResponse MetricsEndpoint(const WatchSample* sample) {
  if (sample == nullptr) return NoSampleYet();
  auto body = sample->Rendered("metrics", [](const WatchSample& s) {
    std::ostringstream out;
    WritePrometheus(s.Snapshot(), s.counters, out);
    return out.str();
  });
  return Bounded({200, "text/plain; version=0.0.4; charset=utf-8", body, ""});
}

EndpointResponse PageEndpoint(const WatchSample* sample, const QueryParams& params) {
  HtmlPageOptions options;
  if (auto it = params.find("refresh"); it != params.end()) {
    int seconds = 0;
    auto [end, ec] =
        std::from_chars(it->second.data(), it->second.data() + it->second.size(), seconds);
    if (ec != std::errc() || end != it->second.data() + it->second.size()) {
      return Plain(400, "refresh must be a number of seconds");
    }
    options.refresh_seconds = std::clamp(seconds, kMinRefreshSeconds, kMaxRefreshSeconds);
  }
  if (sample == nullptr) return NoSampleYet();
  auto body = sample->Rendered("page" + std::to_string(options.refresh_seconds),
                               [options](const WatchSample& s) {
                                 std::ostringstream out;
                                 WriteHtmlPage(s.Snapshot(), s.history, options, out);
                                 return out.str();
                               });
  return Bounded({200, "text/html; charset=utf-8", body, ""});
}

EndpointResponse PprofIndexEndpoint() {
  static const auto body = std::make_shared<const std::string>(
      "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>/debug/pprof/</title></head>"
      "<body><h1>parkscope</h1><ul>"
      "<li><a href=\"threads?debug=1\">threads?debug=1</a>: stacks counted, Go's debug=1</li>"
      "<li><a href=\"threads?debug=2\">threads?debug=2</a>: every thread, Go's debug=2</li>"
      "<li><a href=\"threads?format=summary\">threads?format=summary</a>: grouped by wait site</li>"
      "<li><a href=\"threads?format=json\">threads?format=json</a>: parkscope.snapshot/1</li>"
      "<li><a href=\"threads\">threads</a>: profile.proto for go tool pprof</li>"
      "<li><a href=\"/metrics\">/metrics</a>: Prometheus</li></ul></body></html>\n");
  return {200, "text/html; charset=utf-8", body, ""};
}

}  // namespace parkscope
