#include "collect/take_snapshot.h"

#include <chrono>
#include <set>
#include <thread>
#include <unordered_map>

#include "analyze/analyze.h"
#include "analyze/classify.h"
#include "analyze/site.h"
#include "collect/symbol_prefetch.h"
#include "proc/comm.h"
#include "proc/fd_kind.h"
#include "proc/target_tids.h"
#include "ptrace/cpu_yield.h"
#include "ptrace/helper_thread.h"
#include "ptrace/remote_memory.h"
#include "ptrace/thread_stop.h"
#include "symbolize/module_session.h"
#include "symbolize/symbolizer.h"
#include "unwind/stack_unwinder.h"
#include "waitstate/agent_merge.h"
#include "waitstate/registry_reader.h"

namespace parkscope {
namespace {

int64_t UnixNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

ThreadSnapshot ToThread(const RawThread& raw) {
  ThreadSnapshot thread;
  thread.tid = raw.tid;
  thread.name = raw.probe.name;
  thread.state = raw.probe.state;
  thread.method = raw.method;
  thread.capture_error = raw.error;
  thread.stack_note = raw.note;
  thread.stopped_us = static_cast<uint64_t>(raw.held_ns / 1000);
  return thread;
}

// The cache's symbolizer, bound to a session of the current modules; null
// when no session can be made (the caller then uses its own).
Symbolizer* CachedSymbolizer(Pid pid, const RawCapture& capture, SamplingCache* cache) {
  // Bounded: a busy thread visits new pcs forever; start over past this.
  constexpr size_t kMaxCachedPcs = 1 << 18;
  std::string key = ModulesKey(capture.maps);
  if (!cache->symbol_session || key != cache->modules_key) {
    std::string error;
    auto session = ModuleSession::Create(pid, capture.memory_tid, capture.maps, &error);
    if (!session) return nullptr;
    if (cache->symbolizer) cache->symbolizer->Rebind(*session);
    cache->symbol_session = std::move(session);  // after the rebind: never dangling
    cache->modules_key = std::move(key);
  }
  if (cache->symbolizer && cache->symbolizer->cache_size() > kMaxCachedPcs) {
    cache->symbolizer.reset();
  }
  if (!cache->symbolizer) cache->symbolizer = std::make_unique<Symbolizer>(*cache->symbol_session);
  return cache->symbolizer.get();
}

// Where every stack of a thread ends: the entry of a thread made by
// pthread_create (clone3, or clone on older libcs) or of the main thread.
bool EndsAtThreadEntry(Symbolizer& symbolizer, const UnwoundStack& stack) {
  if (!stack.complete || stack.frames.empty()) return false;
  const PhysicalFrame& outermost = stack.frames.back();
  std::vector<Frame> frames = symbolizer.Symbolize(outermost.pc, outermost.is_activation);
  if (frames.empty()) return false;
  static const char* const kEntries[] = {"_start", "__clone3", "clone3", "__clone", "clone"};
  for (const char* entry : kEntries) {
    if (frames.back().symbol == entry) return true;
  }
  return false;
}

// A thread copied asleep has only sp, pc and the syscall arguments. A walk
// that needed another register (rbp, in a frame built with frame pointers
// whose callees never saved it) ends as if the stack ended there: libdwfl
// takes the return address as undefined. So such a walk counts only if it
// reached a thread's entry; the other threads are stopped now, copied with
// every register, and walked again. In a second session: libdwfl lets a
// Dwfl hold one unwinding state only.
void RedoShortWalks(Pid pid, const SnapshotOptions& options, Symbolizer& symbolizer,
                    RawCapture* capture, std::vector<UnwoundStack>* stacks) {
  std::vector<size_t> incomplete;
  for (size_t i = 0; i < capture->threads.size() && i < stacks->size(); ++i) {
    if (capture->threads[i].copied_asleep && !EndsAtThreadEntry(symbolizer, (*stacks)[i])) {
      incomplete.push_back(i);
    }
  }
  if (incomplete.empty()) return;
  std::vector<size_t> stopped = StopAndCopyAgain(options.capture, incomplete, capture);
  if (stopped.empty()) return;
  std::string error;
  auto session = ModuleSession::Create(pid, capture->memory_tid, capture->maps, &error);
  if (!session) return;
  RawCapture again;
  again.pid = capture->pid;
  again.memory_tid = capture->memory_tid;
  for (size_t i : stopped) again.threads.push_back(capture->threads[i]);
  std::vector<UnwoundStack> walked = UnwindAll(*session, again, options.max_frames);
  for (size_t k = 0; k < stopped.size() && k < walked.size(); ++k) {
    (*stacks)[stopped[k]] = std::move(walked[k]);
  }
}

// Microseconds since *mark, and moves the mark to now.
int64_t LapUs(int64_t* mark) {
  const int64_t now = MonotonicNs();
  const int64_t us = (now - *mark) / 1000;
  *mark = now;
  return us;
}

}  // namespace

SnapshotResult TakeSnapshot(Pid pid, const SnapshotOptions& options) {
  // The helpers below may work SCHED_IDLE while this scope watches them
  // (ptrace/cpu_yield.h); inside a dump's, which yields every thread, this
  // one does nothing.
  CpuYieldScope helpers_yield(CpuYield::kHelpersOnly);
  SnapshotResult result;
  const int64_t taken_at = UnixNowNs();
  int64_t mark = MonotonicNs();
  // A one-off snapshot starts loading debug information now; a series
  // (options.cache) keeps its symbols from one sample to the next instead.
  std::optional<SymbolPrefetch> prefetch;
  if (options.cache == nullptr) prefetch.emplace(pid);
  RawCapture capture = CaptureProcess(pid, options.capture);
  result.times.capture_us = LapUs(&mark);
  result.status = capture.status;
  result.error = capture.error;
  if (capture.threads.empty()) return result;

  // With every thread reused there is nothing to unwind or symbolize, and
  // the agent's records of those threads cannot have changed: a record is
  // written only by its own thread, which has not run.
  bool any_copied = false;
  for (const auto& raw : capture.threads) any_copied |= raw.method != CaptureMethod::kNone;
  const bool incremental = static_cast<bool>(options.capture.unchanged_since_previous);

  // Right after the capture, so the records are as close as they can be to
  // the moment each thread was probed.
  AgentRegistry registry;
  if (!incremental || any_copied) {
    registry = ReadAgentRegistry(pid, capture.memory_tid, capture.maps);
  }
  result.times.agent_us = LapUs(&mark);

  ProcessSnapshot& snapshot = result.snapshot;
  snapshot.pid = pid;
  snapshot.command = ReadCommand(pid);
  snapshot.taken_at_unix_ns = taken_at;
  snapshot.capture = capture.stats;

  // A prefetch that is over hands its session to the unwinder as well: a
  // session made here would load the same modules' CFI and DWARF again. One
  // still loading (cold debug files) goes on beside the unwinding instead.
  PrefetchedSymbols prefetched;
  if (prefetch && prefetch->Done()) prefetched = prefetch->Finish(capture.memory_tid, capture.maps);
  std::string session_error;
  std::unique_ptr<ModuleSession> own_session;
  ModuleSession* session = prefetched.session.get();
  if (session == nullptr && (!incremental || any_copied)) {
    own_session = ModuleSession::Create(pid, capture.memory_tid, capture.maps, &session_error);
    session = own_session.get();
  }
  result.times.modules_us = LapUs(&mark);
  std::vector<UnwoundStack> stacks;
  std::unique_ptr<ModuleSession> helper_session;
  if (session && capture.threads.size() >= kThreadsWorthAHelper &&
      std::thread::hardware_concurrency() >= 2) {
    helper_session = ModuleSession::Create(pid, capture.memory_tid, capture.maps, &session_error);
  }
  if (session) stacks = UnwindAll(*session, capture, options.max_frames, helper_session.get());
  result.times.unwind_us = LapUs(&mark);
  std::optional<Symbolizer> own_symbolizer;
  Symbolizer* symbolizer = nullptr;
  if (prefetch && !prefetched.session) prefetched = prefetch->Finish(capture.memory_tid, capture.maps);
  result.times.prefetch_us = LapUs(&mark);
  if (session && options.cache != nullptr) {
    symbolizer = CachedSymbolizer(pid, capture, options.cache);
  }
  if (symbolizer == nullptr && session) {
    symbolizer = prefetched.symbolizer ? prefetched.symbolizer.get() : &own_symbolizer.emplace(*session);
  }
  if (symbolizer != nullptr) {
    RedoShortWalks(pid, options, *symbolizer, &capture, &stacks);
    snapshot.capture = capture.stats;  // with the stops that made
  }
  // Every walk is final: the stack copies (5 MB for 1,000 threads) go back
  // to the allocator now, whose pages the frames built next reuse instead
  // of faulting in fresh ones.
  for (RawThread& raw : capture.threads) std::vector<uint8_t>().swap(raw.stack);

  std::set<Tid> live;
  for (const auto& raw : capture.threads) {
    if (raw.probe.state != 'Z' && raw.probe.state != 'X') live.insert(raw.tid);
  }
  // After the capture, not in the probe: NSpid never changes, and the probe
  // runs while threads are held. Reused threads too: one may own a lock.
  const TargetTids target_tids =
      ReadTargetTids(pid, std::vector<Tid>(live.begin(), live.end()));
  const Tid reader = capture.memory_tid;
  ReadWord read_word = [reader](uint64_t addr) { return ReadRemoteU32(reader, addr); };
  FdKindOf fd_kind = [pid](long fd) { return ReadFdKind(pid, fd); };

  // Every pc is looked up first, on this thread; then the frames are
  // copied out of the cache and the waits classified, by two threads for a
  // large capture (27,000 frame copies and the lock-owner reads of 1,000
  // threads were most of this stage).
  if (symbolizer != nullptr) {
    for (const UnwoundStack& stack : stacks) {
      for (const PhysicalFrame& physical : stack.frames) {
        symbolizer->Learn(physical.pc, physical.is_activation);
      }
    }
  }
  std::vector<ThreadSnapshot> built(capture.threads.size());
  auto build_range = [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      const RawThread& raw = capture.threads[i];
      if (raw.reused) continue;
      ThreadSnapshot& thread = built[i];
      thread = ToThread(raw);
      thread.ns_tid = target_tids.InTarget(raw.tid);
      if (symbolizer && i < stacks.size()) {
        // Inlined calls add frames: room for a quarter more, so that the
        // common stack is copied into one allocation, not moved out of a
        // full one (27 frames from 25 pcs doubled every thread's vector).
        const size_t physical = stacks[i].frames.size();
        thread.frames.reserve(physical + physical / 4 + 2);
        for (const PhysicalFrame& physical : stacks[i].frames) {
          symbolizer->SymbolizeKnown(physical.pc, physical.is_activation, &thread.frames);
        }
        if (!stacks[i].note.empty()) {
          thread.stack_note += (thread.stack_note.empty() ? "" : "; ") + stacks[i].note;
        }
      } else if (!session_error.empty() && raw.method != CaptureMethod::kNone) {
        thread.stack_note = session_error;
      }
      WaitEvidence evidence{raw.probe.state, raw.probe.syscall, raw.probe.blocked_ns};
      thread.wait = ClassifyWait(evidence, thread.frames, fd_kind);
      ResolveOwner(thread.tid, live, read_word, &thread.wait, target_tids);
    }
  };
  const size_t n = capture.threads.size();
  if (n >= kThreadsWorthAHelper && std::thread::hardware_concurrency() >= 2) {
    std::thread helper = StartHelperThread([&] { build_range(n / 2, n); });
    build_range(0, n / 2);
    helper.join();
  } else {
    build_range(0, n);
  }
  for (size_t i = 0; i < n; ++i) {
    const RawThread& raw = capture.threads[i];
    if (raw.reused) {
      result.reused.push_back(raw.tid);
      continue;
    }
    if (incremental) result.probes[raw.tid] = raw.probe;
    snapshot.threads.push_back(std::move(built[i]));
  }

  result.times.symbolize_us = LapUs(&mark);

  std::unordered_map<Tid, int64_t> probed_at;
  for (const auto& raw : capture.threads) {
    if (!raw.reused) probed_at[raw.tid] = raw.probe.probed_at_ns;
  }
  MergeAgentRecords(
      registry, [&](Tid tid) { return probed_at.count(tid) ? probed_at[tid] : 0; },
      symbolizer, live, read_word, fd_kind, target_tids, &snapshot);

  Analyze(snapshot, options.runtime_frames);
  result.times.analyze_us = LapUs(&mark);
  return result;
}

}  // namespace parkscope
