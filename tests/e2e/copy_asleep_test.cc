// Threads asleep in a syscall are copied without a stop (CopyAsleep in
// src/ptrace/capture.cc). The promise: the stack is exactly the one a stop
// would have given, or the thread is stopped after all. Checked against
// `--stop-all` (every thread stopped) on the same parked process.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "e2e_support.h"

namespace parkscope::e2e {
namespace {

using nlohmann::json;

std::vector<std::string> FrameKeys(const json& thread) {
  std::vector<std::string> keys;
  for (const json& f : thread["frames"]) {
    keys.push_back(f["function"].get<std::string>() + " " + f["file"].get<std::string>() + ":" +
                   std::to_string(f["line"].get<int>()) + " " + f["module"].get<std::string>());
  }
  return keys;
}

std::map<int, json> ByTid(const json& snapshot) {
  std::map<int, json> out;
  for (const json& t : snapshot["threads"]) out[t["tid"].get<int>()] = t;
  return out;
}

std::string Outermost(const json& thread) {
  return thread["frames"].empty() ? "" : thread["frames"].back()["function"].get<std::string>();
}

// Default dump and --stop-all dump of one fixture: every thread has the same
// frames in both; at least `min_asleep` were copied without a stop, each
// with stopped_us 0, ending at a thread entry.
void ExpectSameStacksAsStopped(const std::string& name, std::vector<std::string> args,
                               size_t min_asleep) {
  SCOPED_TRACE(name);
  Fixture fx(name, std::move(args));
  ASSERT_TRUE(fx.WaitReady()) << fx.why();
  const json asleep_dump = DumpJson(fx.pid());
  const json stopped_dump = DumpJson(fx.pid(), {"--stop-all"});
  auto stopped = ByTid(stopped_dump);
  size_t asleep = 0;
  for (const json& t : asleep_dump["threads"]) {
    const int tid = t["tid"].get<int>();
    ASSERT_TRUE(stopped.count(tid)) << tid;
    EXPECT_EQ(stopped[tid]["capture_method"], "ptrace") << stopped[tid].dump();
    EXPECT_EQ(FrameKeys(t), FrameKeys(stopped[tid])) << "tid " << tid << " ("
                                                      << t["capture_method"] << ")";
    if (t["capture_method"] == "nostop" && t["stack_note"] == "") {
      ++asleep;
      EXPECT_EQ(t["stopped_us"], 0);
      const std::string entry = Outermost(t);
      EXPECT_TRUE(entry == "__clone3" || entry == "_start" || entry == "clone") << entry;
    }
  }
  EXPECT_GE(asleep, min_asleep);
  EXPECT_TRUE(StoppedOrTracedThreads(fx.pid()).empty());
}

TEST(CopyAsleep, StacksAreThoseOfStoppedThreads) {
  ExpectSameStacksAsStopped("many_threads", {"--threads", "300", "--depth", "25"}, 300);
  ExpectSameStacksAsStopped("all_waits", {}, 10);
  ExpectSameStacksAsStopped("deadlock_abba", {}, 2);
  ExpectSameStacksAsStopped("fanout_leak", {"--requests", "5", "--workers", "3"}, 15);
}

// Built with frame pointers: main's own frames are rbp-based, and pause()
// never saved rbp, so from sp and pc alone the walk ends in ParkMainForever.
// That thread must be stopped for its whole stack, not shown cut.
TEST(CopyAsleep, WalkShortOfTheThreadEntryIsStoppedAndWalkedAgain) {
  Fixture fx("epoll_wait_fp");
  ASSERT_TRUE(fx.WaitReady()) << fx.why();
  const json snap = DumpJson(fx.pid());
  const json stopped = DumpJson(fx.pid(), {"--stop-all"});
  auto main_stopped = ByTid(stopped)[fx.pid()];
  for (const json& t : snap["threads"]) {
    if (t["tid"] != fx.pid()) continue;
    EXPECT_EQ(t["capture_method"], "ptrace") << t.dump();
    EXPECT_GT(t["stopped_us"].get<int>(), 0);
    EXPECT_EQ(Outermost(t), "_start") << t["frames"].dump();
    EXPECT_EQ(FrameKeys(t), FrameKeys(main_stopped));
    return;
  }
  FAIL() << "main thread not in the dump";
}

// Threads that wake every few milliseconds (wait_checker's timed waits)
// while being copied: a copy whose thread ran meanwhile is replaced by a
// stopped one, so no stack is torn. Torn stacks end anywhere; every one
// here must reach its thread's entry, over many dumps.
TEST(CopyAsleep, ThreadsThatWakeDuringTheCopyAreNeverTorn) {
  Fixture fx("wait_checker", {"--seconds", "30"});
  ASSERT_TRUE(fx.WaitReady()) << fx.why();
  size_t asleep = 0, stopped = 0, threads = 0;
  for (int dump = 0; dump < 30; ++dump) {
    const json snap = DumpJson(fx.pid());
    for (const json& t : snap["threads"]) {
      if (t["capture_method"] == "none" || t["frames"].empty()) continue;
      ++threads;
      if (t["capture_method"] == "ptrace") ++stopped;
      if (t["capture_method"] == "nostop" && t["stack_note"] == "") ++asleep;
      const std::string entry = Outermost(t);
      EXPECT_TRUE(entry == "__clone3" || entry == "_start") << entry << " " << t.dump();
    }
  }
  EXPECT_GT(asleep, 0u);
  std::cout << "threads " << threads << ", copied asleep " << asleep << ", stopped " << stopped
            << "\n";
  EXPECT_TRUE(StoppedOrTracedThreads(fx.pid()).empty());
}

}  // namespace
}  // namespace parkscope::e2e
