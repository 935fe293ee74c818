// parkscope's stacks against gdb's `thread apply all bt` on the same parked
// process, function for function. gdb adds frames that CFI unwinders cannot
// see (tail calls it reconstructs from DW_TAG_call_site), so every parkscope
// frame must appear in gdb's stack, in order, and gdb may have at most a
// couple of extra frames per thread.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <regex>
#include <sstream>

#include "e2e_support.h"

namespace parkscope::e2e {
namespace {

// "std::condition_variable::wait<...>(...)" and gdb's "wait<...>" both
// become "wait"; glibc's internal aliases (__GI___pthread_cond_wait,
// ___pthread_cond_wait) become "pthread_cond_wait".
// Removes one balanced open...close group from the end of name, if any.
void DropTrailingGroup(std::string& name, char open, char close) {
  if (name.empty() || name.back() != close) return;
  int depth = 0;
  for (size_t i = name.size(); i-- > 0;) {
    if (name[i] == close) ++depth;
    if (name[i] == open && --depth == 0) {
      name.erase(i);
      return;
    }
  }
}

// "void std::thread::_Invoker<...>::_M_invoke<0ul>(std::_Index_tuple<...>)"
// and gdb's "std::thread::_Invoker<...>::_M_invoke<0ul, 1ul>" both become
// "M_invoke"; glibc's aliases (__GI___pthread_cond_wait, __libc_pause)
// become the public name.
std::string FunctionKey(std::string name) {
  if (name.empty() || name == "??") return "??";
  for (size_t at; (at = name.find("(anonymous namespace)")) != std::string::npos;) {
    name.erase(at, 21);
  }
  for (const char* suffix : {" const", " volatile", " &&", " &"}) {
    size_t n = std::strlen(suffix);
    if (name.size() > n && name.compare(name.size() - n, n, suffix) == 0) name.resize(name.size() - n);
  }
  DropTrailingGroup(name, '(', ')');
  // gdb's "X::operator()" lost its "()" as if it were the argument list.
  if (name.size() >= 8 && name.compare(name.size() - 8, 8, "operator") == 0) name += "()";
  DropTrailingGroup(name, '<', '>');
  size_t space = name.rfind(' ');  // a template's return type
  if (space != std::string::npos) name = name.substr(space + 1);
  size_t colon = name.rfind("::");
  if (colon != std::string::npos) name = name.substr(colon + 2);
  for (const char* alias : {"__GI_", "__libc_"}) {
    if (name.rfind(alias, 0) == 0) name = name.substr(std::strlen(alias));
  }
  size_t start = name.find_first_not_of('_');
  return start == std::string::npos ? name : name.substr(start);
}

// The function name of a gdb frame line: between "#N  [0x... in ]" and the
// argument list, which is the last balanced "(...)" before " at "/" from ".
std::string GdbFrameFunction(std::string line) {
  static const std::regex prefix(R"(^#\d+\s+(?:0x[0-9a-f]+ in )?)");
  line = std::regex_replace(line, prefix, "");
  for (const char* tail : {" at ", " from "}) {
    size_t at = line.rfind(tail);
    if (at != std::string::npos) line = line.substr(0, at);
  }
  if (line.empty() || line.back() != ')') return line;
  int depth = 0;
  for (size_t i = line.size(); i-- > 0;) {
    if (line[i] == ')') ++depth;
    if (line[i] == '(' && --depth == 0) return line.substr(0, i > 0 ? i - 1 : 0);
  }
  return line;
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
  std::istringstream lines(out);
  std::string line;
  int tid = 0;
  while (std::getline(lines, line)) {
    std::smatch m;
    if (std::regex_search(line, m, thread_re)) {
      tid = std::stoi(m[1]);
      stacks[tid];
    } else if (tid != 0 && line.rfind("#", 0) == 0) {
      stacks[tid].push_back(FunctionKey(GdbFrameFunction(line)));
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
    // gdb stops at main (backtrace past-main is off); so do we, here.
    for (const auto& f : thread["frames"]) {
      ours.push_back(FunctionKey(f["function"]));
      if (ours.back() == "main") break;
    }
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
// Over kThreadsWorthAHelper threads: two threads unwind, half each.
TEST(GdbCompare, ManyThreadsUnwoundByTwoThreads) {
  CompareWithGdb("many_threads", {"--threads", "250", "--depth", "8"});
}
TEST(GdbCompare, Semaphores) { CompareWithGdb("sem_wait", {}); }
TEST(GdbCompare, Future) { CompareWithGdb("future_never_set", {}); }

}  // namespace
}  // namespace parkscope::e2e

namespace parkscope::e2e {
namespace {

// Built with frame pointers and parked in epoll_wait: unwound from sp/pc
// without a stop, so its rbp-based frames need the frame-pointer recovery.
TEST(GdbCompare, FramePointerCodeUnwoundWithoutAStop) {
  {
    Fixture fx("epoll_wait_fp");
    ASSERT_TRUE(fx.WaitReady()) << fx.why();
    auto snap = DumpJson(fx.pid());
    auto epoll = ThreadsWithReason(snap, "epoll wait");
    ASSERT_EQ(epoll.size(), 1u);
    EXPECT_EQ(epoll[0]["capture_method"], "nostop");
    EXPECT_GE(epoll[0]["frames"].size(), 5u) << epoll[0]["frames"].dump();
    EXPECT_EQ(epoll[0]["site"]["line"], MarkerLine("epoll_wait.cc", "epoll-wait"));
  }
  CompareWithGdb("epoll_wait_fp", {});
}

}  // namespace
}  // namespace parkscope::e2e
