#include "ptrace/thread_stop.h"

#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>

#include <atomic>
#include <cerrno>
#include <mutex>
#include <set>
#include <utility>

#include "proc/proc_files.h"
#include "proc/stat_parser.h"
#include "proc/status_parser.h"
#include "ptrace/cpu_yield.h"
#include "ptrace/stop_notice.h"

namespace parkscope {

namespace {

std::mutex g_held_mu;
std::set<Tid> g_held;  // guarded by g_held_mu
std::atomic<int64_t> g_seize_waiting_since{0};

// Hold and Drop run on the tracer thread, the only one that seizes; while
// it holds any thread it works at normal priority (ptrace/cpu_yield.h).
void Hold(Tid tid) {
  std::lock_guard<std::mutex> lock(g_held_mu);
  if (g_held.empty()) OnFirstThreadHeld();
  g_held.insert(tid);
}

void Drop(Tid tid) {
  std::lock_guard<std::mutex> lock(g_held_mu);
  if (g_held.erase(tid) != 0 && g_held.empty()) OnLastThreadReleased();
}

}  // namespace

std::vector<Tid> HeldTracees() {
  std::lock_guard<std::mutex> lock(g_held_mu);
  return {g_held.begin(), g_held.end()};
}

int64_t SeizeWaitingSinceNs() { return g_seize_waiting_since.load(); }

int64_t MonotonicNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1'000'000'000LL + ts.tv_nsec;
}

ThreadStop::ThreadStop(ThreadStop&& other) noexcept { *this = std::move(other); }

ThreadStop& ThreadStop::operator=(ThreadStop&& other) noexcept {
  if (this != &other) {
    Release();
    tid_ = other.tid_;
    seized_ = std::exchange(other.seized_, false);
    status_ = other.status_;
    err_ = other.err_;
    pending_signal_ = other.pending_signal_;
    interrupted_at_ns_ = other.interrupted_at_ns_;
    held_ns_ = other.held_ns_;
  }
  return *this;
}

// PTRACE_SEIZE answers EPERM, not ESRCH, for a thread that is already
// exiting (exit_state set), so EPERM alone does not mean "no permission":
// look at the thread before blaming the user's privileges.
StopStatus ThreadStop::ClassifySeizeFailure(int err) {
  err_ = err;
  if (err == ESRCH) return StopStatus::kGone;
  if (err != EPERM) return StopStatus::kError;
  auto stat_file = ReadProcFile("/proc/" + std::to_string(tid_) + "/stat", 4096);
  if (!stat_file.ok()) return StopStatus::kGone;
  auto stat = ParseStat(stat_file.text);
  if (stat && (stat->state == 'Z' || stat->state == 'X')) return StopStatus::kGone;
  auto status_file =
      ReadProcFile("/proc/" + std::to_string(tid_) + "/status", 16384);
  if (status_file.ok()) {
    auto status = ParseStatus(status_file.text);
    if (status && status->tracer_pid != 0) return StopStatus::kAlreadyTraced;
  }
  return StopStatus::kNoPermission;
}

StopStatus ThreadStop::Begin() {
  g_seize_waiting_since.store(MonotonicNs());
  const long seized = ptrace(PTRACE_SEIZE, tid_, nullptr, nullptr);
  const int seize_errno = errno;
  g_seize_waiting_since.store(0);
  if (seized != 0) return status_ = ClassifySeizeFailure(seize_errno);
  seized_ = true;
  Hold(tid_);
  interrupted_at_ns_ = MonotonicNs();
  if (ptrace(PTRACE_INTERRUPT, tid_, nullptr, nullptr) != 0) {
    err_ = errno;
    return status_ = (err_ == ESRCH ? StopStatus::kGone : StopStatus::kError);
  }
  return status_ = StopStatus::kTimeout;  // until Wait sees the stop
}

StopStatus ThreadStop::Wait(int64_t timeout_ns) {
  if (!seized_ || status_ != StopStatus::kTimeout) return status_;
  const int64_t deadline = MonotonicNs() + timeout_ns;
  // Poll rather than block in waitpid: a thread in uninterruptible sleep
  // reports its stop only when it leaves the kernel, and a blocking waitpid
  // would hang the whole capture on it. Between polls, sleep until the
  // kernel's stop notice (ptrace/stop_notice.h).
  for (;;) {
    int wstatus = 0;
    pid_t r = waitpid(tid_, &wstatus, __WALL | WNOHANG);
    if (r == tid_) {
      if (WIFEXITED(wstatus) || WIFSIGNALED(wstatus)) {
        seized_ = false;  // the kernel dropped the trace with the thread
        Drop(tid_);
        return status_ = StopStatus::kGone;
      }
      if (WIFSTOPPED(wstatus)) {
        // Event stops (our interrupt, or a group-stop) carry no signal to
        // give back. A signal-delivery-stop means the target was sent a
        // signal meanwhile: hand it back on detach so it is delivered once.
        if ((wstatus >> 16) != PTRACE_EVENT_STOP) {
          pending_signal_ = WSTOPSIG(wstatus);
        }
        return status_ = StopStatus::kStopped;
      }
      continue;
    }
    if (r < 0) {
      err_ = errno;
      if (err_ == EINTR) continue;
      seized_ = (err_ != ECHILD);
      if (!seized_) Drop(tid_);  // gone, or reaped by the SeizeWatchdog
      return status_ = (err_ == ECHILD ? StopStatus::kGone : StopStatus::kError);
    }
    const int64_t now = MonotonicNs();
    if (now >= deadline) return status_ = StopStatus::kTimeout;
    AwaitStopNotice(deadline - now);
  }
}

void ThreadStop::Release() {
  if (!seized_) return;
  if (status_ == StopStatus::kTimeout) {
    // PTRACE_DETACH needs a stopped tracee. Give it one last short chance;
    // if it still has not stopped, the kernel clears the pending interrupt
    // and detaches it when this process exits (exit_ptrace), which the
    // dump command does right after the capture.
    Wait(5'000'000);
    if (status_ != StopStatus::kStopped) return;
  }
  ptrace(PTRACE_DETACH, tid_, nullptr,
         reinterpret_cast<void*>(static_cast<long>(pending_signal_)));
  seized_ = false;
  Drop(tid_);
  held_ns_ = MonotonicNs() - interrupted_at_ns_;
}

}  // namespace parkscope
