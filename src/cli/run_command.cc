#include "cli/run_command.h"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <memory>

#include "cli/agent_locator.h"
#include "cli/child_process.h"
#include "cli/duration_flag.h"
#include "cli/exit_codes.h"
#include "cli/output_file.h"
#include "cli/signal_names.h"
#include "cli/test_checks.h"
#include "collect/take_snapshot.h"
#include "leakcheck/builtin_ignores.h"
#include "ptrace/thread_stop.h"
#include "report/report.h"

namespace parkscope {
namespace {

struct RunFlags {
  std::string dump_on = "QUIT";
  std::string format = "summary";
  std::string output = "-";
  bool check_leaks = false;
  std::string settle = "500ms";
  std::string fail_on_blocked;
  std::vector<std::string> check_at;
  std::string timeout;
  std::vector<std::string> ignore_top, ignore_any, ignore_created_by;
  bool ignore_current = false;
  bool no_builtin_ignores = false;
  std::vector<std::string> command;
};

// Signals passed on to the child when they were sent to parkscope itself.
// Ones a terminal sends reach the whole process group, child included, so
// those (si_code SI_KERNEL) are not passed on a second time.
constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT};

// A parsed duration flag, or a usage error naming the flag.
bool Duration(const std::string& flag, const std::string& text, int64_t* ns) {
  auto parsed = ParseDuration(text);
  if (!parsed) {
    std::cerr << "parkscope: bad duration for " << flag << ": '" << text
              << "' (use a number with a unit: 500ms, 2s, 1m)\n";
    return false;
  }
  *ns = *parsed;
  return true;
}

bool AddPatterns(const std::string& flag, const std::vector<std::string>& texts,
                 std::vector<FunctionPattern>* out) {
  for (const auto& text : texts) {
    std::string error;
    auto pattern = FunctionPattern::Parse(text, &error);
    if (!pattern) {
      std::cerr << "parkscope: " << flag << ": " << error << "\n";
      return false;
    }
    out->push_back(std::move(*pattern));
  }
  return true;
}

// Builds the check options; false after printing a usage error.
bool BuildChecks(const RunFlags& flags, CheckOptions* checks) {
  checks->check_leaks = flags.check_leaks;
  checks->ignore_current = flags.ignore_current;
  checks->output = flags.output;
  checks->json = flags.format == "json";
  if (!Duration("--settle", flags.settle, &checks->settle_ns)) return false;
  if (!flags.fail_on_blocked.empty()) {
    int64_t ns = 0;
    if (!Duration("--fail-on-blocked", flags.fail_on_blocked, &ns)) return false;
    checks->fail_on_blocked_ns = ns;
  }
  IgnoreRules& rules = checks->rules;
  if (!AddPatterns("--ignore-top", flags.ignore_top, &rules.top) ||
      !AddPatterns("--ignore-any", flags.ignore_any, &rules.any) ||
      !AddPatterns("--ignore-created-by", flags.ignore_created_by, &rules.created_by)) {
    return false;
  }
  if (!flags.no_builtin_ignores) {
    for (const BuiltinIgnore& builtin : BuiltinIgnores()) {
      std::string error;
      auto pattern = FunctionPattern::Parse(builtin.pattern, &error);
      auto& list = builtin.kind == "top"   ? rules.top
                   : builtin.kind == "any" ? rules.any
                                           : rules.created_by;
      if (pattern) list.push_back(std::move(*pattern));
    }
  }
  return true;
}

// Reads "EXIT <tid> <status>" lines from the agent; returns the tid, 0 when
// the line is not complete yet, -1 at EOF.
int ReadExitNotice(int fd, std::string* buffer) {
  char chunk[256];
  ssize_t n = read(fd, chunk, sizeof chunk);
  if (n <= 0) return (n < 0 && errno == EINTR) ? 0 : -1;
  buffer->append(chunk, static_cast<size_t>(n));
  size_t nl = buffer->find('\n');
  if (nl == std::string::npos) return buffer->size() > 4096 ? -1 : 0;
  std::string line = buffer->substr(0, nl);
  buffer->erase(0, nl + 1);
  int tid = 0;
  if (std::sscanf(line.c_str(), "EXIT %d", &tid) != 1 || tid <= 0) return 0;
  return tid;
}

struct Timer {
  int64_t at_ns;
  std::string label;   // "at check 5s", or "" for the timeout
  bool is_timeout;
};

int RunRun(const RunFlags& flags) {
  auto format = ParseReportFormat(flags.format);
  if (!format) {
    std::cerr << "parkscope: unknown --format '" << flags.format
              << "': use summary, debug1, debug2 or json\n";
    return kExitUsage;
  }
  auto dump_signal = ParseSignal(flags.dump_on);
  if (!dump_signal) {
    std::cerr << "parkscope: unknown --dump-on signal '" << flags.dump_on
              << "': use a name such as QUIT or USR1, or a number\n";
    return kExitUsage;
  }
  CheckOptions checks;
  if (!BuildChecks(flags, &checks)) return kExitUsage;
  const int64_t started = MonotonicNs();
  std::vector<Timer> timers;
  for (const auto& text : flags.check_at) {
    int64_t ns = 0;
    if (!Duration("--check-at", text, &ns)) return kExitUsage;
    timers.push_back({started + ns, "at check " + text, false});
  }
  if (!flags.timeout.empty()) {
    int64_t ns = 0;
    if (!Duration("--timeout", flags.timeout, &ns)) return kExitUsage;
    timers.push_back({started + ns, "", true});
  }
  std::string searched;
  auto agent = LocateAgent(&searched);
  if (!agent) {
    std::cerr << "parkscope: cannot find libparkscope_agent.so (looked at " << searched
              << "); set PARKSCOPE_AGENT to its path\n";
    return kExitNothing;
  }

  sigset_t handled;
  sigemptyset(&handled);
  for (int sig : kForwarded) sigaddset(&handled, sig);
  sigaddset(&handled, *dump_signal);
  sigaddset(&handled, SIGCHLD);
  ChildLaunch launch;
  launch.command = flags.command;
  launch.agent_path = *agent;
  launch.dump_signal = *dump_signal;
  launch.exit_check = flags.check_leaks || !flags.fail_on_blocked.empty();
  sigprocmask(SIG_BLOCK, &handled, &launch.child_mask);
  int signals = signalfd(-1, &handled, SFD_CLOEXEC);
  Child child = LaunchChild(launch);
  if (child.pid < 0 || signals < 0) {
    std::cerr << "parkscope: cannot start " << flags.command[0] << ": "
              << std::strerror(child.error != 0 ? child.error : errno) << "\n";
    return kExitNothing;
  }
  CheckSession session(child.pid, checks);
  std::string notice;

  for (;;) {
    int64_t wait_ms = -1;
    if (!timers.empty()) {
      auto next = std::min_element(timers.begin(), timers.end(),
                                   [](const Timer& a, const Timer& b) { return a.at_ns < b.at_ns; });
      wait_ms = std::max<int64_t>(0, (next->at_ns - MonotonicNs()) / 1'000'000 + 1);
    }
    pollfd fds[2] = {{signals, POLLIN, 0}, {child.check_fd, POLLIN, 0}};
    int ready = poll(fds, child.check_fd >= 0 ? 2 : 1, static_cast<int>(wait_ms));
    if (ready < 0 && errno != EINTR) break;

    const int64_t now = MonotonicNs();
    for (size_t i = 0; i < timers.size();) {
      if (timers[i].at_ns > now) {
        ++i;
        continue;
      }
      Timer timer = timers[i];
      timers.erase(timers.begin() + static_cast<long>(i));
      if (!timer.is_timeout) {
        session.OnCheckPoint(timer.label);
        continue;
      }
      session.DumpForTimeout(flags.timeout);
      kill(child.pid, SIGKILL);
      waitpid(child.pid, nullptr, 0);
      return kExitTimeout;
    }

    if (child.check_fd >= 0 && (fds[1].revents & (POLLIN | POLLHUP)) != 0) {
      int tid = ReadExitNotice(child.check_fd, &notice);
      if (tid > 0) {
        session.OnExit(tid);
        // The agent waits for this byte before letting the program exit.
        [[maybe_unused]] ssize_t ignored = write(child.check_fd, "\n", 1);
      } else if (tid < 0) {
        close(child.check_fd);
        child.check_fd = -1;
      }
    }

    if ((fds[0].revents & POLLIN) == 0) continue;
    signalfd_siginfo info{};
    if (read(signals, &info, sizeof info) != sizeof info) continue;
    const int sig = static_cast<int>(info.ssi_signo);
    if (sig == SIGCHLD) {
      int status = 0;
      if (waitpid(child.pid, &status, WNOHANG) != child.pid) continue;
      if (launch.exit_check && !session.exit_checked() && WIFEXITED(status)) {
        std::cerr << "parkscope: pid " << child.pid
                  << " ended without an exit check (_exit, or a crash); no leak verdict\n";
      }
      return session.ExitCode(status);
    }
    if (sig == *dump_signal) {
      SnapshotResult result = TakeSnapshot(child.pid, SnapshotOptions{});
      if (result.snapshot.threads.empty()) {
        std::cerr << "parkscope: dump of pid " << child.pid << " failed: " << result.error << "\n";
        continue;
      }
      ReportOutput output(flags.output == "-" ? "" : flags.output);
      WriteReport(result.snapshot, *format, flags.output == "-" ? std::cerr : output.stream());
      if (flags.output != "-" && !output.Commit()) {
        std::cerr << "parkscope: " << output.error() << "\n";
      }
      continue;
    }
    if (info.ssi_code != SI_KERNEL) kill(child.pid, sig);
  }
  return kExitNothing;
}

}  // namespace

std::function<int()> AddRunCommand(CLI::App& app) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* run = app.add_subcommand(
      "run", "Run a command with the preload agent: dump it on a signal, check it for leaks");
  run->add_option("--dump-on", flags->dump_on, "Signal that dumps the command's threads")
      ->capture_default_str();
  run->add_option("--format", flags->format, "summary, debug1, debug2 or json")
      ->capture_default_str();
  run->add_option("-o,--output", flags->output, "Write dumps and check reports here");
  run->add_flag("--check-leaks", flags->check_leaks,
                "Fail (exit 66) if threads other than main are alive when the program exits");
  run->add_option("--settle", flags->settle,
                  "How long to wait at exit for threads on their way out")
      ->capture_default_str();
  run->add_option("--fail-on-blocked", flags->fail_on_blocked,
                  "Fail (exit 67) if a thread is parked longer than this at exit or a check");
  run->add_option("--check-at", flags->check_at,
                  "Also check this long after start (repeatable)")
      ->allow_extra_args(false);
  run->add_option("--timeout", flags->timeout,
                  "Dump every stack and kill the command (exit 124) if it runs this long");
  run->add_option("--ignore-top", flags->ignore_top,
                  "Ignore threads whose wait-site function matches (glob, or re:REGEX)")
      ->allow_extra_args(false);
  run->add_option("--ignore-any", flags->ignore_any,
                  "Ignore threads with a matching function anywhere in the stack")
      ->allow_extra_args(false);
  run->add_option("--ignore-created-by", flags->ignore_created_by,
                  "Ignore threads created by a matching function")
      ->allow_extra_args(false);
  run->add_flag("--ignore-current", flags->ignore_current,
                "Ignore threads that existed before the agent, or at the first --check-at");
  run->add_flag("--no-builtin-ignores", flags->no_builtin_ignores,
                "Also report runtime helper threads that are ignored by default");
  run->add_option("command", flags->command, "The command and its arguments, after --")
      ->required();
  return [run, flags]() -> int {
    if (!run->parsed()) return -1;
    return RunRun(*flags);
  };
}

}  // namespace parkscope
