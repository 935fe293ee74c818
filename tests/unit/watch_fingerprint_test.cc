// The evidence incremental sampling rests on: schedstat parsing against
// hostile text, the after-capture check with the shapes measured on this
// kernel (a stop adds 2 to the run count; a timed wait resumes as
// restart_syscall with its registers kept), and the blocked duration a
// reused or observed thread reports.
#include <gtest/gtest.h>
#include <sys/syscall.h>

#include "watch/sampler.h"
#include "watch/task_fingerprint.h"

namespace parkscope {
namespace {

TEST(ParseSchedstat, ReadsRuntimeAndTimeslices) {
  auto parsed = ParseSchedstat("2064577 135109 5\n");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->first, 2064577u);
  EXPECT_EQ(parsed->second, 5u);
  EXPECT_TRUE(ParseSchedstat("0 0 0"));
}

TEST(ParseSchedstat, RejectsAnythingTheKernelWouldNotPrint) {
  for (const char* bad : {"", "\n", "1 2", "1 2 3 4", "1  2 3", "a 2 3", "1 2 -3", "1 2 3x",
                          "99999999999999999999 1 1", " 1 2 3", "1 2 3\n\n"}) {
    EXPECT_FALSE(ParseSchedstat(bad)) << "'" << bad << "'";
  }
}

SyscallState InFutex() {
  SyscallState s;
  s.kind = SyscallState::Kind::kInSyscall;
  s.nr = 202;
  s.args = {0x55e2cefd8f14, 0x189, 0, 0, 0, 0xffffffff};
  s.sp = 0x7ff05c81cd30;
  s.pc = 0x7ff05c8a3f16;
  return s;
}

TaskFingerprint Fp(uint64_t runs) {
  TaskFingerprint fp;
  fp.name = "worker";
  fp.run_count = runs;
  fp.runtime_ns = 50421 + runs;
  return fp;
}

TEST(SameWaitAfterCapture, AcceptsTheSameCallAfterOneStop) {
  EXPECT_TRUE(SameWaitAfterCapture(Fp(2), InFutex(), Fp(4), 'S', InFutex(), true));
  EXPECT_TRUE(SameWaitAfterCapture(Fp(2), InFutex(), Fp(3), 'S', InFutex(), true));
}

TEST(SameWaitAfterCapture, AcceptsATimedWaitResumedAsRestartSyscall) {
  SyscallState after = InFutex();
  after.nr = SYS_restart_syscall;
  EXPECT_TRUE(SameWaitAfterCapture(Fp(5), InFutex(), Fp(7), 'S', after, true));
}

TEST(SameWaitAfterCapture, RejectsAThreadThatRanMoreThanTheStopExplains) {
  EXPECT_FALSE(SameWaitAfterCapture(Fp(2), InFutex(), Fp(5), 'S', InFutex(), true));
  // Not stopped (unwound from /proc alone): any run at all is too many.
  EXPECT_FALSE(SameWaitAfterCapture(Fp(2), InFutex(), Fp(3), 'S', InFutex(), false));
  EXPECT_TRUE(SameWaitAfterCapture(Fp(2), InFutex(), Fp(2), 'S', InFutex(), false));
}

TEST(SameWaitAfterCapture, RejectsAnotherWaitOrAThreadNotAsleep) {
  SyscallState moved = InFutex();
  moved.sp += 16;
  EXPECT_FALSE(SameWaitAfterCapture(Fp(2), InFutex(), Fp(4), 'S', moved, true));
  SyscallState other_futex = InFutex();
  other_futex.args[0] += 4;
  EXPECT_FALSE(SameWaitAfterCapture(Fp(2), InFutex(), Fp(4), 'S', other_futex, true));
  SyscallState other_call = InFutex();
  other_call.nr = 230;
  EXPECT_FALSE(SameWaitAfterCapture(Fp(2), InFutex(), Fp(4), 'S', other_call, true));
  SyscallState running;
  EXPECT_FALSE(SameWaitAfterCapture(Fp(2), InFutex(), Fp(4), 'S', running, true));
  EXPECT_FALSE(SameWaitAfterCapture(Fp(2), running, Fp(4), 'S', InFutex(), true));
  EXPECT_FALSE(SameWaitAfterCapture(Fp(2), InFutex(), Fp(4), 'R', InFutex(), true));
  TaskFingerprint renamed = Fp(4);
  renamed.name = "other";
  EXPECT_FALSE(SameWaitAfterCapture(Fp(2), InFutex(), renamed, 'S', InFutex(), true));
  // A count that went backwards is a different thread under the same tid.
  EXPECT_FALSE(SameWaitAfterCapture(Fp(9), InFutex(), Fp(4), 'S', InFutex(), true));
}

TEST(BlockedDuration, ReusedThreadsKeepCountingFromTheirRead) {
  WaitState wait;
  wait.reason = WaitReason::kCondWait;
  wait.blocked_ns = 5'000;
  wait.blocked_source = BlockedSource::kSched;
  auto fresh = BlockedDuration(wait, /*reused=*/false, 100, std::nullopt, 900);
  EXPECT_EQ(fresh.ns, 5'000);
  auto reused = BlockedDuration(wait, /*reused=*/true, 100, std::nullopt, 900);
  EXPECT_EQ(reused.ns, 5'800);
  EXPECT_EQ(reused.source, BlockedSource::kSched);
}

TEST(BlockedDuration, ObservedWhenNothingElseKnowsAndOnlyForParkedThreads) {
  WaitState wait;
  wait.reason = WaitReason::kFutexWait;
  auto observed = BlockedDuration(wait, true, 0, 1'000, 61'000);
  EXPECT_EQ(observed.ns, 60'000);
  EXPECT_EQ(observed.source, BlockedSource::kObserved);
  EXPECT_FALSE(BlockedDuration(wait, true, 0, std::nullopt, 61'000).ns);
  wait.reason = WaitReason::kRunning;
  EXPECT_FALSE(BlockedDuration(wait, true, 0, 1'000, 61'000).ns);
}

}  // namespace
}  // namespace parkscope
