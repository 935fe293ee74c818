#include "cli/dump_command.h"

#include <iostream>
#include <memory>

#include "cli/exit_codes.h"
#include "cli/output_file.h"
#include "cli/pid_flag.h"
#include "collect/take_snapshot.h"
#include "report/report.h"

namespace parkscope {
namespace {

struct DumpFlags {
  int pid = 0;
  std::string format = "summary";
  std::string output = "-";
  bool consistent = false;
  bool stop_all = false;
  bool timings = false;
  size_t max_stack_kib = 256;
  size_t max_frames = 256;
  std::vector<std::string> runtime_frames;
};

std::string PermissionHint(Pid pid) {
  std::string hint = "no permission to trace pid " + std::to_string(pid) +
                     ": run as root or with CAP_SYS_PTRACE";
  if (FILE* f = std::fopen("/proc/sys/kernel/yama/ptrace_scope", "r")) {
    int scope = -1;
    if (std::fscanf(f, "%d", &scope) == 1 && scope > 0) {
      hint += ", or lower kernel.yama.ptrace_scope (now " +
              std::to_string(scope) + ")";
    }
    std::fclose(f);
  }
  return hint;
}

// The process ends right after the report, and the kernel takes back its
// memory at once; freeing a snapshot of 1,000 threads (27,000 frames, each
// with its strings) one allocation at a time took 4 ms of a 60 ms dump. A
// pointer in a static keeps it reachable, so leak checkers do not count it;
// volatile, or the compiler drops a store nothing reads, and LeakSanitizer
// then finds no pointer to it.
SnapshotResult& LeftForExit(SnapshotResult result) {
  static SnapshotResult* volatile left = nullptr;
  left = new SnapshotResult(std::move(result));
  return *left;
}

// One line on stderr, so the report on stdout stays byte for byte the same.
void PrintTimings(const StageTimes& t) {
  auto ms = [](int64_t us) { return std::to_string(us / 1000) + "." + std::to_string(us / 100 % 10); };
  std::cerr << "parkscope: timings ms: capture " << ms(t.capture_us) << ", agent " << ms(t.agent_us)
            << ", modules " << ms(t.modules_us) << ", unwind " << ms(t.unwind_us)
            << ", prefetch wait " << ms(t.prefetch_us) << ", symbolize "
            << ms(t.symbolize_us) << ", analyze " << ms(t.analyze_us) << "\n";
}

int RunDump(const DumpFlags& flags) {
  auto format = ParseReportFormat(flags.format);
  if (!format) {
    std::cerr << "parkscope: unknown --format '" << flags.format
              << "': use summary, debug1, debug2 or json\n";
    return kExitUsage;
  }
  std::string regex_error;
  auto filter = RuntimeFrameFilter::WithUserRegexes(flags.runtime_frames, &regex_error);
  if (!filter) {
    std::cerr << "parkscope: " << regex_error << "\n";
    return kExitUsage;
  }
  // Open the output before touching the target: a bad path costs the
  // target nothing.
  ReportOutput output(flags.output);
  if (!output.ok()) {
    std::cerr << "parkscope: " << output.error() << "\n";
    return kExitUsage;
  }

  SnapshotOptions options;
  options.capture.consistent = flags.consistent;
  options.capture.stop_all = flags.stop_all;
  options.capture.max_stack_bytes = flags.max_stack_kib * 1024;
  options.max_frames = flags.max_frames;
  options.runtime_frames = std::move(*filter);
  SnapshotResult& result = LeftForExit(TakeSnapshot(flags.pid, options));
  if (flags.timings) PrintTimings(result.times);

  switch (result.status) {
    case CaptureStatus::kOk:
    case CaptureStatus::kPartial:
      break;
    case CaptureStatus::kNoPermission:
      std::cerr << "parkscope: " << PermissionHint(flags.pid) << "\n";
      return kExitNothing;
    case CaptureStatus::kAlreadyTraced:
      std::cerr << "parkscope: " << result.error
                << "; detach that debugger or tracer first\n";
      return kExitNothing;
    default:
      std::cerr << "parkscope: " << (result.error.empty() ? "capture failed" : result.error)
                << "\n";
      return kExitNothing;
  }
  WriteReport(result.snapshot, *format, output.stream());
  if (!output.Commit()) {
    std::cerr << "parkscope: " << output.error() << "\n";
    return kExitNothing;
  }
  if (result.status == CaptureStatus::kPartial) {
    size_t missing = 0;
    for (const auto& t : result.snapshot.threads) missing += !t.capture_error.empty();
    std::cerr << "parkscope: partial capture: " << missing
              << " thread(s) not captured; the report names each and why\n";
    return kExitPartial;
  }
  return kExitComplete;
}

}  // namespace

std::function<int()> AddDumpCommand(CLI::App& app) {
  auto flags = std::make_shared<DumpFlags>();
  CLI::App* dump = app.add_subcommand(
      "dump", "Show where every thread of a running process is parked");
  dump->add_option("-p,--pid", flags->pid, "Process to inspect")
      ->required()
      ->check(ProcessIdCheck());
  dump->add_option("--format", flags->format, "summary, debug1, debug2 or json")
      ->capture_default_str();
  dump->add_option("-o,--output", flags->output, "Write the report here ('-' = stdout)");
  dump->add_flag("--consistent", flags->consistent,
                 "Freeze all threads at once for the copy (pauses the whole process)");
  dump->add_flag("--stop-all", flags->stop_all,
                 "Stop every thread, also those asleep in a syscall (copied without a stop by default) and those in calls that a ptrace stop interrupts with EINTR");
  dump->add_flag("--timings", flags->timings,
                 "Print the wall time of each stage (capture, unwind, symbolize, ...) to stderr");
  dump->add_option("--max-stack", flags->max_stack_kib, "Stack KiB copied per thread")
      ->check(CLI::Range(1, 65536))
      ->capture_default_str();
  dump->add_option("--max-frames", flags->max_frames, "Frames unwound per thread")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  dump->add_option("--runtime-frames", flags->runtime_frames,
                   "Regex of functions to skip when choosing the wait site (repeatable)")
      ->allow_extra_args(false);
  return [dump, flags]() -> int {
    if (!dump->parsed()) return -1;
    return RunDump(*flags);
  };
}

}  // namespace parkscope
