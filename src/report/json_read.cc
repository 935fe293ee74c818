// ReadJsonSnapshot: the inverse of WriteJson (json.cc).
#include <limits>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <utility>

#include "report/json.h"

namespace parkscope {
namespace {

using Json = nlohmann::json;

// Thrown by the readers below on a missing key, a wrong type or a value out
// of range, and caught in ReadJsonSnapshot together with nlohmann's own.
struct BadSnapshot {};

const Json& Field(const Json& object, const char* key) {
  if (!object.is_object()) throw BadSnapshot{};
  auto it = object.find(key);
  if (it == object.end()) throw BadSnapshot{};
  return *it;
}

// Integers only, range-checked: get<int>() on 1e300 or on -1 for an unsigned
// field would convert silently (or, from a double, with undefined behaviour).
template <typename T>
T Int(const Json& v) {
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    if (!std::in_range<T>(u)) throw BadSnapshot{};
    return static_cast<T>(u);
  }
  if (v.is_number_integer()) {
    int64_t s = v.get<int64_t>();
    if (!std::in_range<T>(s)) throw BadSnapshot{};
    return static_cast<T>(s);
  }
  throw BadSnapshot{};
}

template <typename T>
std::optional<T> OptInt(const Json& v) {
  if (v.is_null()) return std::nullopt;
  return Int<T>(v);
}

std::string Str(const Json& v) {
  if (!v.is_string()) throw BadSnapshot{};
  return v.get<std::string>();
}

bool Bool(const Json& v) {
  if (!v.is_boolean()) throw BadSnapshot{};
  return v.get<bool>();
}

const Json& Array(const Json& v) {
  if (!v.is_array()) throw BadSnapshot{};
  return v;
}

std::vector<Tid> Tids(const Json& v) {
  std::vector<Tid> tids;
  for (const Json& t : Array(v)) tids.push_back(Int<Tid>(t));
  return tids;
}

BlockedSource SourceFromName(const std::string& name) {
  for (BlockedSource s : {BlockedSource::kUnknown, BlockedSource::kSched,
                          BlockedSource::kAgent, BlockedSource::kObserved}) {
    if (name == BlockedSourceName(s)) return s;
  }
  throw BadSnapshot{};
}

CaptureMethod MethodFromName(const std::string& name) {
  for (CaptureMethod m : {CaptureMethod::kNone, CaptureMethod::kPtraceStop,
                          CaptureMethod::kNoStop}) {
    if (name == CaptureMethodName(m)) return m;
  }
  throw BadSnapshot{};
}

Frame ReadFrame(const Json& j) {
  Frame f;
  f.pc = Int<uint64_t>(Field(j, "pc"));
  f.function = Str(Field(j, "function"));
  f.symbol = Str(Field(j, "symbol"));
  f.file = Str(Field(j, "file"));
  f.line = Int<int>(Field(j, "line"));
  f.inlined = Bool(Field(j, "inlined"));
  f.module = Str(Field(j, "module"));
  f.module_offset = Int<uint64_t>(Field(j, "module_offset"));
  f.is_runtime = Bool(Field(j, "runtime"));
  return f;
}

std::vector<Frame> ReadFrames(const Json& j) {
  std::vector<Frame> frames;
  for (const Json& f : Array(j)) frames.push_back(ReadFrame(f));
  return frames;
}

WaitSite ReadSite(const Json& j) {
  return {Str(Field(j, "function")), Str(Field(j, "file")),
          Int<int>(Field(j, "line"))};
}

WaitState ReadWait(const Json& j) {
  WaitState w;
  std::string label = Str(Field(j, "reason"));
  if (auto reason = WaitReasonFromName(label)) {
    w.reason = *reason;
  } else if (label.rfind("other syscall", 0) == 0) {
    w.reason = WaitReason::kOtherSyscall;
  } else {
    w.annotation = label;
  }
  w.object = OptInt<uint64_t>(Field(j, "object"));
  w.object_kind = Str(Field(j, "object_kind"));
  if (!w.annotation.empty()) {
    // The schema prints an annotation instead of the reason under it. The
    // waited-on object still says which kind of wait it was at the kernel
    // level, which keeps IsParked (and so sorting and counts) right.
    if (w.object_kind == "futex") w.reason = WaitReason::kFutexWait;
    if (w.object_kind == "fd") w.reason = WaitReason::kIoWait;
  }
  if (j.contains("fd_kind")) w.fd_kind = Str(j["fd_kind"]);
  w.syscall_nr = OptInt<int>(Field(j, "syscall")).value_or(-1);
  if (w.syscall_nr < -1) throw BadSnapshot{};
  w.blocked_ns = OptInt<int64_t>(Field(j, "blocked_ns"));
  w.blocked_source = SourceFromName(Str(Field(j, "blocked_source")));
  w.owner_tid = OptInt<Tid>(Field(j, "owner_tid"));
  return w;
}

ThreadSnapshot ReadThread(const Json& j) {
  ThreadSnapshot t;
  t.tid = Int<Tid>(Field(j, "tid"));
  // Absent from dumps written before containers were reported.
  if (j.contains("ns_tid")) t.ns_tid = OptInt<Tid>(j["ns_tid"]);
  t.name = Str(Field(j, "name"));
  std::string state = Str(Field(j, "state"));
  t.state = state.empty() ? '?' : state[0];
  t.wait = ReadWait(Field(j, "wait"));
  t.method = MethodFromName(Str(Field(j, "capture_method")));
  t.stack_note = Str(Field(j, "stack_note"));
  t.capture_error = Str(Field(j, "capture_error"));
  t.stopped_us = Int<uint64_t>(Field(j, "stopped_us"));
  t.frames = ReadFrames(Field(j, "frames"));
  // The site is the innermost frame not marked runtime (MarkRuntimeFrames);
  // a null site means there was none.
  if (!Field(j, "site").is_null()) {
    for (size_t i = 0; i < t.frames.size(); ++i) {
      if (!t.frames[i].is_runtime) {
        t.site_frame = static_cast<int>(i);
        break;
      }
    }
  }
  const Json& created_by = Field(j, "created_by");
  if (!created_by.is_null()) {
    t.created_by = CreatedBy{Int<Tid>(Field(created_by, "tid")),
                             ReadFrames(Field(created_by, "frames")), "", 0};
    if (created_by.contains("test") && created_by["test"].is_string()) {
      t.created_by->test_name = created_by["test"].get<std::string>();
    }
  }
  return t;
}

using TidIndex = std::unordered_map<Tid, size_t>;

// The representative is not in the schema: the thread blocked longest,
// lowest tid on ties, as GroupAndSort chooses it.
size_t Representative(const ProcessSnapshot& s, const TidIndex& index,
                      const std::vector<Tid>& tids) {
  std::optional<size_t> best;
  auto better = [&](size_t a, size_t b) {
    const auto& ba = s.threads[a].wait.blocked_ns;
    const auto& bb = s.threads[b].wait.blocked_ns;
    if (ba.has_value() != bb.has_value()) return ba.has_value();
    if (ba && *ba != *bb) return *ba > *bb;
    return s.threads[a].tid < s.threads[b].tid;
  };
  for (Tid tid : tids) {
    auto it = index.find(tid);
    if (it == index.end()) throw BadSnapshot{};  // a group names its threads
    if (!best || better(it->second, *best)) best = it->second;
  }
  if (!best) throw BadSnapshot{};  // an empty group
  return *best;
}

StackGroup ReadGroup(const ProcessSnapshot& s, const TidIndex& index,
                     const Json& j) {
  StackGroup g;
  g.reason = Str(Field(j, "reason"));
  g.site = ReadSite(Field(j, "site"));
  g.tids = Tids(Field(j, "tids"));
  if (Int<size_t>(Field(j, "count")) != g.tids.size()) throw BadSnapshot{};
  g.max_blocked_ns = OptInt<int64_t>(Field(j, "max_blocked_ns"));
  g.min_blocked_ns = OptInt<int64_t>(Field(j, "min_blocked_ns"));
  g.in_deadlock = Bool(Field(j, "in_deadlock"));
  g.representative = Representative(s, index, g.tids);
  return g;
}

CaptureStats ReadCapture(const Json& j) {
  CaptureStats c;
  c.wall_us = Int<uint64_t>(Field(j, "wall_us"));
  c.threads_stopped_total_us =
      Int<uint64_t>(Field(j, "threads_stopped_total_us"));
  c.longest_stop_us = Int<uint64_t>(Field(j, "longest_stop_us"));
  c.longest_stop_tid = Int<Tid>(Field(j, "longest_stop_tid"));
  c.passes = Int<int>(Field(j, "passes"));
  c.complete = Bool(Field(j, "complete"));
  c.consistent = Bool(Field(j, "consistent"));
  return c;
}

ProcessSnapshot ReadSnapshot(const Json& j) {
  if (Str(Field(j, "schema")) != kJsonSchema) throw BadSnapshot{};
  ProcessSnapshot s;
  s.pid = Int<Pid>(Field(j, "pid"));
  s.command = Str(Field(j, "command"));
  s.taken_at_unix_ns = Int<int64_t>(Field(j, "taken_at_unix_ns"));
  s.agent_present = Bool(Field(j, "agent_present"));
  for (const Json& t : Array(Field(j, "threads"))) {
    s.threads.push_back(ReadThread(t));
  }
  TidIndex index;
  for (size_t i = 0; i < s.threads.size(); ++i) {
    index.emplace(s.threads[i].tid, i);
  }
  for (const Json& g : Array(Field(j, "groups"))) {
    s.groups.push_back(ReadGroup(s, index, g));
  }
  for (const Json& d : Array(Field(j, "deadlocks"))) {
    s.deadlocks.push_back(Deadlock{Tids(Field(d, "tids"))});
  }
  s.capture = ReadCapture(Field(j, "capture"));
  return s;
}

}  // namespace

std::optional<ProcessSnapshot> ReadJsonSnapshot(std::string_view text) {
  try {
    Json j = Json::parse(text.begin(), text.end());
    return ReadSnapshot(j);
  } catch (const BadSnapshot&) {
    return std::nullopt;
  } catch (const std::exception&) {  // nlohmann::json::exception, bad_alloc
    return std::nullopt;
  }
}

}  // namespace parkscope
