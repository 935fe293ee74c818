#include "cli/record_command.h"

#include <iostream>
#include <memory>
#include <optional>

#include "cli/duration_flag.h"
#include "cli/exit_codes.h"
#include "cli/output_file.h"
#include "cli/pid_flag.h"
#include "cli/sampling_wait.h"
#include "ptrace/thread_stop.h"
#include "report/folded.h"
#include "report/gzip.h"
#include "report/pprof.h"
#include "watch/sampler.h"

namespace parkscope {
namespace {

constexpr int kMaxRate = 100;  // Hz; above this a 1,000-thread target spends its time being sampled
constexpr int64_t kMaxDurationNs = 24 * 3600'000'000'000;

struct RecordFlags {
  int pid = 0;
  std::string duration = "30s";
  int rate = 10;
  std::string output = "profile.pb.gz";
  std::string format = "pprof";
  std::vector<std::string> runtime_frames;
};

// Adds one sample, weighted by the wall time it stands for, to both forms.
struct Recording {
  explicit Recording(int64_t period_ns)
      : pprof({{"samples", "count"}, {"wall", "nanoseconds"}}, {"wall", "nanoseconds"}, period_ns) {
  }
  ProfileBuilder pprof;
  FoldedProfile folded;
  bool want_pprof = true;
  size_t samples = 0;
  size_t max_threads = 0;

  void Add(const WatchSample& sample, int64_t weight_ns) {
    ++samples;
    max_threads = std::max(max_threads, sample.threads.size());
    for (const SampledThread& sampled : sample.threads) {
      const ThreadSnapshot& t = *sampled.thread;
      if (want_pprof) {
        pprof.Add(t.frames, {1, weight_ns},
                  {ProfileLabel::String("reason", t.wait.Label()),
                   ProfileLabel::String("thread_name", t.name)});
      } else {
        auto path = FoldedFrames(t.frames);
        path.push_back(ReasonLeaf(t));
        folded.Add(path, 1);
      }
    }
  }
};

int RunRecord(const RecordFlags& flags) {
  auto fail = [](const std::string& message) {
    std::cerr << "parkscope: " << message << "\n";
    return kExitUsage;
  };
  auto duration = ParseDuration(flags.duration);
  if (!duration || *duration <= 0 || *duration > kMaxDurationNs) {
    return fail("--duration '" + flags.duration +
                "': expected a duration up to 24h, like 30s or 5m");
  }
  if (flags.format != "pprof" && flags.format != "folded") {
    return fail("unknown --format '" + flags.format + "': use pprof or folded");
  }
  std::string regex_error;
  auto filter = RuntimeFrameFilter::WithUserRegexes(flags.runtime_frames, &regex_error);
  if (!filter) return fail(regex_error);
  // Before touching the target: a bad path costs the target nothing.
  ReportOutput output(flags.output);
  if (!output.ok()) return fail(output.error());

  SamplingWait wait(flags.pid);
  SamplerOptions options;
  options.snapshot.runtime_frames = std::move(*filter);
  options.history_points = 1;
  Sampler sampler(flags.pid, std::move(options));
  const int64_t period_ns = 1'000'000'000 / flags.rate;
  Recording recording(period_ns);
  recording.want_pprof = flags.format == "pprof";
  const int64_t started_ns = MonotonicNs();
  int64_t first_unix_ns = 0, last_sample_ns = 0, next_ns = started_ns;
  std::string stopped_by = "duration";
  std::string error;
  for (;;) {
    const auto woke = wait.WaitUntil(next_ns);
    if (woke == SamplingWait::Woke::kSignal) {
      stopped_by = "signal";
      break;
    }
    if (woke == SamplingWait::Woke::kTargetExited) {
      stopped_by = "target exit";
      break;
    }
    SampleOutcome outcome = sampler.Sample();
    if (!outcome.sample) {
      if (outcome.status == CaptureStatus::kGone) stopped_by = "target exit";
      if (outcome.status == CaptureStatus::kInterrupted) stopped_by = "signal";
      error = CaptureFailureMessage(flags.pid, outcome.status, outcome.error);
      if (outcome.status == CaptureStatus::kGone || outcome.status == CaptureStatus::kInterrupted ||
          recording.samples == 0) {
        break;
      }
      continue;
    }
    const int64_t now_ns = outcome.sample->monotonic_ns;
    if (recording.samples == 0) first_unix_ns = outcome.sample->taken_at_unix_ns;
    // Weighted by the time since the previous sample: a slow sample does
    // not make the wall-clock total drift from the recording's length.
    recording.Add(*outcome.sample, recording.samples == 0 ? period_ns : now_ns - last_sample_ns);
    last_sample_ns = now_ns;
    if (MonotonicNs() - started_ns >= *duration) break;
    next_ns = std::max(next_ns + period_ns, MonotonicNs());
  }
  if (recording.samples == 0) {
    std::cerr << "parkscope: nothing recorded: " << (error.empty() ? stopped_by : error) << "\n";
    return kExitNothing;
  }
  const int64_t elapsed_ns = MonotonicNs() - started_ns;
  if (recording.want_pprof) {
    recording.pprof.SetTime(first_unix_ns, elapsed_ns);
    recording.pprof.AddComment("parkscope record: pid " + std::to_string(flags.pid) + ", " +
                               std::to_string(recording.samples) + " samples at " +
                               std::to_string(flags.rate) + " Hz");
    auto gz = Gzip(recording.pprof.Encode());
    if (gz) output.stream() << *gz;
  } else {
    recording.folded.Write(output.stream());
  }
  if (!output.Commit()) {
    std::cerr << "parkscope: " << output.error() << "\n";
    return kExitNothing;
  }
  std::cerr << "parkscope: recorded " << recording.samples << " samples of up to "
            << recording.max_threads << " threads in " << elapsed_ns / 1'000'000 << " ms (ended by "
            << stopped_by << ") into " << (flags.output == "-" ? "stdout" : flags.output) << "\n";
  return kExitComplete;
}

}  // namespace

std::function<int()> AddRecordCommand(CLI::App& app) {
  auto flags = std::make_shared<RecordFlags>();
  CLI::App* record = app.add_subcommand(
      "record", "Record a wall-clock profile of every thread (pprof or folded stacks)");
  record->add_option("-p,--pid", flags->pid, "Process to record")
      ->required()
      ->check(ProcessIdCheck());
  record->add_option("--duration", flags->duration, "How long to record")->capture_default_str();
  record->add_option("--rate", flags->rate, "Samples per second")
      ->check(CLI::Range(1, kMaxRate))
      ->capture_default_str();
  record->add_option("-o,--output", flags->output, "Write the profile here ('-' = stdout)")
      ->capture_default_str();
  record->add_option("--format", flags->format, "pprof (gzipped profile.proto) or folded")
      ->capture_default_str();
  record->add_option("--runtime-frames", flags->runtime_frames,
                     "Regex of functions to skip when choosing the wait site (repeatable)");
  return [record, flags]() -> int {
    if (!record->parsed()) return -1;
    return RunRecord(*flags);
  };
}

}  // namespace parkscope
