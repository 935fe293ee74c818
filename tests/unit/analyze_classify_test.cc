#include "analyze/classify.h"

#include <gtest/gtest.h>
#include <sys/syscall.h>

#include <map>

namespace parkscope {
namespace {

Frame LibcFrame(const std::string& function) {
  Frame f;
  f.function = function;
  f.module = "libc.so.6";
  return f;
}

Frame UserFrame(const std::string& function) {
  Frame f;
  f.function = function;
  f.module = "app";
  return f;
}

WaitEvidence InSyscall(int nr, uint64_t a0 = 0, uint64_t a1 = 0) {
  WaitEvidence e;
  e.state = 'S';
  SyscallState sc;
  sc.kind = SyscallState::Kind::kInSyscall;
  sc.nr = nr;
  sc.args[0] = a0;
  sc.args[1] = a1;
  e.syscall = sc;
  e.blocked_ns = 5'000'000'000;
  return e;
}

std::string KindOf(long fd) { return fd == 3 ? "pipe" : "socket"; }

TEST(Classify, FutexReasonFromTheLibcFrames) {
  struct Case {
    std::vector<Frame> frames;
    WaitReason reason;
  };
  const std::vector<Case> cases = {
      {{LibcFrame("__futex_abstimed_wait_common"), LibcFrame("__lll_lock_wait"),
        LibcFrame("___pthread_mutex_lock"), UserFrame("f")},
       WaitReason::kMutexLock},
      {{LibcFrame("__futex_abstimed_wait_common"), LibcFrame("__pthread_cond_wait_common"),
        LibcFrame("pthread_cond_wait"), UserFrame("f")},
       WaitReason::kCondWait},
      {{LibcFrame("__futex_abstimed_wait_common"), LibcFrame("__new_sem_wait_slow64"),
        UserFrame("f")},
       WaitReason::kSemWait},
      {{LibcFrame("__futex_abstimed_wait_common"), LibcFrame("__pthread_clockjoin_ex"),
        UserFrame("f")},
       WaitReason::kJoin},
      {{LibcFrame("__pthread_rwlock_rdlock_full64"), UserFrame("f")}, WaitReason::kRwlockRead},
      {{LibcFrame("__pthread_rwlock_wrlock_full64"), UserFrame("f")}, WaitReason::kRwlockWrite},
      {{LibcFrame("pthread_barrier_wait"), UserFrame("f")}, WaitReason::kBarrier},
      // A raw futex from libstdc++ (std::future) has no pthread frame.
      {{LibcFrame("syscall"), UserFrame("std::__atomic_futex_unsigned_base::_M_futex_wait_until")},
       WaitReason::kFutexWait},
      // A user function named like a libc one is not libc.
      {{LibcFrame("syscall"), UserFrame("pthread_mutex_lock_wrapper")}, WaitReason::kFutexWait},
      // The mutex re-acquire inside a condvar wait is a mutex wait.
      {{LibcFrame("__lll_lock_wait"), LibcFrame("__pthread_mutex_cond_lock"),
        LibcFrame("__pthread_cond_wait_common"), UserFrame("f")},
       WaitReason::kMutexLock},
  };
  for (const auto& c : cases) {
    WaitState w = ClassifyWait(InSyscall(SYS_futex, 0x1000, 0x80), c.frames, nullptr);
    EXPECT_EQ(w.reason, c.reason) << c.frames.front().function << " / " << c.frames[1].function;
    EXPECT_EQ(*w.object, 0x1000u);
    EXPECT_EQ(w.object_kind, "futex");
    EXPECT_EQ(w.blocked_source, BlockedSource::kSched);
  }
}

TEST(Classify, PriorityInheritanceFutexIsAMutex) {
  WaitState w = ClassifyWait(InSyscall(SYS_futex, 0x2000, 6 | 128), {}, nullptr);
  EXPECT_EQ(w.reason, WaitReason::kMutexLock);
}

TEST(Classify, SyscallTable) {
  const std::map<int, WaitReason> table = {
      {SYS_read, WaitReason::kIoWait},         {SYS_recvfrom, WaitReason::kIoWait},
      {SYS_accept4, WaitReason::kIoWait},      {SYS_epoll_wait, WaitReason::kEpollWait},
      {SYS_epoll_pwait, WaitReason::kEpollWait}, {SYS_poll, WaitReason::kPoll},
      {SYS_pselect6, WaitReason::kPoll},       {SYS_nanosleep, WaitReason::kSleep},
      {SYS_clock_nanosleep, WaitReason::kSleep}, {SYS_pause, WaitReason::kSignalWait},
      {SYS_rt_sigtimedwait, WaitReason::kSignalWait}, {SYS_wait4, WaitReason::kWaitpid},
      {SYS_mq_timedreceive, WaitReason::kQueueRecv}, {SYS_mq_timedsend, WaitReason::kQueueSend},
      {SYS_semtimedop, WaitReason::kSemWait},  {SYS_getpid, WaitReason::kOtherSyscall},
  };
  for (const auto& [nr, reason] : table) {
    WaitState w = ClassifyWait(InSyscall(nr, 3), {}, KindOf);
    EXPECT_EQ(w.reason, reason) << "syscall " << nr;
    EXPECT_EQ(w.syscall_nr, nr);
  }
  WaitState io = ClassifyWait(InSyscall(SYS_read, 3), {}, KindOf);
  EXPECT_EQ(io.fd_kind, "pipe");
  EXPECT_EQ(*io.object, 3u);
  EXPECT_EQ(io.object_kind, "fd");
  EXPECT_EQ(ClassifyWait(InSyscall(SYS_getpid), {}, KindOf).Label(), "other syscall 39");
}

TEST(Classify, RestartedCallsReadTheirLibcFrame) {
  EXPECT_EQ(ClassifyWait(InSyscall(SYS_restart_syscall),
                         {LibcFrame("clock_nanosleep"), LibcFrame("__nanosleep"), UserFrame("f")},
                         nullptr)
                .reason,
            WaitReason::kSleep);
  EXPECT_EQ(ClassifyWait(InSyscall(SYS_restart_syscall),
                         {LibcFrame("__futex_abstimed_wait_common"),
                          LibcFrame("__pthread_cond_wait_common"), UserFrame("f")},
                         nullptr)
                .reason,
            WaitReason::kCondWait);
  EXPECT_EQ(ClassifyWait(InSyscall(SYS_restart_syscall), {LibcFrame("__poll"), UserFrame("f")},
                         nullptr)
                .reason,
            WaitReason::kPoll);
  EXPECT_EQ(ClassifyWait(InSyscall(SYS_restart_syscall), {UserFrame("f")}, nullptr).reason,
            WaitReason::kOtherSyscall);
}

TEST(Classify, StatesOtherThanSleep) {
  WaitEvidence e;
  e.state = 'R';
  EXPECT_EQ(ClassifyWait(e, {}, nullptr).reason, WaitReason::kRunning);
  e.state = 't';
  EXPECT_EQ(ClassifyWait(e, {}, nullptr).reason, WaitReason::kStopped);
  e.state = 'Z';
  e.blocked_ns = 5;
  WaitState zombie = ClassifyWait(e, {}, nullptr);
  EXPECT_EQ(zombie.reason, WaitReason::kZombie);
  EXPECT_FALSE(zombie.blocked_ns.has_value());
  e.state = 'S';  // no syscall line readable
  EXPECT_EQ(ClassifyWait(e, {}, nullptr).reason, WaitReason::kUnknown);
}

// A fake target memory: address -> 32-bit word.
ReadWord Memory(std::map<uint64_t, uint32_t> words) {
  return [words](uint64_t addr) -> std::optional<uint32_t> {
    auto it = words.find(addr);
    if (it == words.end()) return std::nullopt;
    return it->second;
  };
}

TEST(ResolveOwner, MutexOwnerFromTheOwnerField) {
  WaitState w;
  w.reason = WaitReason::kMutexLock;
  w.object = 0x1000;
  w.object_kind = "futex";
  ResolveOwner(10, {10, 11, 12}, Memory({{0x1000, 2}, {0x1008, 11}}), &w);
  EXPECT_EQ(w.owner_tid, 11);
}

TEST(ResolveOwner, RejectsStaleDeadOrSelfOwners) {
  auto resolve = [](std::map<uint64_t, uint32_t> words) {
    WaitState w;
    w.reason = WaitReason::kMutexLock;
    w.object = 0x1000;
    w.object_kind = "futex";
    ResolveOwner(10, {10, 11}, Memory(std::move(words)), &w);
    return w.owner_tid;
  };
  EXPECT_FALSE(resolve({{0x1000, 0}, {0x1008, 11}}));   // lock free: stale owner
  EXPECT_FALSE(resolve({{0x1000, 2}, {0x1008, 99}}));   // not a thread of ours
  EXPECT_FALSE(resolve({{0x1000, 2}, {0x1008, 10}}));   // itself
  EXPECT_FALSE(resolve({}));                            // unreadable
  EXPECT_FALSE(resolve({{0x1000, 2}, {0x1008, 0xffffffff}}));
}

TEST(ResolveOwner, JoinReadsTheJoineeTid) {
  WaitState w;
  w.reason = WaitReason::kJoin;
  w.object = 0x5000;
  w.object_kind = "futex";
  ResolveOwner(10, {10, 42}, Memory({{0x5000, 42}}), &w);
  EXPECT_EQ(w.owner_tid, 42);
}

TEST(ResolveOwner, OwnerWordsAreTheTargetsTidsInAContainer) {
  // Host tids 5000 (waiter) and 5001; the container calls them 1 and 2.
  // The owner field says 2: that is host 5001, and never host 2.
  TargetTids tids;
  tids.SetForeign();
  tids.Add(5000, 1);
  tids.Add(5001, 2);
  WaitState w;
  w.reason = WaitReason::kMutexLock;
  w.object = 0x1000;
  w.object_kind = "futex";
  ResolveOwner(5000, {2, 5000, 5001}, Memory({{0x1000, 2}, {0x1008, 2}}), &w, tids);
  EXPECT_EQ(w.owner_tid, 5001);
  // Its own number in the container is still the waiter itself (the
  // lock word 1, read as a PI owner, is the waiter too).
  w.owner_tid.reset();
  ResolveOwner(5000, {2, 5000, 5001}, Memory({{0x1000, 1}, {0x1008, 1}}), &w, tids);
  EXPECT_FALSE(w.owner_tid);
  // A number the container has no thread for names no one.
  ResolveOwner(5000, {2, 5000, 5001}, Memory({{0x1000, 1}, {0x1008, 3}}), &w, tids);
  EXPECT_FALSE(w.owner_tid);
}

TEST(ResolveOwner, CondWaitsHaveNoOwner) {
  WaitState w;
  w.reason = WaitReason::kCondWait;
  w.object = 0x1000;
  w.object_kind = "futex";
  ResolveOwner(10, {10, 11}, Memory({{0x1000, 11}, {0x1008, 11}}), &w);
  EXPECT_FALSE(w.owner_tid);
}

}  // namespace
}  // namespace parkscope
