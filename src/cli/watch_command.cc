#include "cli/watch_command.h"

#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>

#include "cli/duration_flag.h"
#include "cli/exit_codes.h"
#include "cli/pid_flag.h"
#include "cli/sampling_wait.h"
#include "ptrace/thread_stop.h"
#include "report/report.h"
#include "serve/watch_server.h"
#include "watch/event_log.h"
#include "watch/leak_trend.h"
#include "watch/sampler.h"
#include "watch/site_counts.h"
#include "watch/stuck_detector.h"
#include "watch/watch_events.h"

namespace parkscope {
namespace {

// Shorter intervals would spend more time sampling than the target runs
// between samples; longer ones are what --stuck-after is for.
constexpr int64_t kMinIntervalNs = 10'000'000, kMaxIntervalNs = 3600'000'000'000;

struct WatchFlags {
  int pid = 0;
  std::string interval = "1s";
  std::string listen = "127.0.0.1:6060";
  bool listen_any = false;
  std::string stuck_after = "60s";
  std::string log;
  size_t window = 10;
  double min_slope = 1.0;
  bool keep = false;
  bool log_samples = false;
  std::vector<std::string> runtime_frames;
  size_t max_stack_kib = 256;
  size_t max_frames = 256;
};

struct WatchSettings {
  int64_t interval_ns = 0;
  int64_t stuck_after_ns = 0;
  std::optional<ListenAddress> listen;  // nullopt: --listen none
  SamplerOptions sampler;
};

int64_t ThreadCpuNs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// Two descriptors per thread kept open (task_fingerprint.h): raise the soft
// limit as far as the hard one allows, keep a margin for sockets, the log
// and libdw's files, and budget the rest.
size_t FingerprintBudget() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  const rlim_t wanted = std::min<rlim_t>(limit.rlim_max, 1 << 20);
  if (limit.rlim_cur < wanted) {
    limit.rlim_cur = wanted;
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
  }
  constexpr rlim_t kMargin = 512;
  return limit.rlim_cur > kMargin ? static_cast<size_t>((limit.rlim_cur - kMargin) / 2) : 0;
}

// Flags to settings; a one-line error on stderr and nullopt when one is bad.
std::optional<WatchSettings> Validate(const WatchFlags& flags) {
  auto fail = [](const std::string& message) -> std::optional<WatchSettings> {
    std::cerr << "parkscope: " << message << "\n";
    return std::nullopt;
  };
  WatchSettings settings;
  auto interval = ParseDuration(flags.interval);
  if (!interval || *interval < kMinIntervalNs || *interval > kMaxIntervalNs) {
    return fail("--interval '" + flags.interval +
                "': expected a duration from 10ms to 1h, like 500ms, 1s or 2m");
  }
  settings.interval_ns = *interval;
  auto stuck = ParseDuration(flags.stuck_after);
  if (!stuck || *stuck <= 0) {
    return fail("--stuck-after '" + flags.stuck_after +
                "': expected a duration like 30s, 5m or 1h");
  }
  settings.stuck_after_ns = *stuck;
  if (flags.listen != "none") {
    std::string error;
    settings.listen = ParseListenAddress(flags.listen, &error);
    if (!settings.listen) return fail(error);
    if (!settings.listen->loopback && !flags.listen_any) {
      return fail("--listen " + flags.listen +
                  " is not a loopback address; the endpoints show the target's stacks, thread "
                  "names and command line to anyone who can connect. Add --listen-any to allow it");
    }
  }
  std::string regex_error;
  auto filter = RuntimeFrameFilter::WithUserRegexes(flags.runtime_frames, &regex_error);
  if (!filter) return fail(regex_error);
  settings.sampler.snapshot.runtime_frames = std::move(*filter);
  settings.sampler.snapshot.capture.max_stack_bytes = flags.max_stack_kib * 1024;
  settings.sampler.snapshot.max_frames = flags.max_frames;
  return settings;
}

class Watch {
 public:
  Watch(const WatchFlags& flags, WatchSettings settings, SamplingWait& wait, EventLog& log)
      : flags_(flags),
        settings_(std::move(settings)),
        wait_(wait),
        log_(log),
        leaks_({flags.window, flags.min_slope}),
        stuck_(settings_.stuck_after_ns) {}

  int Run();

 private:
  // Detectors, counters and logging for one sample; then it is published.
  void Handle(SampleOutcome& outcome, int64_t cpu_ns);
  int TargetExited();
  int Stopped(int signal);

  const WatchFlags& flags_;
  WatchSettings settings_;
  SamplingWait& wait_;
  EventLog& log_;
  SiteCounter sites_;
  LeakTrendDetector leaks_;
  StuckDetector stuck_;
  LatestSample latest_;
  std::unique_ptr<WatchServer> server_;
  uint64_t leak_alarms_ = 0, stuck_threads_ = 0;
  std::string last_error_;
};

void Watch::Handle(SampleOutcome& outcome, int64_t cpu_ns) {
  WatchSample& sample = *outcome.sample;
  if (outcome.exec) log_.Write("exec", {{"pid", flags_.pid}, {"command", sample.command}});
  for (const LeakAlarm& alarm : leaks_.Observe(sample.monotonic_ns, sites_.Count(sample))) {
    ++leak_alarms_;
    log_.Write("leak", LeakEventFields(alarm));
  }
  for (const SampledThread* thread : stuck_.Observe(sample)) {
    ++stuck_threads_;
    log_.Write("stuck", StuckEventFields(*thread));
  }
  sample.counters.leak_alarms_total = leak_alarms_;
  sample.counters.stuck_threads_total = stuck_threads_;
  sample.counters.log_lines_dropped_total = log_.dropped();
  if (flags_.log_samples) log_.Write("sample", SampleEventFields(outcome, cpu_ns));
  latest_.Publish(std::move(outcome.sample));
}

int Watch::Stopped(int signal) {
  log_.Write("stop",
             {{"signal", sigabbrev_np(signal) ? std::string("SIG") + sigabbrev_np(signal) : "?"}});
  if (server_) server_->Stop();
  return kExitComplete;
}

int Watch::TargetExited() {
  auto last = latest_.Get();
  log_.Write("exit", {{"pid", flags_.pid}, {"samples", last ? last->counters.samples_total : 0}});
  if (flags_.keep && server_) {
    log_.Write("keep", {{"serving", "the last sample until SIGINT or SIGTERM"}});
    while (wait_.WaitUntil(INT64_MAX) != SamplingWait::Woke::kSignal) {
    }
    return Stopped(wait_.last_signal());
  }
  if (server_) server_->Stop();
  if (last) WriteReport(last->Snapshot(), ReportFormat::kSummary, std::cout);
  std::cout.flush();
  return kExitComplete;
}

int Watch::Run() {
  settings_.sampler.max_cached_tasks = FingerprintBudget();
  Sampler sampler(flags_.pid, settings_.sampler);
  int64_t cpu_before = ThreadCpuNs();
  SampleOutcome first = sampler.Sample();
  if (!first.sample) {
    if (first.status == CaptureStatus::kInterrupted && wait_.SignalPending()) return kExitComplete;
    std::cerr << "parkscope: " << CaptureFailureMessage(flags_.pid, first.status, first.error)
              << "\n";
    return kExitNothing;
  }
  std::string url = "none";
  if (settings_.listen) {
    WatchServerOptions options;
    options.address = *settings_.listen;
    server_ = std::make_unique<WatchServer>(latest_, options);
    std::string error;
    if (!server_->Start(&error)) {
      std::cerr << "parkscope: " << error << "\n";
      return kExitNothing;
    }
    const std::string& host = settings_.listen->host;
    url = "http://" + (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
          std::to_string(server_->port()) + "/";
  }
  log_.Write("start", {{"pid", flags_.pid},
                       {"command", first.sample->command},
                       {"threads", first.sample->threads.size()},
                       {"interval_s", static_cast<double>(settings_.interval_ns) / 1e9},
                       {"stuck_after_s", static_cast<double>(settings_.stuck_after_ns) / 1e9},
                       {"window", flags_.window},
                       {"min_slope_per_min", flags_.min_slope},
                       {"url", url},
                       {"port", server_ ? server_->port() : 0}});
  Handle(first, ThreadCpuNs() - cpu_before);

  int64_t next_ns = MonotonicNs() + settings_.interval_ns;
  for (;;) {
    switch (wait_.WaitUntil(next_ns)) {
      case SamplingWait::Woke::kSignal:
        return Stopped(wait_.last_signal());
      case SamplingWait::Woke::kTargetExited:
        return TargetExited();
      case SamplingWait::Woke::kTick:
        break;
    }
    // No catching up after a slow sample: the next one is an interval away.
    next_ns = std::max(next_ns + settings_.interval_ns, MonotonicNs());
    cpu_before = ThreadCpuNs();
    SampleOutcome outcome = sampler.Sample();
    if (outcome.sample) {
      last_error_.clear();
      Handle(outcome, ThreadCpuNs() - cpu_before);
      continue;
    }
    if (outcome.status == CaptureStatus::kGone) return TargetExited();
    if (outcome.status == CaptureStatus::kInterrupted && wait_.SignalPending()) {
      return Stopped(wait_.last_signal());
    }
    const std::string error = CaptureFailureMessage(flags_.pid, outcome.status, outcome.error);
    if (error != last_error_) log_.Write("sample_error", {{"error", error}});
    last_error_ = error;
  }
}

}  // namespace

std::function<int()> AddWatchCommand(CLI::App& app) {
  auto flags = std::make_shared<WatchFlags>();
  CLI::App* watch = app.add_subcommand(
      "watch",
      "Sample a process continuously: leak alarms, stuck threads, pprof/metrics endpoints");
  watch->add_option("-p,--pid", flags->pid, "Process to watch")
      ->required()
      ->check(ProcessIdCheck());
  watch->add_option("--interval", flags->interval, "Time between samples")->capture_default_str();
  watch
      ->add_option("--listen", flags->listen,
                   "HTTP address (HOST:PORT, port 0 = any; 'none' = no HTTP)")
      ->capture_default_str();
  watch->add_flag("--listen-any", flags->listen_any,
                  "Allow a --listen address that is not loopback");
  watch->add_option("--stuck-after", flags->stuck_after, "Log a thread parked this long, once")
      ->capture_default_str();
  watch->add_option("--log", flags->log, "Append JSON-lines events here (default stderr)");
  watch->add_option("--window", flags->window, "Samples a leak trend must span")
      ->check(CLI::Range(3, 1000))
      ->capture_default_str();
  watch
      ->add_option("--min-slope", flags->min_slope,
                   "Leak alarm: minimum growth, threads per minute")
      ->check(CLI::Range(0.0, 1e9))
      ->capture_default_str();
  watch->add_flag("--keep", flags->keep, "When the target exits, keep serving its last sample");
  watch->add_flag("--log-samples", flags->log_samples, "Log one line per sample (timings, counts)");
  watch->add_option("--runtime-frames", flags->runtime_frames,
                    "Regex of functions to skip when choosing the wait site (repeatable)");
  watch->add_option("--max-stack", flags->max_stack_kib, "Stack KiB copied per thread")
      ->check(CLI::Range(1, 65536))
      ->capture_default_str();
  watch->add_option("--max-frames", flags->max_frames, "Frames unwound per thread")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  return [watch, flags]() -> int {
    if (!watch->parsed()) return -1;
    auto settings = Validate(*flags);
    if (!settings) return kExitUsage;
    // Before any thread exists (the log's writer, the HTTP workers): the
    // stop signals must be blocked in all of them.
    SamplingWait wait(flags->pid);
    std::string error;
    auto log = EventLog::Open(flags->log, &error);
    if (!log) {
      std::cerr << "parkscope: " << error << "\n";
      return kExitUsage;
    }
    Watch watch_loop(*flags, std::move(*settings), wait, *log);
    return watch_loop.Run();
  };
}

}  // namespace parkscope
