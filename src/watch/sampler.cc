#include "watch/sampler.h"

#include <algorithm>
#include <set>

#include "analyze/classify.h"
#include "ptrace/remote_memory.h"
#include "ptrace/thread_stop.h"

namespace parkscope {
namespace {

// Waits whose owner can change while the waiter sleeps (a lock handed to a
// third thread); a reused thread's owner is read again every sample.
bool OwnerMayChange(WaitReason reason) {
  return reason == WaitReason::kMutexLock || reason == WaitReason::kRwlockRead ||
         reason == WaitReason::kRwlockWrite;
}

// Every this many samples the fingerprint includes the thread's name.
constexpr uint64_t kNameCheckEvery = 16;

bool Captured(CaptureStatus status) {
  return status == CaptureStatus::kOk || status == CaptureStatus::kPartial;
}

}  // namespace

BlockedAtSample BlockedDuration(const WaitState& wait, bool reused, int64_t valid_at_ns,
                                std::optional<int64_t> parked_since_ns, int64_t sample_ns) {
  if (wait.blocked_ns) {
    const int64_t since_read = reused ? std::max<int64_t>(0, sample_ns - valid_at_ns) : 0;
    return {*wait.blocked_ns + since_read, wait.blocked_source};
  }
  if (parked_since_ns && IsParked(wait.reason)) {
    return {std::max<int64_t>(0, sample_ns - *parked_since_ns), BlockedSource::kObserved};
  }
  return {};
}

Sampler::Sampler(Pid pid, SamplerOptions options)
    : pid_(pid), options_(std::move(options)), reader_(pid, options_.max_cached_tasks) {
  options_.snapshot.cache = &cache_;
  options_.snapshot.capture.maps_memo = &maps_memo_;
  options_.snapshot.capture.unchanged_since_previous = [this](Tid tid) { return Unchanged(tid); };
}

bool Sampler::Unchanged(Tid tid) {
  // Names are compared every few samples only: a rename does not move the
  // stack, and reading comm doubles the cost of an unchanged thread.
  const bool check_name = (seq_ + 1) % kNameCheckEvery == 0;
  auto now = reader_.Read(tid, check_name);
  if (!now) return false;  // gone, or a new thread under a reused tid
  auto it = history_.find(tid);
  if (it != history_.end() && it->second.baseline && !check_name) {
    now->name = it->second.baseline->name;
  }
  // With status as the source the state is part of the fingerprint, and
  // the baseline's was asleep.
  const bool same = it != history_.end() && it->second.baseline && *now == *it->second.baseline;
  if (!same) before_[tid] = std::move(*now);
  return same;
}

Sampler::ThreadHistory Sampler::FromCapture(ThreadSnapshot thread, const SnapshotResult& result,
                                            int64_t started) {
  ThreadHistory h;
  const Tid tid = thread.tid;
  auto probe = result.probes.find(tid);
  h.valid_at_ns = probe != result.probes.end() ? probe->second.probed_at_ns : started;
  auto before = before_.find(tid);
  if (before != before_.end() && probe != result.probes.end() && probe->second.syscall &&
      thread.method != CaptureMethod::kNone) {
    // By now (after unwinding and symbolizing) a released thread is back
    // in its call; a thread that is not simply gets captured again.
    // The fingerprint last: if the thread ran between these reads, its
    // count has moved past what the stop explains.
    const char state = reader_.ReadState(tid);
    auto after_syscall = reader_.ReadSyscall(tid);
    auto after = reader_.Read(tid);
    // Compared with the name the report shows: a thread renamed meanwhile
    // gets no baseline and is captured, with its new name, next time.
    TaskFingerprint as_reported = before->second;
    as_reported.name = thread.name;
    if (after && after_syscall &&
        SameWaitAfterCapture(as_reported, *probe->second.syscall, *after, state, *after_syscall,
                             thread.method == CaptureMethod::kPtraceStop)) {
      h.baseline = std::move(*after);
      h.baseline_at_ns = MonotonicNs();
    }
  }
  h.thread = std::make_shared<const ThreadSnapshot>(std::move(thread));
  return h;
}

SampleOutcome Sampler::Sample() {
  const int64_t started = MonotonicNs();
  before_.clear();
  SnapshotResult result = TakeSnapshot(pid_, options_.snapshot);
  SampleOutcome outcome;
  outcome.status = result.status;
  outcome.error = result.error;
  if (!Captured(result.status)) {
    ++counters_.sample_errors_total;
    return outcome;
  }

  // History is updated in place, marked with this sample's number: an
  // unchanged process then costs no allocation per thread.
  const uint64_t seq = seq_ + 1;
  for (Tid tid : result.reused) {
    ThreadHistory& h = history_.at(tid);  // Unchanged() says yes only with a history
    if (!h.parked_since_ns) h.parked_since_ns = h.baseline_at_ns;
    h.seen_in = seq;
    h.reused = true;
  }
  size_t stopped = 0;
  bool registry_read = false;
  for (ThreadSnapshot& thread : result.snapshot.threads) {
    stopped += thread.method == CaptureMethod::kPtraceStop;
    registry_read |= thread.method != CaptureMethod::kNone;
    const Tid tid = thread.tid;
    ThreadHistory& h = history_[tid];
    h = FromCapture(std::move(thread), result, started);
    h.seen_in = seq;
  }
  for (auto it = history_.begin(); it != history_.end();) {
    if (it->second.seen_in == seq) {
      ++it;
      continue;
    }
    reader_.Forget(it->first);
    it = history_.erase(it);
  }
  // With nothing copied the agent registry was not read; it did not change.
  if (registry_read) agent_present_ = result.snapshot.agent_present;

  outcome.exec = !command_.empty() && result.snapshot.command != command_;
  command_ = result.snapshot.command;
  outcome.reused = result.reused.size();
  outcome.captured = result.snapshot.threads.size();

  ++counters_.samples_total;
  counters_.threads_stopped_total += stopped;
  counters_.threads_reused_total += result.reused.size();
  const CaptureStats& stats = result.snapshot.capture;
  counters_.last_sample_unix_seconds = static_cast<double>(result.snapshot.taken_at_unix_ns) / 1e9;
  counters_.last_sample_stopped_seconds = static_cast<double>(stats.threads_stopped_total_us) / 1e6;
  counters_.last_sample_longest_stop_seconds = static_cast<double>(stats.longest_stop_us) / 1e6;
  outcome.sample = BuildSample(result, started);
  counters_.last_sample_duration_seconds = static_cast<double>(MonotonicNs() - started) / 1e9;
  outcome.sample->counters = counters_;
  return outcome;
}

std::shared_ptr<WatchSample> Sampler::BuildSample(const SnapshotResult& result, int64_t started) {
  auto sample = std::make_shared<WatchSample>();
  sample->seq = ++seq_;
  sample->pid = pid_;
  sample->command = result.snapshot.command;
  sample->taken_at_unix_ns = result.snapshot.taken_at_unix_ns;
  sample->monotonic_ns = started;
  sample->agent_present = agent_present_;
  sample->capture = result.snapshot.capture;

  std::vector<Tid> tids;
  tids.reserve(history_.size());
  for (const auto& [tid, h] : history_) tids.push_back(tid);
  std::sort(tids.begin(), tids.end());
  // Built only if some reused thread waits for a lock (ResolveOwner's input).
  std::optional<std::set<Tid>> live;
  TargetTids target_tids;  // filled with live: the owner words hold the target's tids
  const Tid reader = history_.count(pid_) ? pid_ : (tids.empty() ? pid_ : tids.front());
  const ReadWord read_word = [reader](uint64_t addr) { return ReadRemoteU32(reader, addr); };

  sample->threads.reserve(tids.size());
  size_t parked = 0;
  for (Tid tid : tids) {
    const ThreadHistory& h = history_.at(tid);
    const WaitState& wait = h.thread->wait;
    SampledThread st;
    st.thread = h.thread;
    st.reused = h.reused;
    st.owner_tid = wait.owner_tid;
    const BlockedAtSample blocked =
        BlockedDuration(wait, st.reused, h.valid_at_ns, h.parked_since_ns, started);
    st.blocked_ns = blocked.ns;
    st.blocked_source = blocked.source;
    if (st.reused && OwnerMayChange(wait.reason)) {
      WaitState again = wait;
      again.owner_tid.reset();
      if (!live) {
        live.emplace(tids.begin(), tids.end());
        // The last capture read each thread's NSpid; reused ones keep it.
        for (const auto& [host_tid, h] : history_) {
          if (!h.thread->ns_tid) continue;
          if (*h.thread->ns_tid != host_tid) target_tids.SetForeign();
          target_tids.Add(host_tid, *h.thread->ns_tid);
        }
      }
      ResolveOwner(tid, *live, read_word, &again, target_tids);
      st.owner_tid = again.owner_tid;
    }
    parked += IsParked(wait.reason);
    sample->threads.push_back(std::move(st));
  }

  points_.push_back({sample->taken_at_unix_ns / 1'000'000, sample->threads.size(), parked});
  while (points_.size() > options_.history_points) points_.pop_front();
  sample->history.assign(points_.begin(), points_.end());
  return sample;
}

}  // namespace parkscope
