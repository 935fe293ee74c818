#include "report/thread_text.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "report/names.h"

namespace parkscope {

namespace {

std::string Escape(std::string_view text, bool quotes) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (quotes && (c == '"' || c == '\\')) {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string Printable(std::string_view text) { return Escape(text, false); }

std::string CountOf(size_t n, std::string_view noun) {
  std::string out = std::to_string(n) + " ";
  out += noun;
  if (n != 1) out += 's';
  return out;
}

std::string QuoteName(std::string_view name) {
  return "\"" + Escape(name, true) + "\"";
}

std::string FunctionOf(const Frame& frame) {
  return Printable(CleanFunctionName(frame.function));
}

std::string AddressOf(const Frame& frame, bool short_module) {
  if (frame.module.empty()) return Hex(frame.pc);
  std::string module =
      Printable(short_module ? Basename(frame.module) : frame.module);
  return module + "+" + Hex(frame.module_offset);
}

std::string TidText(const ThreadSnapshot& thread) {
  std::string text = std::to_string(thread.tid);
  if (thread.ns_tid && *thread.ns_tid != thread.tid) {
    text += " (ns " + std::to_string(*thread.ns_tid) + ")";
  }
  return text;
}

std::string OwnerPhrase(const WaitState& wait) {
  if (!wait.owner_tid) return "";
  const char* verb =
      wait.reason == WaitReason::kJoin ? "joining thread " : "held by thread ";
  return verb + std::to_string(*wait.owner_tid);
}

const Frame* CreatorFrame(const CreatedBy& created_by) {
  for (const Frame& f : created_by.frames) {
    if (!f.is_runtime) return &f;
  }
  return created_by.frames.empty() ? nullptr : &created_by.frames.front();
}

std::vector<const ThreadSnapshot*> ThreadsInGroupOrder(
    const ProcessSnapshot& snapshot) {
  std::vector<const ThreadSnapshot*> order;
  order.reserve(snapshot.threads.size());
  std::set<const ThreadSnapshot*> listed;
  for (const StackGroup& g : snapshot.groups) {
    for (Tid tid : g.tids) {
      const ThreadSnapshot* t = snapshot.FindThread(tid);
      if (t != nullptr && listed.insert(t).second) order.push_back(t);
    }
  }
  std::vector<const ThreadSnapshot*> rest;
  for (const ThreadSnapshot& t : snapshot.threads) {
    if (listed.count(&t) == 0) rest.push_back(&t);
  }
  std::stable_sort(rest.begin(), rest.end(),
                   [](const ThreadSnapshot* a, const ThreadSnapshot* b) {
                     return a->tid < b->tid;
                   });
  order.insert(order.end(), rest.begin(), rest.end());
  return order;
}

FrameElision ElideFrames(size_t frame_count) {
  if (frame_count <= kInnerFrames + kOuterFrames) return {frame_count, 0};
  return {kInnerFrames, frame_count - kInnerFrames - kOuterFrames};
}

}  // namespace parkscope
