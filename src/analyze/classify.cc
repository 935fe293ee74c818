#include "analyze/classify.h"

#include <sys/syscall.h>

#include <array>
#include <string_view>

namespace parkscope {
namespace {

// glibc 2.36 layouts (nptl/pthread_mutex_t, pthread_rwlock_t on x86_64):
// a mutex's futex word is its first field and __owner sits 8 bytes in; an
// rwlock's writer waits on __writers_futex (+12) or __wrphase_futex (+8)
// and __cur_writer sits at +24. A joiner sleeps on the joinee's tid word.
constexpr uint64_t kMutexOwnerOffset = 8;
constexpr uint64_t kRwlockWriterOffset = 24;
constexpr uint64_t kRwlockWritersFutexToWriter = 12;   // 24 - 12
constexpr uint64_t kRwlockWrphaseFutexToWriter = 16;   // 24 - 8
constexpr uint32_t kFutexTidMask = 0x3fffffff;
constexpr int kFutexCmdMask = 0x7f;  // without PRIVATE (128) and CLOCK_REALTIME (256)
constexpr int kFutexLockPi = 6;
constexpr int kFutexLockPi2 = 13;

struct FramePattern {
  std::string_view prefix;  // of the function name with leading '_' removed
  WaitReason reason;
};

// Innermost match wins, so the mutex re-acquire inside a condvar wait
// (__pthread_mutex_cond_lock) reads as the mutex wait it really is.
constexpr std::array<FramePattern, 14> kPatterns = {{
    {"lll_lock_wait", WaitReason::kMutexLock},
    {"pthread_mutex_", WaitReason::kMutexLock},
    {"pthread_rwlock_rdlock", WaitReason::kRwlockRead},
    {"pthread_rwlock_timedrdlock", WaitReason::kRwlockRead},
    {"pthread_rwlock_clockrdlock", WaitReason::kRwlockRead},
    {"pthread_rwlock_", WaitReason::kRwlockWrite},
    {"pthread_cond_", WaitReason::kCondWait},
    {"new_sem_wait", WaitReason::kSemWait},
    {"sem_", WaitReason::kSemWait},
    {"pthread_clockjoin", WaitReason::kJoin},
    {"pthread_timedjoin", WaitReason::kJoin},
    {"pthread_join", WaitReason::kJoin},
    {"pthread_barrier_wait", WaitReason::kBarrier},
    {"pthread_once", WaitReason::kFutexWait},
}};

bool FromLibc(const Frame& frame) {
  std::string_view m = frame.module;
  return m.starts_with("libc.so") || m.starts_with("libc-") ||
         m.starts_with("libpthread");
}

WaitReason ReasonFromFrames(const std::vector<Frame>& frames) {
  for (const Frame& frame : frames) {
    if (!FromLibc(frame)) {
      if (!frame.module.empty()) break;  // reached the caller's code
      continue;
    }
    std::string_view name = frame.function;
    while (name.starts_with('_')) name.remove_prefix(1);
    for (const auto& pattern : kPatterns) {
      if (name.starts_with(pattern.prefix)) return pattern.reason;
    }
  }
  return WaitReason::kFutexWait;
}

// After any ptrace stop (ours, gdb's) or signal, the kernel resumes a timed
// sleep, futex or poll as restart_syscall, whose arguments say nothing of the
// original call. The libc frame on top of the stack still names it.
WaitReason ReasonFromRestartedCall(const std::vector<Frame>& frames) {
  for (const Frame& frame : frames) {
    if (!FromLibc(frame)) {
      if (!frame.module.empty()) break;
      continue;
    }
    std::string_view name = frame.function;
    while (name.starts_with('_')) name.remove_prefix(1);
    if (name.find("nanosleep") != std::string_view::npos ||
        name.starts_with("sleep") || name.starts_with("usleep")) {
      return WaitReason::kSleep;
    }
    if (name.starts_with("epoll")) return WaitReason::kEpollWait;
    if (name.starts_with("poll") || name.starts_with("ppoll") ||
        name.starts_with("select") || name.starts_with("pselect")) {
      return WaitReason::kPoll;
    }
    if (name.find("futex") != std::string_view::npos) return ReasonFromFrames(frames);
    for (const auto& pattern : kPatterns) {
      if (name.starts_with(pattern.prefix)) return pattern.reason;
    }
  }
  return WaitReason::kOtherSyscall;
}

void SetFd(long fd, const FdKindOf& fd_kind, WaitState* wait) {
  wait->object = static_cast<uint64_t>(fd);
  wait->object_kind = "fd";
  if (fd_kind) wait->fd_kind = fd_kind(fd);
}

void ClassifySyscall(const SyscallState& sc, const std::vector<Frame>& frames,
                     const FdKindOf& fd_kind, WaitState* wait) {
  wait->syscall_nr = sc.nr;
  const uint64_t a0 = sc.args[0];
  switch (sc.nr) {
    case SYS_futex:
    case SYS_futex_waitv:
      wait->reason = ReasonFromFrames(frames);
      wait->object = a0;
      wait->object_kind = "futex";
      return;
    case SYS_read: case SYS_readv: case SYS_pread64: case SYS_preadv:
    case SYS_write: case SYS_writev: case SYS_pwrite64:
    case SYS_recvfrom: case SYS_recvmsg: case SYS_recvmmsg:
    case SYS_sendto: case SYS_sendmsg: case SYS_sendmmsg:
    case SYS_accept: case SYS_accept4: case SYS_connect:
    case SYS_flock:
      wait->reason = WaitReason::kIoWait;
      SetFd(static_cast<long>(a0), fd_kind, wait);
      return;
    case SYS_epoll_wait: case SYS_epoll_pwait: case SYS_epoll_pwait2:
      wait->reason = WaitReason::kEpollWait;
      SetFd(static_cast<long>(a0), fd_kind, wait);
      return;
    case SYS_poll: case SYS_ppoll: case SYS_select: case SYS_pselect6:
      wait->reason = WaitReason::kPoll;
      return;
    case SYS_nanosleep: case SYS_clock_nanosleep:
      wait->reason = WaitReason::kSleep;
      return;
    case SYS_pause: case SYS_rt_sigsuspend: case SYS_rt_sigtimedwait:
      wait->reason = WaitReason::kSignalWait;
      return;
    case SYS_wait4: case SYS_waitid:
      wait->reason = WaitReason::kWaitpid;
      wait->object = a0;
      wait->object_kind = "pid";
      return;
    case SYS_mq_timedreceive: case SYS_msgrcv:
      wait->reason = WaitReason::kQueueRecv;
      wait->object = a0;
      wait->object_kind = sc.nr == SYS_msgrcv ? "msqid" : "mqd";
      return;
    case SYS_mq_timedsend: case SYS_msgsnd:
      wait->reason = WaitReason::kQueueSend;
      wait->object = a0;
      wait->object_kind = sc.nr == SYS_msgsnd ? "msqid" : "mqd";
      return;
    case SYS_semop: case SYS_semtimedop:
      wait->reason = WaitReason::kSemWait;
      wait->object = a0;
      wait->object_kind = "semid";
      return;
    case SYS_restart_syscall:
      wait->reason = ReasonFromRestartedCall(frames);
      return;
    default:
      wait->reason = WaitReason::kOtherSyscall;
      return;
  }
}

std::optional<Tid> LiveOther(std::optional<uint32_t> word, Tid waiter,
                             const std::set<Tid>& live, const TargetTids& target_tids) {
  if (!word) return std::nullopt;
  Tid target_tid = static_cast<Tid>(*word & kFutexTidMask);
  if (target_tid <= 0) return std::nullopt;
  std::optional<Tid> tid = target_tids.OnHost(target_tid);
  if (!tid || *tid == waiter || live.count(*tid) == 0) return std::nullopt;
  return tid;
}

}  // namespace

WaitState ClassifyWait(const WaitEvidence& evidence,
                       const std::vector<Frame>& frames, const FdKindOf& fd_kind) {
  WaitState wait;
  wait.blocked_ns = evidence.blocked_ns;
  if (evidence.blocked_ns) wait.blocked_source = BlockedSource::kSched;
  switch (evidence.state) {
    case 'R':
      wait.reason = WaitReason::kRunning;
      wait.blocked_ns = 0;
      wait.blocked_source = BlockedSource::kSched;
      return wait;
    case 'T': case 't':
      wait.reason = WaitReason::kStopped;
      return wait;
    case 'Z': case 'X':
      wait.reason = WaitReason::kZombie;
      wait.blocked_ns.reset();
      wait.blocked_source = BlockedSource::kUnknown;
      return wait;
    default:
      break;
  }
  if (!evidence.syscall) return wait;  // unknown
  switch (evidence.syscall->kind) {
    case SyscallState::Kind::kRunning:
      wait.reason = WaitReason::kRunning;
      return wait;
    case SyscallState::Kind::kNotInSyscall:
      return wait;  // asleep outside a syscall (a fault, a stop): unknown
    case SyscallState::Kind::kInSyscall:
      ClassifySyscall(*evidence.syscall, frames, fd_kind, &wait);
      if (wait.reason == WaitReason::kFutexWait || wait.reason == WaitReason::kMutexLock) {
        const int cmd = static_cast<int>(evidence.syscall->args[1]) & kFutexCmdMask;
        if (cmd == kFutexLockPi || cmd == kFutexLockPi2) wait.reason = WaitReason::kMutexLock;
      }
      return wait;
  }
  return wait;
}

void ResolveOwner(Tid waiter, const std::set<Tid>& live_tids,
                  const ReadWord& read_word, WaitState* wait,
                  const TargetTids& target_tids) {
  if (!wait->object || !read_word) return;
  // The agent records the lock itself rather than the futex word.
  if (wait->object_kind == "rwlock") {
    wait->owner_tid = LiveOther(read_word(*wait->object + kRwlockWriterOffset), waiter,
                                live_tids, target_tids);
    return;
  }
  if (wait->object_kind != "futex" && wait->object_kind != "mutex") return;
  const uint64_t futex = *wait->object;
  switch (wait->reason) {
    case WaitReason::kMutexLock: {
      // A free lock word means the owner field is stale: no edge.
      auto lock = read_word(futex);
      if (!lock || *lock == 0) return;
      wait->owner_tid =
          LiveOther(read_word(futex + kMutexOwnerOffset), waiter, live_tids, target_tids);
      if (!wait->owner_tid) {
        wait->owner_tid = LiveOther(lock, waiter, live_tids, target_tids);  // PI
      }
      return;
    }
    case WaitReason::kRwlockWrite:
      wait->owner_tid = LiveOther(read_word(futex + kRwlockWritersFutexToWriter),
                                  waiter, live_tids, target_tids);
      if (wait->owner_tid) return;
      [[fallthrough]];
    case WaitReason::kRwlockRead:
      wait->owner_tid = LiveOther(read_word(futex + kRwlockWrphaseFutexToWriter),
                                  waiter, live_tids, target_tids);
      return;
    case WaitReason::kJoin:
      wait->owner_tid = LiveOther(read_word(futex), waiter, live_tids, target_tids);
      return;
    default:
      return;
  }
}

}  // namespace parkscope
