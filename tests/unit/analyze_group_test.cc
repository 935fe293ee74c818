#include <gtest/gtest.h>

#include "../golden/synthetic_snapshots.h"
#include "analyze/analyze.h"
#include "analyze/deadlock.h"
#include "analyze/group.h"

namespace parkscope {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

// A thread whose one user frame is file:line; blocked_s < 0: unknown.
ThreadSnapshot At(Tid tid, WaitReason reason, const char* file, int line,
                  double blocked_s = -1) {
  ThreadSnapshot t;
  t.tid = tid;
  t.wait.reason = reason;
  if (blocked_s >= 0)
    t.wait.blocked_ns = static_cast<int64_t>(blocked_s * kSecond);
  Frame f;
  f.function = std::string("fn_") + file;
  f.file = file;
  f.line = line;
  f.module = "/opt/app";
  t.frames = {f};
  t.site_frame = 0;
  return t;
}

std::vector<std::vector<Tid>> GroupTids(const ProcessSnapshot& s) {
  std::vector<std::vector<Tid>> out;
  for (const StackGroup& g : s.groups) out.push_back(g.tids);
  return out;
}

using Expected = std::vector<std::vector<Tid>>;

TEST(GroupAndSort, GroupsByLabelAndSite) {
  ProcessSnapshot s;
  s.threads = {At(3, WaitReason::kCondWait, "a.cc", 1, 5),
               At(1, WaitReason::kCondWait, "a.cc", 1, 7),
               At(2, WaitReason::kCondWait, "a.cc", 2, 6),
               At(4, WaitReason::kMutexLock, "a.cc", 1, 6)};
  ThreadSnapshot annotated = At(5, WaitReason::kCondWait, "a.cc", 1, 1);
  annotated.wait.annotation = "chan send";
  s.threads.push_back(annotated);
  GroupAndSort(s);
  // {4} and {2} tie on duration and count; a.cc:1 sorts before a.cc:2.
  EXPECT_EQ(GroupTids(s), (Expected{{1, 3}, {4}, {2}, {5}}));
  const StackGroup& g = s.groups[0];
  EXPECT_EQ(g.reason, "cond wait");
  EXPECT_EQ(g.site, (WaitSite{"fn_a.cc", "a.cc", 1}));
  EXPECT_EQ(*g.max_blocked_ns, 7 * kSecond);
  EXPECT_EQ(*g.min_blocked_ns, 5 * kSecond);
  EXPECT_EQ(s.threads[g.representative].tid, 1);
  EXPECT_EQ(s.groups[3].reason, "chan send");
  EXPECT_EQ(s.groups[1].reason, "mutex lock");
  // Threads come out sorted by tid.
  for (size_t i = 0; i < s.threads.size(); ++i) {
    EXPECT_EQ(s.threads[i].tid, static_cast<Tid>(i + 1));
  }
}

TEST(GroupAndSort, RepresentativeIsLongestBlockedLowestTidOnTies) {
  ProcessSnapshot s;
  s.threads = {At(9, WaitReason::kSleep, "s.cc", 1, 4),
               At(7, WaitReason::kSleep, "s.cc", 1, 4),
               At(8, WaitReason::kSleep, "s.cc", 1),
               At(5, WaitReason::kSleep, "s.cc", 1, 2)};
  GroupAndSort(s);
  ASSERT_EQ(s.groups.size(), 1u);
  EXPECT_EQ(s.threads[s.groups[0].representative].tid, 7);
  EXPECT_EQ(s.groups[0].tids, (std::vector<Tid>{5, 7, 8, 9}));
  EXPECT_EQ(*s.groups[0].min_blocked_ns, 2 * kSecond);

  ProcessSnapshot unknown;
  unknown.threads = {At(9, WaitReason::kSleep, "s.cc", 1),
                     At(3, WaitReason::kSleep, "s.cc", 1)};
  GroupAndSort(unknown);
  EXPECT_FALSE(unknown.groups[0].max_blocked_ns.has_value());
  EXPECT_FALSE(unknown.groups[0].min_blocked_ns.has_value());
  EXPECT_EQ(unknown.threads[unknown.groups[0].representative].tid, 3);
}

TEST(GroupAndSort, Order) {
  ProcessSnapshot s;
  s.threads = {
      At(1, WaitReason::kRunning, "run.cc", 1),
      At(2, WaitReason::kSleep, "z.cc", 1),      // unknown duration
      At(3, WaitReason::kSleep, "b.cc", 1, 10),  // 10 s, 1 thread
      At(4, WaitReason::kSleep, "c.cc", 1, 10),  // 10 s, 2 threads
      At(5, WaitReason::kSleep, "c.cc", 1, 3),
      At(6, WaitReason::kSleep, "a.cc", 2, 10),     // 10 s, 1 thread, a.cc:2
      At(7, WaitReason::kSleep, "a.cc", 1, 10),     // 10 s, 1 thread, a.cc:1
      At(8, WaitReason::kMutexLock, "d.cc", 1, 1),  // deadlocked, short
      At(9, WaitReason::kMutexLock, "d.cc", 2, 1),
      At(10, WaitReason::kSleep, "x.cc", 1, 99),  // longest
      At(11, WaitReason::kZombie, "a.cc", 1),
  };
  s.threads[7].wait.owner_tid = 9;
  s.threads[8].wait.owner_tid = 8;
  s.deadlocks = FindDeadlocks(s);
  GroupAndSort(s);
  EXPECT_EQ(GroupTids(s), (Expected{{8},
                                    {9},
                                    {10},
                                    {4, 5},
                                    {7},
                                    {6},
                                    {3},
                                    {2},
                                    {11},
                                    {1}}));  // a.cc before run.cc
  EXPECT_TRUE(s.groups[0].in_deadlock);
  EXPECT_TRUE(s.groups[1].in_deadlock);
  EXPECT_FALSE(s.groups[2].in_deadlock);
}

TEST(GroupAndSort, StrippedSitesSplitByModuleOffset) {
  ProcessSnapshot s;
  for (Tid tid : {1, 2, 3}) {
    ThreadSnapshot t;
    t.tid = tid;
    t.wait.reason = WaitReason::kPoll;
    Frame f;
    f.module = "/opt/vendor/libx.so";
    f.module_offset = tid == 3 ? 0x200 : 0x100;
    f.pc = 0x7f0000000000 + f.module_offset;
    t.frames = {f};
    t.site_frame = 0;
    s.threads.push_back(t);
  }
  GroupAndSort(s);
  EXPECT_EQ(GroupTids(s), (Expected{{1, 2}, {3}}));
}

TEST(GroupAndSort, EmptySnapshot) {
  ProcessSnapshot s;
  GroupAndSort(s);
  EXPECT_TRUE(s.groups.empty());
}

TEST(Analyze, FanoutGroupsAndIsRepeatable) {
  ProcessSnapshot s = testing::FanoutSnapshot();
  Analyze(s, testing::FanoutFilter());
  ASSERT_EQ(s.groups.size(), 6u);
  EXPECT_EQ(s.groups[0].tids, (std::vector<Tid>{1234}));
  const StackGroup& workers = s.groups[1];
  EXPECT_EQ(workers.reason, "chan send");
  EXPECT_EQ(workers.site,
            (WaitSite{"worker(Channel&)", "/src/fanout/fetch.cc", 88}));
  EXPECT_EQ(workers.tids.size(), 80u);
  EXPECT_EQ(s.threads[workers.representative].tid, 1240);
  EXPECT_EQ(s.groups.back().reason, "running");
  // created_by frames are marked too: the agent's and libstdc++'s frames
  // are runtime, gather() is not.
  const ThreadSnapshot* w = s.FindThread(1241);
  ASSERT_TRUE(w->created_by.has_value());
  EXPECT_TRUE(w->created_by->frames[0].is_runtime);
  EXPECT_TRUE(w->created_by->frames[2].is_runtime);
  EXPECT_FALSE(w->created_by->frames[3].is_runtime);

  ProcessSnapshot again = s;
  Analyze(again, testing::FanoutFilter());
  EXPECT_EQ(GroupTids(again), GroupTids(s));
  EXPECT_EQ(again.deadlocks.size(), s.deadlocks.size());
}

TEST(Analyze, DeadlockSnapshot) {
  ProcessSnapshot s = testing::DeadlockSnapshot();
  Analyze(s, RuntimeFrameFilter());
  ASSERT_EQ(s.deadlocks.size(), 1u);
  EXPECT_EQ(s.deadlocks[0].tids, (std::vector<Tid>{4001, 4002}));
  EXPECT_EQ(GroupTids(s),
            (Expected{{4001}, {4002}, {4000}, {4003}, {4005, 4006}}));
}

}  // namespace
}  // namespace parkscope
