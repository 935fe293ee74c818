#include "ptrace/stop_notice.h"

#include <time.h>
#include <unistd.h>

#include <algorithm>

namespace parkscope {
namespace {

thread_local int g_scopes = 0;
thread_local bool g_took_notice = false;

sigset_t ChildSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  return set;
}

}  // namespace

StopNoticeScope::StopNoticeScope() {
  const sigset_t child = ChildSignal();
  pthread_sigmask(SIG_BLOCK, &child, &previous_);
  if (g_scopes++ == 0) g_took_notice = false;
}

StopNoticeScope::~StopNoticeScope() {
  pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  if (--g_scopes == 0 && g_took_notice) kill(getpid(), SIGCHLD);
}

void AwaitStopNotice(int64_t max_ns) {
  const int64_t ns = std::clamp<int64_t>(max_ns, 0, kStopNoticeMaxWaitNs);
  timespec wait{0, static_cast<long>(ns)};
  if (g_scopes == 0) {
    nanosleep(&wait, nullptr);
    return;
  }
  const sigset_t child = ChildSignal();
  if (sigtimedwait(&child, nullptr, &wait) == SIGCHLD) g_took_notice = true;
}

}  // namespace parkscope
