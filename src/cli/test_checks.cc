#include "cli/test_checks.h"

#include <sys/wait.h>
#include <time.h>

#include <algorithm>
#include <iostream>

#include "collect/take_snapshot.h"
#include "ptrace/thread_stop.h"
#include "report/report.h"

namespace parkscope {
namespace {

constexpr int64_t kFirstBackoffNs = 1'000'000;
constexpr int64_t kMaxBackoffNs = 100'000'000;

void SleepNs(int64_t ns) {
  timespec ts{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
  while (nanosleep(&ts, &ts) != 0) {
  }
}

}  // namespace

CheckSession::CheckSession(Pid pid, CheckOptions options)
    : pid_(pid), options_(std::move(options)) {
  if (options_.ignore_current) options_.rules.ignore_uncreated = true;
  if (options_.output != "-") file_.open(options_.output, std::ios::out | std::ios::trunc);
}

void CheckSession::Report(const ProcessSnapshot& snapshot, const LeakVerdict& verdict) {
  std::ostream& out = file_.is_open() ? static_cast<std::ostream&>(file_) : std::cerr;
  if (options_.json) {
    WriteLeakReportJson(snapshot, verdict, out);
  } else {
    WriteLeakReportText(snapshot, verdict, out);
  }
  out.flush();
}

void CheckSession::OnExit(Tid exiting_tid) {
  exit_checked_ = true;
  const int64_t began = MonotonicNs();
  const int64_t deadline = began + options_.settle_ns;
  int64_t backoff = kFirstBackoffNs;
  SnapshotResult result;
  LeakVerdict verdict;
  verdict.when = "at exit";
  verdict.exiting_tid = exiting_tid;
  for (;;) {
    result = TakeSnapshot(pid_, SnapshotOptions{});
    verdict.leaked.clear();
    if (options_.check_leaks) {
      verdict.leaked = FindLeaks(result.snapshot, exiting_tid, options_.rules);
    }
    const int64_t now = MonotonicNs();
    if (verdict.leaked.empty() || now >= deadline) break;
    SleepNs(std::min(backoff, deadline - now));
    backoff = std::min(backoff * 2, kMaxBackoffNs);
  }
  verdict.settled_ns = MonotonicNs() - began;
  if (options_.fail_on_blocked_ns) {
    verdict.blocked_limit_ns = *options_.fail_on_blocked_ns;
    for (const ThreadSnapshot* t :
         FindBlockedLongerThan(result.snapshot, *options_.fail_on_blocked_ns, options_.rules)) {
      if (t->tid != exiting_tid) verdict.blocked_too_long.push_back(t);
    }
  }
  leaked_ = leaked_ || !verdict.leaked.empty();
  blocked_ = blocked_ || !verdict.blocked_too_long.empty();
  if (result.snapshot.threads.empty()) {
    std::cerr << "parkscope: exit check of pid " << pid_ << " failed: " << result.error << "\n";
    return;
  }
  if (verdict.failed() || options_.json) Report(result.snapshot, verdict);
}

void CheckSession::OnCheckPoint(const std::string& when) {
  SnapshotResult result = TakeSnapshot(pid_, SnapshotOptions{});
  if (result.snapshot.threads.empty()) return;
  if (options_.ignore_current && !first_check_done_) {
    for (const ThreadSnapshot& t : result.snapshot.threads) options_.rules.tids.insert(t.tid);
  }
  first_check_done_ = true;
  if (!options_.fail_on_blocked_ns) return;
  LeakVerdict verdict;
  verdict.when = when;
  verdict.blocked_limit_ns = *options_.fail_on_blocked_ns;
  verdict.blocked_too_long =
      FindBlockedLongerThan(result.snapshot, *options_.fail_on_blocked_ns, options_.rules);
  if (!verdict.failed()) return;
  blocked_ = true;
  Report(result.snapshot, verdict);
}

void CheckSession::DumpForTimeout(const std::string& timeout_text) {
  SnapshotResult result = TakeSnapshot(pid_, SnapshotOptions{});
  std::cerr << "parkscope: pid " << pid_ << " still running after --timeout " << timeout_text
            << "; every thread follows, then it is killed\n";
  if (result.snapshot.threads.empty()) {
    std::cerr << "parkscope: dump failed: " << result.error << "\n";
    return;
  }
  WriteReport(result.snapshot, ReportFormat::kSummary, std::cerr);
  std::cerr << '\n';
  WriteReport(result.snapshot, ReportFormat::kDebug2, std::cerr);
}

int CheckSession::ExitCode(int wait_status) const {
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  const int status = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 1;
  if (status != 0) return status;  // the program's own failure comes first
  if (leaked_) return kExitLeaks;
  if (blocked_) return kExitBlocked;
  return 0;
}

}  // namespace parkscope
