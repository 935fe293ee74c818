#include "model/wait_reason.h"

#include <array>
#include <utility>

namespace parkscope {
namespace {

constexpr std::array<std::pair<WaitReason, std::string_view>, 21> kNames = {{
    {WaitReason::kUnknown, "unknown"},
    {WaitReason::kRunning, "running"},
    {WaitReason::kMutexLock, "mutex lock"},
    {WaitReason::kRwlockRead, "rwlock read"},
    {WaitReason::kRwlockWrite, "rwlock write"},
    {WaitReason::kCondWait, "cond wait"},
    {WaitReason::kSemWait, "sem wait"},
    {WaitReason::kFutexWait, "futex wait"},
    {WaitReason::kJoin, "join"},
    {WaitReason::kBarrier, "barrier"},
    {WaitReason::kIoWait, "io wait"},
    {WaitReason::kEpollWait, "epoll wait"},
    {WaitReason::kPoll, "poll"},
    {WaitReason::kSleep, "sleep"},
    {WaitReason::kSignalWait, "signal wait"},
    {WaitReason::kWaitpid, "waitpid"},
    {WaitReason::kQueueRecv, "queue recv"},
    {WaitReason::kQueueSend, "queue send"},
    {WaitReason::kStopped, "stopped"},
    {WaitReason::kZombie, "zombie"},
    {WaitReason::kOtherSyscall, "other syscall"},
}};

}  // namespace

std::string_view WaitReasonName(WaitReason reason) {
  for (const auto& [r, name] : kNames) {
    if (r == reason) return name;
  }
  return "unknown";
}

std::optional<WaitReason> WaitReasonFromName(std::string_view name) {
  for (const auto& [r, n] : kNames) {
    if (n == name) return r;
  }
  return std::nullopt;
}

bool IsParked(WaitReason reason) {
  switch (reason) {
    case WaitReason::kUnknown:
    case WaitReason::kRunning:
    case WaitReason::kStopped:
    case WaitReason::kZombie:
      return false;
    default:
      return true;
  }
}

}  // namespace parkscope
