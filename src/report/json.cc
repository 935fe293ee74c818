#include "report/json.h"

#include <nlohmann/json.hpp>

namespace parkscope {
namespace {

using Json = nlohmann::ordered_json;

template <typename T>
Json OrNull(const std::optional<T>& value) {
  return value ? Json(*value) : Json(nullptr);
}

Json FrameJson(const Frame& f) {
  Json j;
  j["pc"] = f.pc;
  j["function"] = f.function;
  j["symbol"] = f.symbol;
  j["file"] = f.file;
  j["line"] = f.line;
  j["inlined"] = f.inlined;
  j["module"] = f.module;
  j["module_offset"] = f.module_offset;
  j["runtime"] = f.is_runtime;
  return j;
}

Json FramesJson(const std::vector<Frame>& frames) {
  Json j = Json::array();
  for (const Frame& f : frames) j.push_back(FrameJson(f));
  return j;
}

Json SiteJson(const WaitSite& site) {
  Json j;
  j["function"] = site.function;
  j["file"] = site.file;
  j["line"] = site.line;
  return j;
}

Json WaitJson(const WaitState& w) {
  Json j;
  j["reason"] = w.Label();
  j["object"] = OrNull(w.object);
  j["object_kind"] = w.object_kind;
  if (!w.fd_kind.empty()) j["fd_kind"] = w.fd_kind;
  j["syscall"] = w.syscall_nr >= 0 ? Json(w.syscall_nr) : Json(nullptr);
  j["blocked_ns"] = OrNull(w.blocked_ns);
  j["blocked_source"] = BlockedSourceName(w.blocked_source);
  j["owner_tid"] = OrNull(w.owner_tid);
  return j;
}

Json ThreadJson(const ThreadSnapshot& t) {
  Json j;
  j["tid"] = t.tid;
  j["ns_tid"] = OrNull(t.ns_tid);
  j["name"] = t.name;
  j["state"] = std::string(1, t.state);
  j["wait"] = WaitJson(t.wait);
  j["capture_method"] = CaptureMethodName(t.method);
  j["stack_note"] = t.stack_note;
  j["capture_error"] = t.capture_error;
  j["stopped_us"] = t.stopped_us;
  bool has_site =
      t.site_frame >= 0 && static_cast<size_t>(t.site_frame) < t.frames.size();
  j["site"] = has_site ? SiteJson(t.Site()) : Json(nullptr);
  j["frames"] = FramesJson(t.frames);
  if (t.created_by) {
    Json c;
    c["tid"] = t.created_by->tid;
    c["frames"] = FramesJson(t.created_by->frames);
    if (!t.created_by->test_name.empty()) c["test"] = t.created_by->test_name;
    j["created_by"] = std::move(c);
  } else {
    j["created_by"] = nullptr;
  }
  return j;
}

Json GroupJson(const StackGroup& g) {
  Json j;
  j["reason"] = g.reason;
  j["site"] = SiteJson(g.site);
  j["count"] = g.tids.size();
  j["tids"] = g.tids;
  j["max_blocked_ns"] = OrNull(g.max_blocked_ns);
  j["min_blocked_ns"] = OrNull(g.min_blocked_ns);
  j["in_deadlock"] = g.in_deadlock;
  return j;
}

Json CaptureJson(const CaptureStats& c) {
  Json j;
  j["wall_us"] = c.wall_us;
  j["threads_stopped_total_us"] = c.threads_stopped_total_us;
  j["longest_stop_us"] = c.longest_stop_us;
  j["longest_stop_tid"] = c.longest_stop_tid;
  j["passes"] = c.passes;
  j["complete"] = c.complete;
  j["consistent"] = c.consistent;
  return j;
}

}  // namespace

void WriteJson(const ProcessSnapshot& snapshot, std::ostream& out) {
  Json j;
  j["schema"] = kJsonSchema;
  j["pid"] = snapshot.pid;
  j["command"] = snapshot.command;
  j["taken_at_unix_ns"] = snapshot.taken_at_unix_ns;
  j["agent_present"] = snapshot.agent_present;
  Json threads = Json::array();
  for (const ThreadSnapshot& t : snapshot.threads)
    threads.push_back(ThreadJson(t));
  j["threads"] = std::move(threads);
  Json groups = Json::array();
  for (const StackGroup& g : snapshot.groups) groups.push_back(GroupJson(g));
  j["groups"] = std::move(groups);
  Json deadlocks = Json::array();
  for (const Deadlock& d : snapshot.deadlocks) {
    Json dj;
    dj["tids"] = d.tids;
    deadlocks.push_back(std::move(dj));
  }
  j["deadlocks"] = std::move(deadlocks);
  j["capture"] = CaptureJson(snapshot.capture);
  // error_handler_t::replace: the default (strict) throws type_error 316 on
  // invalid UTF-8, which a thread name or a symbol can carry.
  out << j.dump(2, ' ', false, Json::error_handler_t::replace) << '\n';
}

}  // namespace parkscope
