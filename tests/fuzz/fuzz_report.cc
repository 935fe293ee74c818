// libFuzzer harness: a JSON snapshot (the schema `dump --format json`
// writes, which users post-process and feed back) read back and written in
// every report format: summary, debug1, debug2, json, pprof, Prometheus
// and the HTML page. Stack frames hold names and paths from the target's
// files and thread names the target chose, so every writer meets
// arbitrary strings.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string_view>

#include "analyze/analyze.h"
#include "report/html.h"
#include "report/json.h"
#include "report/pprof.h"
#include "report/prometheus.h"
#include "report/report.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace parkscope;
  auto snapshot = ReadJsonSnapshot(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!snapshot) return 0;
  Analyze(*snapshot, {});
  for (ReportFormat format : {ReportFormat::kSummary, ReportFormat::kDebug1,
                              ReportFormat::kDebug2, ReportFormat::kJson}) {
    std::ostringstream out;
    WriteReport(*snapshot, format, out);
  }
  (void)EncodeThreadsProfile(*snapshot);
  std::ostringstream metrics, page;
  WritePrometheus(*snapshot, WatchCounters{}, metrics);
  WriteHtmlPage(*snapshot, {}, HtmlPageOptions{}, page);
  return 0;
}
