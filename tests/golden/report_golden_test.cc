// Golden tests: every report format over the synthetic snapshots of
// synthetic_snapshots.h, compared byte for byte with the files next to this
// one (<snapshot>.<format>.txt, <snapshot>.json).
//
// To regenerate after an intended format change:
//   PARKSCOPE_UPDATE_GOLDEN=1 ./build/tests/parkscope_unit_tests \
//       --gtest_filter='ReportGolden*'
// then read the diff (git diff tests/golden) line by line before keeping it:
// the goldens are the specification of the formats, not a record of
// whatever the code printed last.
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "report/json.h"
#include "report/report.h"
#include "synthetic_snapshots.h"

namespace parkscope {
namespace {

using testing::Analyzed;

struct GoldenCase {
  const char* snapshot;
  std::function<ProcessSnapshot()> make;
};

const GoldenCase kCases[] = {
    {"fanout",
     [] { return Analyzed(testing::FanoutSnapshot(), testing::FanoutFilter()); }},
    {"deadlock",
     [] { return Analyzed(testing::DeadlockSnapshot(), RuntimeFrameFilter()); }},
    {"deep", [] { return Analyzed(testing::DeepSnapshot(), RuntimeFrameFilter()); }},
};

struct FormatCase {
  ReportFormat format;
  const char* suffix;
};

const FormatCase kFormats[] = {
    {ReportFormat::kSummary, ".summary.txt"},
    {ReportFormat::kDebug1, ".debug1.txt"},
    {ReportFormat::kDebug2, ".debug2.txt"},
    {ReportFormat::kJson, ".json"},
};

bool UpdateRequested() {
  const char* update = std::getenv("PARKSCOPE_UPDATE_GOLDEN");
  return update != nullptr && std::string(update) == "1";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Render(const ProcessSnapshot& s, ReportFormat format) {
  std::ostringstream out;
  WriteReport(s, format, out);
  return out.str();
}

TEST(ReportGolden, EveryFormatMatches) {
  for (const GoldenCase& c : kCases) {
    ProcessSnapshot snapshot = c.make();
    for (const FormatCase& f : kFormats) {
      std::string path =
          std::string(PARKSCOPE_GOLDEN_DIR) + "/" + c.snapshot + f.suffix;
      std::string actual = Render(snapshot, f.format);
      if (UpdateRequested()) {
        std::ofstream(path, std::ios::binary) << actual;
        continue;
      }
      std::string expected = ReadFile(path);
      ASSERT_FALSE(expected.empty()) << "missing golden " << path;
      EXPECT_EQ(actual, expected) << "golden mismatch: " << path;
    }
  }
}

// The JSON goldens read back into snapshots that print the same reports:
// ReadJsonSnapshot is the exact inverse on everything the text formats use
// but the function offsets (not in the schema), which only debug1 and
// debug2 print.
TEST(ReportGolden, JsonGoldenReadsBack) {
  for (const GoldenCase& c : kCases) {
    std::string path = std::string(PARKSCOPE_GOLDEN_DIR) + "/" + c.snapshot + ".json";
    std::string text = ReadFile(path);
    std::optional<ProcessSnapshot> read = ReadJsonSnapshot(text);
    ASSERT_TRUE(read.has_value()) << path;
    EXPECT_EQ(Render(*read, ReportFormat::kJson), text) << path;
    EXPECT_EQ(Render(*read, ReportFormat::kSummary),
              Render(c.make(), ReportFormat::kSummary))
        << path;
  }
}

}  // namespace
}  // namespace parkscope
