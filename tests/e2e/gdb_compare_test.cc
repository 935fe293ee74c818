// parkscope's stacks against gdb's `thread apply all bt` on the same parked
// process, function for function. gdb adds frames that CFI unwinders cannot
// see (tail calls it reconstructs from DW_TAG_call_site), so every parkscope
// frame must appear in gdb's stack, in order, and gdb may have at most a
// couple of extra frames per thread.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <sstream>

#include "e2e_support.h"

namespace parkscope::e2e {
namespace {

// "std::condition_variable::wait<...>(...)" and gdb's "wait<...>" both
// become "wait"; glibc's internal aliases (__GI___pthread_cond_wait,
// ___pthread_cond_wait) become "pthread_cond_wait".
std::string FunctionKey(std::string name) {
  if (name.empty() || name == "??") return "??";
  size_t cut = name.find_first_of("<(");
  if (cut != std::string::npos && cut > 0) name = name.substr(0, cut);
  size_t colon = name.rfind("::");
  if (colon != std::string::npos) name = name.substr(colon + 2);
  if (name.rfind("__GI_", 0) == 0) name = name.substr(5);
  size_t start = name.find_first_not_of('_');
  return start == std::string::npos ? name : name.substr(start);
}

std::map<int, std::vector<std::string>> GdbStacks(pid_t pid, std::string* raw) {
  FILE* p = popen(("gdb -nx -batch -p " + std::to_string(pid) +
                   " -ex 'set width 0' -ex 'set print frame-arguments none'"
                   " -ex 'thread apply all bt' 2>/dev/null")
                      .c_str(),
                  "r");
  std::string out;
  char buf[65536];
  for (size_t n; p && (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  if (p) pclose(p);
  *raw = out;
  std::map<int, std::vector<std::string>> stacks;
  std::regex thread_re(R"(^Thread \d+ \(.*LWP (\d+)\))");
  std::regex frame_re(R"(^#\d+\s+(?:0x[0-9a-f]+ in )?(\S+) \()");
  std::istringstream lines(out);
  std::string line;
  int tid = 0;
  while (std::getline(lines, line)) {
    std::smatch m;
    if (std::regex_search(line, m, thread_re)) {
      tid = std::stoi(m[1]);
      stacks[tid];
    } else if (tid != 0 && std::regex_search(line, m, frame_re)) {
      stacks[tid].push_back(FunctionKey(m[1]));
    }
  }
  return stacks;
}

void CompareWithGdb(const std::string& fixture, std::vector<std::string> args) {
  if (system("command -v gdb >/dev/null 2>&1") != 0) GTEST_SKIP() << "gdb not installed";
  Fixture fx(fixture, args);
  ASSERT_TRUE(fx.WaitReady()) << fx.why();
  auto snap = DumpJson(fx.pid());
  std::string raw;
  auto gdb = GdbStacks(fx.pid(), &raw);
  ASSERT_FALSE(gdb.empty()) << raw;
  int compared = 0;
  for (const auto& thread : snap["threads"]) {
    const int tid = thread["tid"];
    ASSERT_TRUE(gdb.count(tid)) << "gdb did not list thread " << tid;
    const auto& theirs = gdb[tid];
    std::vector<std::string> ours;
    for (const auto& f : thread["frames"]) ours.push_back(FunctionKey(f["function"]));
    size_t g = 0;
    for (const auto& key : ours) {
      while (g < theirs.size() && theirs[g] != key) ++g;
      ASSERT_LT(g, theirs.size()) << "thread " << tid << ": frame " << key
                                  << " not in gdb's stack in order\n" << raw;
      ++g;
    }
    EXPECT_LE(theirs.size(), ours.size() + 2) << "thread " << tid << "\n" << raw;
    ++compared;
  }
  EXPECT_GT(compared, 1);
}

TEST(GdbCompare, FanoutLeak) { CompareWithGdb("fanout_leak", {"--requests", "3", "--workers", "2"}); }
TEST(GdbCompare, DeadlockAbba) { CompareWithGdb("deadlock_abba", {}); }
TEST(GdbCompare, ManyThreadsDeep) { CompareWithGdb("many_threads", {"--threads", "20", "--depth", "25"}); }
TEST(GdbCompare, Semaphores) { CompareWithGdb("sem_wait", {}); }
TEST(GdbCompare, Future) { CompareWithGdb("future_never_set", {}); }

}  // namespace
}  // namespace parkscope::e2e
