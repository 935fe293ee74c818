#include <gtest/gtest.h>

#include "analyze/deadlock.h"

namespace parkscope {
namespace {

// Adds a thread waiting for owner (0: no owner) with the given reason.
void Add(ProcessSnapshot& s, Tid tid, Tid owner,
         WaitReason reason = WaitReason::kMutexLock) {
  ThreadSnapshot t;
  t.tid = tid;
  t.wait.reason = reason;
  if (owner != 0) t.wait.owner_tid = owner;
  s.threads.push_back(t);
}

std::vector<std::vector<Tid>> Cycles(const ProcessSnapshot& s) {
  std::vector<std::vector<Tid>> cycles;
  for (const Deadlock& d : FindDeadlocks(s)) cycles.push_back(d.tids);
  return cycles;
}

using Expected = std::vector<std::vector<Tid>>;

TEST(FindDeadlocks, TwoThreadCycle) {
  ProcessSnapshot s;
  Add(s, 4002, 4001);
  Add(s, 4001, 4002);
  Add(s, 4000, 4001, WaitReason::kJoin);  // waits into the cycle, not in it
  EXPECT_EQ(Cycles(s), (Expected{{4001, 4002}}));
}

TEST(FindDeadlocks, ThreeThreadCycleStartsAtSmallestTid) {
  ProcessSnapshot s;
  Add(s, 30, 10, WaitReason::kRwlockWrite);
  Add(s, 20, 30, WaitReason::kRwlockRead);
  Add(s, 10, 20, WaitReason::kJoin);
  EXPECT_EQ(Cycles(s), (Expected{{10, 20, 30}}));
}

TEST(FindDeadlocks, EveryStartingPointReportsTheCycleOnce) {
  ProcessSnapshot s;
  // Chains from 1 and 2 lead into the cycle 5 -> 6 -> 7 -> 5.
  Add(s, 1, 2);
  Add(s, 2, 5);
  Add(s, 7, 5);
  Add(s, 6, 7);
  Add(s, 5, 6);
  Add(s, 3, 6);
  EXPECT_EQ(Cycles(s), (Expected{{5, 6, 7}}));
}

TEST(FindDeadlocks, SeveralCyclesSortedByFirstTid) {
  ProcessSnapshot s;
  Add(s, 50, 51);
  Add(s, 51, 50);
  Add(s, 12, 11);
  Add(s, 11, 12);
  EXPECT_EQ(Cycles(s), (Expected{{11, 12}, {50, 51}}));
}

TEST(FindDeadlocks, ChainsWithoutCycle) {
  ProcessSnapshot s;
  Add(s, 1, 2);
  Add(s, 2, 3);
  Add(s, 3, 0);  // parked, owner unknown
  Add(s, 4, 3);
  EXPECT_TRUE(Cycles(s).empty());
}

TEST(FindDeadlocks, SelfEdgeIsIgnored) {
  ProcessSnapshot s;
  Add(s, 1, 1);
  Add(s, 2, 1);
  EXPECT_TRUE(Cycles(s).empty());
}

TEST(FindDeadlocks, OwnerOutsideTheSnapshotIsNoEdge) {
  ProcessSnapshot s;
  Add(s, 1, 99);  // 99: exited, or a misread owner word
  Add(s, 99 + 1, 1);
  EXPECT_TRUE(Cycles(s).empty());
}

TEST(FindDeadlocks, OnlyLockAndJoinWaitsAreEdges) {
  for (WaitReason reason :
       {WaitReason::kCondWait, WaitReason::kFutexWait, WaitReason::kSemWait,
        WaitReason::kRunning, WaitReason::kUnknown}) {
    ProcessSnapshot s;
    Add(s, 1, 2, reason);
    Add(s, 2, 1);
    EXPECT_TRUE(Cycles(s).empty()) << WaitReasonName(reason);
  }
}

TEST(FindDeadlocks, DuplicateTidsStayBounded) {
  ProcessSnapshot s;
  Add(s, 1, 2);
  Add(s, 1, 3);  // a hostile snapshot: the first record wins
  Add(s, 2, 1);
  Add(s, 3, 1);
  EXPECT_EQ(Cycles(s), (Expected{{1, 2}}));
}

TEST(FindDeadlocks, TenThousandThreadChainIsLinear) {
  constexpr Tid kThreads = 10'000;
  ProcessSnapshot chain;
  for (Tid tid = 1; tid <= kThreads; ++tid) {
    Add(chain, tid, tid == kThreads ? 0 : tid + 1);
  }
  EXPECT_TRUE(Cycles(chain).empty());

  // The same chain closed into one cycle, listed in reverse order.
  ProcessSnapshot ring;
  for (Tid tid = kThreads; tid >= 1; --tid) {
    Add(ring, tid, tid == kThreads ? 1 : tid + 1);
  }
  auto cycles = Cycles(ring);
  ASSERT_EQ(cycles.size(), 1u);
  ASSERT_EQ(cycles[0].size(), static_cast<size_t>(kThreads));
  EXPECT_EQ(cycles[0].front(), 1);
  EXPECT_EQ(cycles[0][1], 2);
  EXPECT_EQ(cycles[0].back(), kThreads);

  // A long tail into a two-thread cycle at its end.
  ProcessSnapshot tail;
  for (Tid tid = 1; tid <= kThreads; ++tid) {
    Add(tail, tid, tid == kThreads ? kThreads - 1 : tid + 1);
  }
  EXPECT_EQ(Cycles(tail), (Expected{{kThreads - 1, kThreads}}));
}

TEST(FindDeadlocks, EmptySnapshot) {
  EXPECT_TRUE(Cycles(ProcessSnapshot{}).empty());
}

}  // namespace
}  // namespace parkscope
