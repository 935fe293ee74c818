// The blocking primitive a thread is parked on. The names are the words the
// reports print, modelled on Go's wait reasons ("chan send", "sleep").
#pragma once

#include <optional>
#include <string_view>

namespace parkscope {

enum class WaitReason {
  kUnknown,
  kRunning,
  kMutexLock,
  kRwlockRead,
  kRwlockWrite,
  kCondWait,
  kSemWait,
  kFutexWait,
  kJoin,
  kBarrier,
  kIoWait,
  kEpollWait,
  kPoll,
  kSleep,
  kSignalWait,
  kWaitpid,
  kQueueRecv,
  kQueueSend,
  kStopped,
  kZombie,
  kOtherSyscall,
};

// "mutex lock", "cond wait", ... ; "other syscall" for kOtherSyscall (the
// caller appends the number).
std::string_view WaitReasonName(WaitReason reason);

// The inverse of WaitReasonName, for reading JSON and agent records.
std::optional<WaitReason> WaitReasonFromName(std::string_view name);

// True for every reason but running, stopped, zombie and unknown.
bool IsParked(WaitReason reason);

}  // namespace parkscope
