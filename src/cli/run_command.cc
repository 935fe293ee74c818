#include "cli/run_command.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>

#include "cli/agent_locator.h"
#include "cli/exit_codes.h"
#include "cli/output_file.h"
#include "cli/signal_names.h"
#include "collect/take_snapshot.h"
#include "report/report.h"

namespace parkscope {
namespace {

struct RunFlags {
  std::string dump_on = "QUIT";
  std::string format = "summary";
  std::string output = "-";
  std::vector<std::string> command;
};

// Signals passed on to the child when they were sent to parkscope itself.
// Ones a terminal sends reach the whole process group, child included, so
// those (si_code SI_KERNEL) are not passed on a second time.
constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT};

[[noreturn]] void ExecChild(const RunFlags& flags, const std::string& agent, int dump_signal,
                            const sigset_t& original_mask) {
  std::string preload = agent;
  if (const char* old = std::getenv("LD_PRELOAD"); old != nullptr && *old != '\0') {
    preload += ":" + std::string(old);
  }
  setenv("LD_PRELOAD", preload.c_str(), 1);
  // The dump signal is ignored in the program (SIG_IGN survives exec), so a
  // Ctrl-\ that reaches the whole process group dumps instead of killing
  // it. Documented in the README; a program's own handler still wins.
  signal(dump_signal, SIG_IGN);
  sigprocmask(SIG_SETMASK, &original_mask, nullptr);
  std::vector<char*> argv;
  for (const auto& arg : flags.command) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  execvp(argv[0], argv.data());
  std::cerr << "parkscope: cannot run " << flags.command[0] << ": " << std::strerror(errno)
            << "\n";
  _exit(127);
}

void DumpChild(pid_t child, ReportFormat format, const std::string& output_path) {
  ReportOutput output(output_path == "-" ? "" : output_path);
  SnapshotResult result = TakeSnapshot(child, SnapshotOptions{});
  if (result.snapshot.threads.empty()) {
    std::cerr << "parkscope: dump of pid " << child << " failed: " << result.error << "\n";
    return;
  }
  std::ostream& out = output_path == "-" ? std::cerr : output.stream();
  WriteReport(result.snapshot, format, out);
  if (output_path != "-" && !output.Commit()) {
    std::cerr << "parkscope: " << output.error() << "\n";
  }
}

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
  std::string searched;
  auto agent = LocateAgent(&searched);
  if (!agent) {
    std::cerr << "parkscope: cannot find libparkscope_agent.so (looked at " << searched
              << "); set PARKSCOPE_AGENT to its path\n";
    return kExitNothing;
  }

  sigset_t handled, original;
  sigemptyset(&handled);
  for (int sig : kForwarded) sigaddset(&handled, sig);
  sigaddset(&handled, *dump_signal);
  sigaddset(&handled, SIGCHLD);
  sigprocmask(SIG_BLOCK, &handled, &original);

  pid_t child = fork();
  if (child < 0) {
    std::cerr << "parkscope: fork failed: " << std::strerror(errno) << "\n";
    return kExitNothing;
  }
  if (child == 0) ExecChild(flags, *agent, *dump_signal, original);

  for (;;) {
    siginfo_t info{};
    if (sigwaitinfo(&handled, &info) < 0) continue;
    const int sig = info.si_signo;
    if (sig == SIGCHLD) {
      int status = 0;
      if (waitpid(child, &status, WNOHANG) != child) continue;
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
      continue;
    }
    if (sig == *dump_signal) {
      DumpChild(child, *format, flags.output);
      continue;
    }
    if (info.si_code != SI_KERNEL) kill(child, sig);
  }
}

}  // namespace

std::function<int()> AddRunCommand(CLI::App& app) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* run = app.add_subcommand(
      "run", "Run a command with the preload agent; dump it on a signal");
  run->add_option("--dump-on", flags->dump_on, "Signal that dumps the command's threads")
      ->capture_default_str();
  run->add_option("--format", flags->format, "summary, debug1, debug2 or json")
      ->capture_default_str();
  run->add_option("-o,--output", flags->output, "Write dumps here instead of stderr");
  run->add_option("command", flags->command, "The command and its arguments, after --")
      ->required();
  run->prefix_command(false);
  return [run, flags]() -> int {
    if (!run->parsed()) return -1;
    return RunRun(*flags);
  };
}

}  // namespace parkscope
