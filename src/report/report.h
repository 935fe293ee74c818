// The reports: one snapshot, written in one of four formats. Every writer
// reads an analyzed snapshot (see analyze/analyze.h: sites, groups and
// deadlocks filled), writes to a std::ostream and throws nothing.
#pragma once

#include <optional>
#include <ostream>
#include <string_view>

#include "model/snapshot.h"

namespace parkscope {

enum class ReportFormat {
  kSummary,  // grouped, sorted by blocked time, for humans (summary.h)
  kDebug1,   // Go debug=1: identical stacks counted (debug1.h)
  kDebug2,   // Go debug=2: every thread, every frame (debug2.h)
  kJson,     // the whole snapshot, schema parkscope.snapshot/1 (json.h)
};

// "summary", "debug1", "debug2", "json"; nullopt for anything else.
std::optional<ReportFormat> ParseReportFormat(std::string_view name);

void WriteReport(const ProcessSnapshot& snapshot, ReportFormat format,
                 std::ostream& out);

}  // namespace parkscope
