#include "cli/sampling_wait.h"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "ptrace/thread_stop.h"

namespace parkscope {
namespace {

sigset_t StopSignals() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&set, sig);
  return set;
}

}  // namespace

SamplingWait::SamplingWait(Pid pid) {
  const sigset_t set = StopSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal_fd_ = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  // Every thread started after this one inherits SIGCHLD blocked, so the
  // kernel's stop notices stay pending for the capture (ptrace/stop_notice.h)
  // instead of waking, say, an HTTP thread that discards them.
  sigset_t child;
  sigemptyset(&child);
  sigaddset(&child, SIGCHLD);
  pthread_sigmask(SIG_BLOCK, &child, nullptr);
  // A client that goes away mid-response must not kill the daemon.
  signal(SIGPIPE, SIG_IGN);
  pid_fd_ = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
}

SamplingWait::~SamplingWait() {
  if (signal_fd_ >= 0) close(signal_fd_);
  if (pid_fd_ >= 0) close(pid_fd_);
}

bool SamplingWait::SignalPending() {
  signalfd_siginfo info{};
  if (signal_fd_ >= 0 && read(signal_fd_, &info, sizeof info) == sizeof info) {
    last_signal_ = static_cast<int>(info.ssi_signo);
    return true;
  }
  return false;
}

SamplingWait::Woke SamplingWait::WaitUntil(int64_t deadline_ns) {
  for (;;) {
    if (SignalPending()) return Woke::kSignal;
    const int64_t left_ns = deadline_ns - MonotonicNs();
    if (left_ns <= 0) return Woke::kTick;
    pollfd fds[2] = {{signal_fd_, POLLIN, 0}, {pid_fd_, POLLIN, 0}};
    const int n =
        poll(fds, pid_fd_ >= 0 ? 2 : 1, static_cast<int>((left_ns + 999'999) / 1'000'000));
    if (n < 0 && errno != EINTR) return Woke::kTick;
    if (pid_fd_ >= 0 && (fds[1].revents & POLLIN)) {
      exited_ = true;
      return Woke::kTargetExited;
    }
  }
}

std::string CaptureFailureMessage(Pid pid, CaptureStatus status, const std::string& error) {
  switch (status) {
    case CaptureStatus::kNoPermission: {
      std::string hint = "no permission to trace pid " + std::to_string(pid) +
                         ": run as root or with CAP_SYS_PTRACE";
      if (FILE* f = std::fopen("/proc/sys/kernel/yama/ptrace_scope", "r")) {
        int scope = -1;
        if (std::fscanf(f, "%d", &scope) == 1 && scope > 0) {
          hint += ", or lower kernel.yama.ptrace_scope (now " + std::to_string(scope) + ")";
        }
        std::fclose(f);
      }
      return hint;
    }
    case CaptureStatus::kAlreadyTraced:
      return error + "; detach that debugger or tracer first";
    default:
      return error.empty() ? "capture failed" : error;
  }
}

}  // namespace parkscope
