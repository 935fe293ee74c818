#include "report/report.h"

#include "report/debug1.h"
#include "report/debug2.h"
#include "report/json.h"
#include "report/summary.h"

namespace parkscope {

std::optional<ReportFormat> ParseReportFormat(std::string_view name) {
  if (name == "summary") return ReportFormat::kSummary;
  if (name == "debug1") return ReportFormat::kDebug1;
  if (name == "debug2") return ReportFormat::kDebug2;
  if (name == "json") return ReportFormat::kJson;
  return std::nullopt;
}

void WriteReport(const ProcessSnapshot& snapshot, ReportFormat format,
                 std::ostream& out) {
  switch (format) {
    case ReportFormat::kSummary:
      return WriteSummary(snapshot, out);
    case ReportFormat::kDebug1:
      return WriteDebug1(snapshot, out);
    case ReportFormat::kDebug2:
      return WriteDebug2(snapshot, out);
    case ReportFormat::kJson:
      return WriteJson(snapshot, out);
  }
}

}  // namespace parkscope
