#include "collect/take_snapshot.h"

#include <chrono>
#include <set>
#include <unordered_map>

#include "analyze/analyze.h"
#include "analyze/classify.h"
#include "analyze/site.h"
#include "proc/comm.h"
#include "proc/fd_kind.h"
#include "ptrace/remote_memory.h"
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

}  // namespace

SnapshotResult TakeSnapshot(Pid pid, const SnapshotOptions& options) {
  SnapshotResult result;
  const int64_t taken_at = UnixNowNs();
  RawCapture capture = CaptureProcess(pid, options.capture);
  result.status = capture.status;
  result.error = capture.error;
  if (capture.threads.empty()) return result;

  // Right after the capture, so the records are as close as they can be to
  // the moment each thread was probed.
  AgentRegistry registry = ReadAgentRegistry(pid, capture.memory_tid, capture.maps);

  ProcessSnapshot& snapshot = result.snapshot;
  snapshot.pid = pid;
  snapshot.command = ReadCommand(pid);
  snapshot.taken_at_unix_ns = taken_at;
  snapshot.capture = capture.stats;

  std::string session_error;
  auto session = ModuleSession::Create(pid, capture.memory_tid, capture.maps,
                                       &session_error);
  std::vector<UnwoundStack> stacks;
  if (session) stacks = UnwindAll(*session, capture, options.max_frames);
  std::optional<Symbolizer> symbolizer;
  if (session) symbolizer.emplace(*session);

  std::set<Tid> live;
  for (const auto& raw : capture.threads) {
    if (raw.probe.state != 'Z' && raw.probe.state != 'X') live.insert(raw.tid);
  }
  const Tid reader = capture.memory_tid;
  ReadWord read_word = [reader](uint64_t addr) { return ReadRemoteU32(reader, addr); };
  FdKindOf fd_kind = [pid](long fd) { return ReadFdKind(pid, fd); };

  for (size_t i = 0; i < capture.threads.size(); ++i) {
    const RawThread& raw = capture.threads[i];
    ThreadSnapshot thread = ToThread(raw);
    if (symbolizer && i < stacks.size()) {
      for (const PhysicalFrame& physical : stacks[i].frames) {
        for (const Frame& frame : symbolizer->Symbolize(physical.pc, physical.is_activation)) {
          thread.frames.push_back(frame);
        }
      }
      if (!stacks[i].note.empty()) {
        thread.stack_note += (thread.stack_note.empty() ? "" : "; ") + stacks[i].note;
      }
    } else if (!session_error.empty() && raw.method != CaptureMethod::kNone) {
      thread.stack_note = session_error;
    }
    WaitEvidence evidence{raw.probe.state, raw.probe.syscall, raw.probe.blocked_ns};
    thread.wait = ClassifyWait(evidence, thread.frames, fd_kind);
    ResolveOwner(thread.tid, live, read_word, &thread.wait);
    snapshot.threads.push_back(std::move(thread));
  }

  std::unordered_map<Tid, int64_t> probed_at;
  for (const auto& raw : capture.threads) probed_at[raw.tid] = raw.probe.probed_at_ns;
  MergeAgentRecords(
      registry, [&](Tid tid) { return probed_at.count(tid) ? probed_at[tid] : 0; },
      symbolizer ? &*symbolizer : nullptr, live, read_word, fd_kind, &snapshot);

  Analyze(snapshot, options.runtime_frames);
  return result;
}

}  // namespace parkscope
