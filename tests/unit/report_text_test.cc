// Text reports: the details the goldens do not pin one by one.
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "analyze/analyze.h"
#include "report/debug1.h"
#include "report/debug2.h"
#include "report/report.h"
#include "report/summary.h"
#include "report/thread_text.h"

namespace parkscope {
namespace {

template <typename Writer>
std::string Write(Writer writer, const ProcessSnapshot& s) {
  std::ostringstream out;
  writer(s, out);
  return out.str();
}

Frame GoFrame(uint64_t printed_pc, const char* function,
              uint64_t printed_offset, const char* file, int line) {
  Frame f;
  f.pc = printed_pc + 1;  // Go prints return address - 1
  f.function = function;
  f.function_offset = printed_offset + 1;
  f.file = file;
  f.line = line;
  return f;
}

TEST(ParseReportFormat, Names) {
  EXPECT_EQ(ParseReportFormat("summary"), ReportFormat::kSummary);
  EXPECT_EQ(ParseReportFormat("debug1"), ReportFormat::kDebug1);
  EXPECT_EQ(ParseReportFormat("debug2"), ReportFormat::kDebug2);
  EXPECT_EQ(ParseReportFormat("json"), ReportFormat::kJson);
  EXPECT_FALSE(ParseReportFormat("JSON").has_value());
  EXPECT_FALSE(ParseReportFormat("").has_value());
  EXPECT_FALSE(ParseReportFormat("debug=2").has_value());
}

// The record from a real Go 1.19 debug=1 dump (shared notes,
// go-goroutine-dump-sample.txt): our tabwriter must align the same frames
// exactly as Go's text/tabwriter did.
TEST(Debug1, AlignsLikeGoTabwriter) {
  ThreadSnapshot t;
  t.tid = 1;
  t.frames = {
      GoFrame(0x45c7a4, "runtime/pprof.runtime_goroutineProfileWithLabels",
              0x24, "/usr/lib/go-1.19/src/runtime/mprof.go", 846),
      GoFrame(0x4aa334, "runtime/pprof.writeRuntimeProfile", 0xb4,
              "/usr/lib/go-1.19/src/runtime/pprof/pprof.go", 723),
      GoFrame(0x4aa14c, "runtime/pprof.writeGoroutine", 0x4c,
              "/usr/lib/go-1.19/src/runtime/pprof/pprof.go", 683),
      GoFrame(0x4a70aa, "runtime/pprof.(*Profile).WriteTo", 0x14a,
              "/usr/lib/go-1.19/src/runtime/pprof/pprof.go", 330),
      GoFrame(0x4b3d36, "main.main", 0x1b6, "$TMPDIR/gor/main.go", 23),
      GoFrame(0x437191, "runtime.main", 0x211,
              "/usr/lib/go-1.19/src/runtime/proc.go", 250),
  };
  ProcessSnapshot s;
  s.threads = {t};
  EXPECT_EQ(
      Write(WriteDebug1, s),
      "threads profile: total 1\n"
      "1 @ 0x45c7a5 0x4aa335 0x4aa14d 0x4a70ab 0x4b3d37 0x437192\n"
      "#\t0x45c7a4\truntime/pprof.runtime_goroutineProfileWithLabels+0x24\t/"
      "usr/lib/go-1.19/src/runtime/mprof.go:846\n"
      "#\t0x4aa334\truntime/pprof.writeRuntimeProfile+0xb4\t\t\t/usr/lib/"
      "go-1.19/src/runtime/pprof/pprof.go:723\n"
      "#\t0x4aa14c\truntime/pprof.writeGoroutine+0x4c\t\t\t/usr/lib/go-1.19/"
      "src/runtime/pprof/pprof.go:683\n"
      "#\t0x4a70aa\truntime/pprof.(*Profile).WriteTo+0x14a\t\t\t/usr/lib/"
      "go-1.19/src/runtime/pprof/pprof.go:330\n"
      "#\t0x4b3d36\tmain.main+0x1b6\t\t\t\t\t\t$TMPDIR/gor/main.go:23\n"
      "#\t0x437191\truntime.main+0x211\t\t\t\t\t/usr/lib/go-1.19/src/runtime/"
      "proc.go:250\n"
      "\n");
}

TEST(Debug1, GroupsIdenticalPcsAndCountsDescending) {
  ProcessSnapshot s;
  for (Tid tid : {1, 2, 3}) {
    ThreadSnapshot t;
    t.tid = tid;
    Frame f;
    f.pc = tid == 2 ? 0x2000 : 0x1000;
    f.is_activation = true;
    f.function = "f";
    t.frames = {f};
    s.threads.push_back(t);
  }
  ThreadSnapshot no_stack;
  no_stack.tid = 4;
  no_stack.capture_error = "gone";
  s.threads.push_back(no_stack);
  EXPECT_EQ(Write(WriteDebug1, s),
            "threads profile: total 3\n"
            "2 @ 0x1000\n#\t0x1000\tf+0x0\n\n"
            "1 @ 0x2000\n#\t0x2000\tf+0x0\n\n");
}

ThreadSnapshot Waiter(Tid tid, std::optional<int64_t> blocked_ns) {
  ThreadSnapshot t;
  t.tid = tid;
  t.name = "w";
  t.wait.reason = WaitReason::kMutexLock;
  t.wait.blocked_ns = blocked_ns;
  Frame f;
  f.function = "Work()";
  f.file = "/src/w.cc";
  f.line = 7;
  f.function_offset = 0x10;
  t.frames = {f};
  return t;
}

TEST(Debug2, HeaderMinutesOnlyFromOneMinuteAndOwner) {
  ProcessSnapshot s;
  s.threads = {Waiter(1, 59'999'999'999), Waiter(2, 60'000'000'000),
               Waiter(3, std::nullopt), Waiter(4, 3600'000'000'000)};
  s.threads[1].wait.owner_tid = 9;
  s.threads[3].wait.reason = WaitReason::kJoin;
  s.threads[3].wait.owner_tid = 1;
  std::string out = Write(WriteDebug2, s);
  EXPECT_NE(
      out.find("thread 1 \"w\" [mutex lock]:\nWork()\n\t/src/w.cc:7 +0x10\n"),
      std::string::npos)
      << out;
  EXPECT_NE(
      out.find("thread 2 \"w\" [mutex lock, 1 minutes, held by thread 9]:\n"),
      std::string::npos)
      << out;
  EXPECT_NE(out.find("thread 3 \"w\" [mutex lock]:\n"), std::string::npos)
      << out;
  EXPECT_NE(out.find("thread 4 \"w\" [join, 60 minutes, joining thread 1]:\n"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.substr(out.size() - 2), "0\n");  // no trailing blank line
}

TEST(Debug2, ElidesDeepStacksLikeGo) {
  ProcessSnapshot s;
  ThreadSnapshot t = Waiter(1, std::nullopt);
  t.frames.resize(101, t.frames[0]);
  t.frames[50].line = 50;
  t.frames[51].line = 51;
  s.threads = {t};
  std::string out = Write(WriteDebug2, s);
  EXPECT_NE(out.find("...1 frames elided...\n"), std::string::npos);
  EXPECT_EQ(out.find("w.cc:50 "), std::string::npos);  // the elided one
  EXPECT_NE(out.find("w.cc:51 "), std::string::npos);

  t.frames.resize(100);
  s.threads = {t};
  EXPECT_EQ(Write(WriteDebug2, s).find("elided"), std::string::npos);
}

TEST(Summary, LongTidListsAndPerThreadOwners) {
  ProcessSnapshot s;
  for (Tid tid = 100; tid < 125; ++tid) {
    s.threads.push_back(Waiter(tid, int64_t{tid} * 1'000'000'000));
    s.threads.back().wait.owner_tid = tid < 110 ? 7 : 8;
  }
  Analyze(s, RuntimeFrameFilter());
  std::string out = Write(WriteSummary, s);
  EXPECT_NE(out.find("25 threads  [mutex lock, blocked 1m40s .. 2m04s]  at "
                     "w.cc:7 in Work()\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("  tids: 100 (held by 7) 101 (held by 7)"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("119 (held by 8) … (+5 more)\n"), std::string::npos)
      << out;
  EXPECT_EQ(out.find("120 (held"), std::string::npos) << out;
}

TEST(Summary, ContainerThreadsShowBothTids) {
  ProcessSnapshot s;
  s.threads.push_back(Waiter(5001, 1'000'000'000));
  s.threads.push_back(Waiter(5002, 1'000'000'000));
  s.threads.push_back(Waiter(5003, 1'000'000'000));
  s.threads[0].ns_tid = 2;
  s.threads[1].ns_tid = 5002;  // same number: printed once
  Analyze(s, RuntimeFrameFilter());
  std::string out = Write(WriteSummary, s);
  EXPECT_NE(out.find("  tids: 5001 (ns 2) 5002 5003\n"), std::string::npos) << out;
  EXPECT_EQ(TidText(s.threads[0]), "5001 (ns 2)");
  std::string debug2 = Write(WriteDebug2, s);
  EXPECT_NE(debug2.find("thread 5001 (ns 2) "), std::string::npos) << debug2;
  EXPECT_NE(debug2.find("thread 5002 \""), std::string::npos) << debug2;
}

TEST(Summary, HostileNamesCannotBreakLines) {
  ProcessSnapshot s;
  s.command = "evil\ncommand";
  s.threads = {Waiter(1, std::nullopt)};
  s.threads[0].name = "a\"b\\c\nd\x1b[2J";
  s.threads[0].frames[0].function = "f\n()";
  Analyze(s, RuntimeFrameFilter());
  std::string out = Write(WriteSummary, s);
  EXPECT_NE(out.find("(evil\\x0acommand)"), std::string::npos) << out;
  EXPECT_NE(out.find("tid: 1 \"a\\\"b\\\\c\\x0ad\\x1b[2J\"\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("    f\\x0a()  /src/w.cc:7\n"), std::string::npos) << out;
}

TEST(Summary, EmptySnapshot) {
  EXPECT_EQ(Write(WriteSummary, ProcessSnapshot{}),
            "parkscope: pid 0 — 0 threads, 0 parked\n"
            "capture: 0 threads in 0 us; no thread stopped; partial\n");
}

TEST(ThreadText, GroupOrderListsEveryThreadOnce) {
  ProcessSnapshot s;
  s.threads = {Waiter(3, 1), Waiter(1, 5), Waiter(2, std::nullopt)};
  s.groups.push_back(StackGroup{});
  s.groups[0].tids = {2, 2, 99};  // a duplicate and a stranger: still safe
  std::vector<Tid> order;
  for (const ThreadSnapshot* t : ThreadsInGroupOrder(s))
    order.push_back(t->tid);
  EXPECT_EQ(order, (std::vector<Tid>{2, 1, 3}));
}

}  // namespace
}  // namespace parkscope
