// Test mode: the checks `parkscope run` makes of the program it runs, and
// their verdict. The settle policy is public and simple: after the program
// says it is about to exit, snapshots are retried with backoff (1 ms,
// doubling, at most 100 ms apart) until no leaked thread is left or
// --settle (default 500 ms, CLOCK_MONOTONIC) has passed; threads still alive
// then are leaks. goleak's retry policy is fixed and private; this one is a
// flag.
#pragma once

#include <fstream>
#include <memory>
#include <optional>
#include <string>

#include "leakcheck/leak_check.h"
#include "leakcheck/leak_report.h"
#include "model/snapshot.h"

namespace parkscope {

// Exit codes of test mode, when the program itself succeeded.
constexpr int kExitLeaks = 66;    // threads alive at exit
constexpr int kExitBlocked = 67;  // a thread parked longer than --fail-on-blocked
constexpr int kExitTimeout = 124; // --timeout: hung, dumped and killed (as timeout(1))

struct CheckOptions {
  bool check_leaks = false;
  int64_t settle_ns = 500'000'000;
  std::optional<int64_t> fail_on_blocked_ns;
  bool ignore_current = false;
  IgnoreRules rules;
  std::string output = "-";  // "-": stderr
  bool json = false;
};

class CheckSession {
 public:
  CheckSession(Pid pid, CheckOptions options);

  // The agent reported that exiting_tid is about to end the program.
  void OnExit(Tid exiting_tid);
  // A --check-at point: blocked-too-long, and the --ignore-current baseline.
  void OnCheckPoint(const std::string& when);
  // --timeout passed: every thread's stack to stderr, deadlocks first.
  void DumpForTimeout(const std::string& timeout_text);

  // The exit code for a program that ended with this waitpid status.
  int ExitCode(int wait_status) const;
  // True when the program never reached an exit check (_exit, crash).
  bool exit_checked() const { return exit_checked_; }

 private:
  void Report(const ProcessSnapshot& snapshot, const LeakVerdict& verdict);

  Pid pid_;
  CheckOptions options_;
  std::ofstream file_;
  bool first_check_done_ = false;
  bool exit_checked_ = false;
  bool leaked_ = false;
  bool blocked_ = false;
};

}  // namespace parkscope
