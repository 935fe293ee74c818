// The agent inside hostile programs, seen from the collector: fork without
// exec, libraries unloaded under it, other builds of the same program,
// other preloaded libraries, and 10,000 threads. Each test checks that the
// program itself behaves (exact counts, exit 0, within a timeout) and that
// a dump shows the agent's wait reasons. The in-process halves of the same
// promises are in agent/tests (fork_test.cc, vfork_test.cc,
// preload_mix_test.cc).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "all_waits_expectations.h"
#include "e2e_support.h"

namespace parkscope::e2e {
namespace {

using nlohmann::json;

#define NEED_AGENT() \
  if (AgentPath().empty()) GTEST_SKIP() << "the agent was not built (agent/ missing)"

// One thread named `name` in `snap`, parked at `marker` of `file` with the
// agent's `reason`.
void ExpectAgentThread(const json& snap, const std::string& name, const std::string& reason,
                       const std::string& file, const std::string& marker) {
  auto threads = ThreadsNamed(snap, name);
  ASSERT_EQ(threads.size(), 1u) << name;
  const json& t = threads[0];
  EXPECT_EQ(t["wait"]["reason"], reason) << name;
  EXPECT_EQ(t["wait"]["blocked_source"], "agent") << name;
  EXPECT_EQ(t["site"]["line"], MarkerLine(file, marker)) << name << " " << t["site"];
  EXPECT_TRUE(t["created_by"].is_object()) << name;
}

// Waits for the fixture to exit; its exit code, or -1 on timeout or signal.
int ExitCodeWithin(Fixture& fx, double timeout_s) {
  const int status = fx.StopAndWait(0, timeout_s);
  if (status == -1 || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

// ---------------------------------------------------------------------------
// fork without exec

TEST(HostileAgent, ForkWithoutExecChildAndParentBothWork) {
  NEED_AGENT();
  Fixture fx("fork_no_exec", {"--checks", "5", "--rounds", "2000"}, Launch::kPreload);
  // READY comes from the parked child, after the five check children.
  ASSERT_TRUE(fx.WaitReady(30)) << fx.why();
  const pid_t child = fx.ready_pid();
  ASSERT_NE(child, fx.pid());

  json child_snap = DumpJson(child);
  EXPECT_TRUE(child_snap.value("agent_present", false));
  // Only the child's own threads: its main and the three it started.
  EXPECT_EQ(child_snap["threads"].size(), 4u);
  ExpectAgentThread(child_snap, "child-mutex", "mutex lock", "fork_no_exec.cc",
                    "fork-child-mutex");
  ExpectAgentThread(child_snap, "child-cond", "cond wait", "fork_no_exec.cc", "fork-child-cond");
  ExpectAgentThread(child_snap, "child-sleep", "sleep", "fork_no_exec.cc", "fork-child-sleep");
  auto child_mutex = ThreadsNamed(child_snap, "child-mutex");
  ASSERT_EQ(child_mutex.size(), 1u);
  EXPECT_EQ(child_mutex[0]["wait"]["owner_tid"], child);  // the child's main holds it
  EXPECT_EQ(child_mutex[0]["created_by"]["tid"], child);

  // The parent's registry still describes the parent's threads.
  json parent_snap = DumpJson(fx.pid());
  auto parent_cond = ThreadsNamed(parent_snap, "parent-cond");
  ASSERT_EQ(parent_cond.size(), 2u);
  for (const json& t : parent_cond) {
    EXPECT_EQ(t["wait"]["reason"], "cond wait");
    EXPECT_EQ(t["wait"]["blocked_source"], "agent");
    EXPECT_EQ(t["site"]["line"], MarkerLine("fork_no_exec.cc", "fork-parent-cond"));
    EXPECT_EQ(t["created_by"]["tid"], fx.pid());
  }
  EXPECT_TRUE(StoppedOrTracedThreads(child).empty());
  EXPECT_TRUE(StoppedOrTracedThreads(fx.pid()).empty());

  ASSERT_EQ(kill(child, SIGUSR1), 0);
  auto done = fx.ReadLine(30);
  ASSERT_TRUE(done.has_value()) << "no DONE line: parent or child stuck";
  EXPECT_EQ(*done, "DONE checks_ok=5 parked_child=0 churn=ok parent_cond=2");
  EXPECT_EQ(ExitCodeWithin(fx, 30), 0);
}

// ---------------------------------------------------------------------------
// dlclose

TEST(HostileAgent, DlcloseCyclesThenWaitsStillRecorded) {
  NEED_AGENT();
  Fixture fx("dlclose_cycles", {"--cycles", "5", "--rounds", "500"}, Launch::kPreload);
  ASSERT_TRUE(fx.WaitReady(30)) << fx.why();
  RunResult raw;
  json snap = DumpJson(fx.pid(), {}, &raw);
  ASSERT_EQ(raw.exit_code, 0) << raw.err;
  ExpectAgentThread(snap, "orphan", "cond wait", "dlclose_cycles.cc", "dl-orphan");
  ExpectAgentThread(snap, "after-mutex", "mutex lock", "dlclose_cycles.cc", "dl-after-mutex");
  ExpectAgentThread(snap, "after-cond", "cond wait", "dlclose_cycles.cc", "dl-after-cond");
  ExpectAgentThread(snap, "after-sleep", "sleep", "dlclose_cycles.cc", "dl-after-sleep");
  // The orphan was created from inside the library, unloaded since: its
  // innermost creation pc points where the library was. The agent keeps
  // raw pcs only, so the dump symbolizes that pc against whatever is mapped
  // there now (on this machine, often libgcc_s or nothing); the frames below
  // it, in the program, still name the line that called into the library.
  auto orphan = ThreadsNamed(snap, "orphan");
  ASSERT_EQ(orphan.size(), 1u);
  EXPECT_EQ(orphan[0]["created_by"]["tid"], fx.pid());
  bool creator_line_found = false;
  for (const json& frame : orphan[0]["created_by"]["frames"]) {
    EXPECT_NE(frame.value("module", ""), "libfixture_dlclose_lib.so") << frame;
    creator_line_found |= frame.value("file", "").find("dlclose_cycles.cc") != std::string::npos &&
                          frame["line"] == MarkerLine("dlclose_cycles.cc", "dl-orphan-create");
  }
  EXPECT_TRUE(creator_line_found) << orphan[0]["created_by"].dump();

  ASSERT_EQ(kill(fx.pid(), SIGUSR1), 0);
  auto done = fx.ReadLine(30);
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(*done, "DONE cycles_ok=5 woken=4");
  EXPECT_EQ(ExitCodeWithin(fx, 30), 0);
}

// ---------------------------------------------------------------------------
// all_waits: other builds, other preloaded libraries

// Every all_waits thread has the agent's reason and object kind, whatever
// the collector then makes of the frames around the hooks.
void ExpectAllWaitsReasons(const json& snap, const std::string& label) {
  for (const AllWaitsWant& want : AllWaitsWants()) {
    auto threads = ThreadsNamed(snap, want.name);
    ASSERT_EQ(threads.size(), 1u) << label << " " << want.name;
    EXPECT_EQ(threads[0]["wait"]["reason"], want.reason) << label << " " << want.name;
    EXPECT_EQ(threads[0]["wait"]["object_kind"], want.object_kind) << label << " " << want.name;
    EXPECT_EQ(threads[0]["wait"]["blocked_source"], "agent") << label << " " << want.name;
  }
}

// Starts `fixture` (all_waits or a build of it) preloaded with `env` and
// checks a plain dump for the agent's reasons, then a dump with
// `dump_flags` against the plain build's full expectations (sites,
// creators, blocked durations).
void ExpectAllWaitsVariant(const std::string& fixture, const std::vector<std::string>& env,
                           const std::string& label,
                           const std::vector<std::string>& dump_flags = {}) {
  Fixture fx(fixture, {}, Launch::kPreload, {}, env);
  ASSERT_TRUE(fx.WaitReady()) << label << ": " << fx.why();
  if (!dump_flags.empty()) ExpectAllWaitsReasons(DumpJson(fx.pid()), label + " (no flags)");
  const double dump_at = MonotonicSeconds();
  json snap = DumpJson(fx.pid(), dump_flags);
  // As agent_test.cc's WindowOf: parked at most ~50 ms before READY.
  const BlockedWindow window{dump_at - fx.ready_at() - 0.005,
                             MonotonicSeconds() - fx.ready_at() + 0.05};
  ExpectAllWaitsFromAgent(snap, fx.pid(), window, label);
  EXPECT_TRUE(StoppedOrTracedThreads(fx.pid()).empty()) << label;
}

// Every hooked call of the statically linked libstdc++ (std::future's futex
// wait through syscall(), std::thread's pthread_create and join,
// condition_variable_any) goes through the executable's own PLT, and so to
// the agent: every reason of the plain build is there, none is invisible.
// What differs is the collector's view of the frames: the copied libstdc++
// code sits in the executable's module and Debian's libstdc++.a has no
// DWARF (no file, line 0), so neither the runtime-module list nor the
// system-header rule of src/analyze/site.cc marks it as runtime. A plain
// dump then names std::__atomic_futex_unsigned_base::_M_futex_wait_until as
// the "future" site, std::thread::join as the "join" site and
// std::thread::_M_start_thread as every creator. --runtime-frames '^std::'
// is the user's answer, and with it the dump matches the plain build.
TEST(HostileAgent, AllWaitsBuiltWithStaticLibstdcxxSameReasons) {
  NEED_AGENT();
  ExpectAllWaitsVariant("all_waits_static_libstdcxx", {}, "static-libstdc++",
                        {"--runtime-frames", "^std::"});
}

// -fno-plt: calls load the target from the GOT, which the dynamic linker
// fills with the agent's definitions exactly as it binds PLT slots. Same
// dump as the plain build, no flags needed.
TEST(HostileAgent, AllWaitsBuiltWithNoPltSameReasons) {
  NEED_AGENT();
  ExpectAllWaitsVariant("all_waits_no_plt", {}, "-fno-plt");
}

// Whichever library is first, every wait passes through both, and the
// agent's record is the one the dump shows. The interposer's own frames
// (those that are not tail calls: pthread_mutex_lock and read) are code the
// collector does not know, so a plain dump names them as the site of the
// mutex, recursive and read threads; --runtime-frames with their names
// gives the program's lines back.
TEST(HostileAgent, AllWaitsWithCompetingInterposerBothOrders) {
  NEED_AGENT();
#ifndef PARKSCOPE_TEST_INTERPOSER_PATH
  GTEST_SKIP() << "libparkscope_test_interposer.so was not built (agent tests off)";
#else
  const std::string interposer = PARKSCOPE_TEST_INTERPOSER_PATH;
  const std::vector<std::string> flags = {
      "--runtime-frames",
      "^(pthread_mutex_lock|pthread_mutex_trylock|pthread_cond_wait|pthread_cond_timedwait|"
      "nanosleep|read|pthread_create)$"};
  ExpectAllWaitsVariant("all_waits", {"LD_PRELOAD=" + interposer + ":" + AgentPath()},
                        "interposer:agent", flags);
  ExpectAllWaitsVariant("all_waits", {"LD_PRELOAD=" + AgentPath() + ":" + interposer},
                        "agent:interposer", flags);
#endif
}

TEST(HostileAgent, AllWaitsWithJemallocAndTcmallocBothOrders) {
  NEED_AGENT();
  const std::vector<std::string> allocators = {
      "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2",
      "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4"};
  for (const std::string& allocator : allocators) {
    struct stat file;
    if (stat(allocator.c_str(), &file) != 0) {
      GTEST_SKIP() << allocator << " is missing: install libjemalloc2 and "
                   << "libtcmalloc-minimal4 (scripts/install-deps) to run this test";
    }
  }
  for (const std::string& allocator : allocators) {
    const std::string name = BaseName(allocator);
    ExpectAllWaitsVariant("all_waits", {"LD_PRELOAD=" + allocator + ":" + AgentPath()},
                          name + ":agent");
    ExpectAllWaitsVariant("all_waits", {"LD_PRELOAD=" + AgentPath() + ":" + allocator},
                          "agent:" + name);
  }
}

// ---------------------------------------------------------------------------
// 10,000 threads

// The agent's slot table holds PARKSCOPE_DEFAULT_SLOT_COUNT (16,384) slots
// unless PARKSCOPE_AGENT_SLOTS says otherwise, so 10,000 parked threads plus
// main, heartbeat and releaser all get one.
TEST(HostileAgent, TenThousandThreadsAllRecordedThenReleased) {
  NEED_AGENT();
  constexpr size_t kThreads = 10000;
  Fixture fx("many_threads",
             {"--threads", std::to_string(kThreads), "--depth", "2", "--release", "1"},
             Launch::kPreload);
  ASSERT_TRUE(fx.WaitReady(120)) << fx.why();
  json snap = DumpJson(fx.pid());
  EXPECT_TRUE(snap.value("agent_present", false));
  auto parked = ThreadsNamed(snap, "parked");
  EXPECT_EQ(parked.size(), kThreads);
  const int site = MarkerLine("many_threads.cc", "many-wait");
  size_t from_agent = 0;
  size_t at_site = 0;
  for (const json& t : parked) {
    from_agent += t["wait"]["reason"] == "cond wait" && t["wait"]["blocked_source"] == "agent";
    at_site += t["site"]["line"] == site;
  }
  EXPECT_EQ(from_agent, kThreads);
  EXPECT_EQ(at_site, kThreads);
  EXPECT_TRUE(StoppedOrTracedThreads(fx.pid()).empty());
  // One notify_all must end every wait: the releaser exits only when all
  // 10,000 threads have returned from it.
  ASSERT_EQ(kill(fx.pid(), SIGUSR2), 0);
  auto released = fx.ReadLine(60);
  ASSERT_TRUE(released.has_value()) << "not every thread woke (lost wakeup?)";
  EXPECT_EQ(*released, "RELEASED " + std::to_string(kThreads));
  EXPECT_EQ(ExitCodeWithin(fx, 30), 0);
}

// Beyond the table: a thread that finds no free slot gets none (the
// registry counts it in slots_exhausted, which the CLI does not print) and
// is reported from the kernel's view instead (blocked_source "sched", the
// reason inferred from its futex syscall, no creation record), still at its
// site; its wakeup is unaffected. With 100 slots, main, heartbeat and
// releaser take three before the parked threads start.
TEST(HostileAgent, ThreadsBeyondTheSlotTableFallBackToKernelState) {
  NEED_AGENT();
  constexpr size_t kThreads = 300;
  constexpr size_t kSlots = 100;
  Fixture fx("many_threads",
             {"--threads", std::to_string(kThreads), "--depth", "2", "--release", "1"},
             Launch::kPreload, {}, {"PARKSCOPE_AGENT_SLOTS=" + std::to_string(kSlots)});
  ASSERT_TRUE(fx.WaitReady(60)) << fx.why();
  json snap = DumpJson(fx.pid());
  auto parked = ThreadsNamed(snap, "parked");
  ASSERT_EQ(parked.size(), kThreads);
  const int site = MarkerLine("many_threads.cc", "many-wait");
  size_t from_agent = 0;
  size_t other = 0;
  for (const json& t : parked) {
    EXPECT_EQ(t["site"]["line"], site);
    if (t["wait"]["blocked_source"] == "agent") {
      ++from_agent;
      EXPECT_EQ(t["wait"]["reason"], "cond wait");
    } else {
      ++other;
      EXPECT_EQ(t["wait"]["reason"], "cond wait");
      EXPECT_FALSE(t["created_by"].is_object()) << "no slot, so no creation record";
    }
  }
  EXPECT_EQ(from_agent, kSlots - 3);
  EXPECT_EQ(other, kThreads - (kSlots - 3));
  ASSERT_EQ(kill(fx.pid(), SIGUSR2), 0);
  auto released = fx.ReadLine(30);
  ASSERT_TRUE(released.has_value());
  EXPECT_EQ(*released, "RELEASED " + std::to_string(kThreads));
  EXPECT_EQ(ExitCodeWithin(fx, 30), 0);
}

}  // namespace
}  // namespace parkscope::e2e
