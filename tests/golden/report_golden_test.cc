// Golden tests: every report format over the synthetic snapshots of
// synthetic_snapshots.h, compared byte for byte with the files next to this
// one (<snapshot>.<format>.txt, <snapshot>.json).
//
// To regenerate after an intended format change:
//   PARKSCOPE_UPDATE_GOLDEN=1 ./build/tests/parkscope_unit_tests
//       --gtest_filter='ReportGolden*'     (one command line)
// then read the diff (git diff tests/golden) line by line before keeping it:
// the goldens are the specification of the formats, not a record of
// whatever the code printed last.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "report/json.h"
#include "report/report.h"
#include "synthetic_snapshots.h"

namespace parkscope {
namespace {

using testing::Analyzed;

struct FormatCase {
  ReportFormat format;
  const char* suffix;
};

constexpr FormatCase kSummary = {ReportFormat::kSummary, ".summary.txt"};
constexpr FormatCase kDebug1 = {ReportFormat::kDebug1, ".debug1.txt"};
constexpr FormatCase kDebug2 = {ReportFormat::kDebug2, ".debug2.txt"};
constexpr FormatCase kJson = {ReportFormat::kJson, ".json"};

struct GoldenCase {
  const char* snapshot;
  std::function<ProcessSnapshot()> make;
  std::vector<FormatCase> formats;
};

// The 80-worker fan-out shows grouping (summary, debug1); the per-thread
// formats use 3 workers, since 77 more identical threads would only make
// the golden too long to check by eye.
const GoldenCase kCases[] = {
    {"fanout",
     [] {
       return Analyzed(testing::FanoutSnapshot(), testing::FanoutFilter());
     },
     {kSummary, kDebug1}},
    {"fanout3",
     [] {
       return Analyzed(testing::FanoutSnapshot(3), testing::FanoutFilter());
     },
     {kSummary, kDebug2, kJson}},
    {"deadlock",
     [] { return Analyzed(testing::DeadlockSnapshot(), RuntimeFrameFilter()); },
     {kSummary, kDebug1, kDebug2, kJson}},
    {"deep",
     [] { return Analyzed(testing::DeepSnapshot(), RuntimeFrameFilter()); },
     {kSummary, kDebug1, kDebug2, kJson}},
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
    for (const FormatCase& f : c.formats) {
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
    if (c.formats.back().format != ReportFormat::kJson) continue;
    std::string path =
        std::string(PARKSCOPE_GOLDEN_DIR) + "/" + c.snapshot + ".json";
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
