#include "report/summary.h"

#include <string>
#include <vector>

#include "report/duration_format.h"
#include "report/names.h"
#include "report/thread_text.h"

namespace parkscope {
namespace {

// More tids than this print as "… (+N more)": the full list is in JSON.
constexpr size_t kMaxTidsShown = 20;

bool Captured(const ThreadSnapshot& t) { return t.capture_error.empty(); }

const Frame* SiteFrame(const ThreadSnapshot& t) {
  if (t.site_frame < 0 ||
      static_cast<size_t>(t.site_frame) >= t.frames.size()) {
    return nullptr;
  }
  return &t.frames[t.site_frame];
}

// "at fetch.cc:88", "in worker(Channel&)" (no line info) or
// "at libevloop.so+0x1a2b0" (stripped); with_function adds " in worker(...)"
// after a file:line.
std::string SiteWords(const ThreadSnapshot& t, bool with_function) {
  const Frame* f = SiteFrame(t);
  if (f == nullptr)
    return t.frames.empty() ? "(no stack)" : "(only runtime frames)";
  std::string name = ShortenName(FunctionOf(*f));
  if (!f->file.empty()) {
    std::string words =
        "at " + Printable(Basename(f->file)) + ":" + std::to_string(f->line);
    if (with_function && !name.empty()) words += " in " + name;
    return words;
  }
  if (!name.empty()) return "in " + name;
  return "at " + AddressOf(*f, /*short_module=*/true);
}

// "blocked 9m12s .. 9m40s", "blocked 5.1s", "blocked ?".
std::string BlockedWords(const StackGroup& g) {
  if (!g.max_blocked_ns) return "blocked ?";
  std::string max = FormatDuration(*g.max_blocked_ns);
  std::string min =
      FormatDuration(g.min_blocked_ns.value_or(*g.max_blocked_ns));
  return min == max ? "blocked " + max : "blocked " + min + " .. " + max;
}

const char* SourceWords(BlockedSource source) {
  switch (source) {
    case BlockedSource::kAgent:
      return "time since the wait began (agent)";
    case BlockedSource::kSched:
      return "time since last run (sched)";
    case BlockedSource::kObserved:
      return "parked since an earlier sample (observed)";
    case BlockedSource::kUnknown:
      break;
  }
  return "unknown";
}

void WriteHeader(const ProcessSnapshot& s, std::ostream& out) {
  out << "parkscope: pid " << s.pid;
  if (!s.command.empty()) out << " (" << Printable(s.command) << ")";
  out << " — " << CountOf(s.threads.size(), "thread") << ", " << s.ParkedCount()
      << " parked\n";

  size_t failed = 0;
  for (const ThreadSnapshot& t : s.threads) failed += !Captured(t);
  const CaptureStats& c = s.capture;
  out << "capture: " << CountOf(s.threads.size() - failed, "thread") << " in "
      << FormatMicros(c.wall_us);
  if (c.threads_stopped_total_us > 0) {
    out << "; stopped " << FormatMicros(c.threads_stopped_total_us) << " total"
        << (c.consistent ? " (all at once)" : "") << ", longest "
        << FormatMicros(c.longest_stop_us) << " (tid " << c.longest_stop_tid
        << ")";
  } else {
    out << "; no thread stopped";
  }
  if (failed > 0) {
    out << "; partial: " << CountOf(failed, "thread") << " not captured\n";
  } else {
    out << (c.complete ? "; complete\n" : "; partial\n");
  }

  // Where the parked threads' durations came from, so a reader knows how far
  // to trust them: once here instead of on every group.
  const BlockedSource kOrder[] = {BlockedSource::kAgent, BlockedSource::kSched,
                                  BlockedSource::kObserved,
                                  BlockedSource::kUnknown};
  size_t counts[4] = {};
  size_t kinds = 0;
  for (const ThreadSnapshot& t : s.threads) {
    if (!IsParked(t.wait.reason)) continue;
    BlockedSource source =
        t.wait.blocked_ns ? t.wait.blocked_source : BlockedSource::kUnknown;
    for (size_t i = 0; i < 4; ++i) {
      if (kOrder[i] == source && counts[i]++ == 0) ++kinds;
    }
  }
  if (kinds == 0) return;
  out << "blocked durations: ";
  const char* separator = "";
  for (size_t i = 0; i < 4; ++i) {
    if (counts[i] == 0) continue;
    out << separator << SourceWords(kOrder[i]);
    if (kinds > 1) out << " for " << CountOf(counts[i], "thread");
    separator = "; ";
  }
  out << '\n';
}

// One line per cycle, each thread with what it waits on and where.
void WriteDeadlocks(const ProcessSnapshot& s, std::ostream& out) {
  if (!s.deadlocks.empty()) out << '\n';
  for (const Deadlock& d : s.deadlocks) {
    out << "DEADLOCK:";
    for (size_t i = 0; i < d.tids.size(); ++i) {
      const ThreadSnapshot* t = s.FindThread(d.tids[i]);
      out << (i == 0 ? " " : "; ") << "thread " << d.tids[i];
      if (t != nullptr) out << ' ' << QuoteName(t->name);
      out << " waits for thread " << d.tids[(i + 1) % d.tids.size()];
      if (t != nullptr) {
        out << " (" << Printable(t->wait.Label());
        if (SiteFrame(*t) != nullptr) out << ' ' << SiteWords(*t, false);
        out << ')';
      }
    }
    out << '\n';
  }
}

// "function  location [inlined]": runtime frames name their file or module
// without a directory; user frames keep the full path.
std::string FrameText(const Frame& f) {
  std::string name = ShortenName(FunctionOf(f));
  std::string text = name.empty() ? AddressOf(f, /*short_module=*/true) : name;
  if (!f.file.empty()) {
    text += "  " + Printable(f.is_runtime ? Basename(f.file) : f.file) + ":" +
            std::to_string(f.line);
  } else if (!name.empty() && !f.module.empty()) {
    text += "  " + Printable(Basename(f.module));
  }
  if (f.inlined) text += " [inlined]";
  return text;
}

// One line per frame, but a run of identical lines (recursion) prints once
// with its count, then Go's 50 + 50 elision applies to the lines. An empty
// stack prints nothing: the header already says "(no stack)".
void WriteStack(const ThreadSnapshot& t, std::ostream& out) {
  WriteStackLines(t.frames, t.stack_note, "    ", out);
}

}  // namespace

void WriteStackLines(const std::vector<Frame>& frames, std::string_view note,
                     std::string_view indent, std::ostream& out) {
  std::vector<std::string> lines;
  std::vector<size_t> runs;  // frames per line
  for (size_t i = 0; i < frames.size();) {
    std::string text = FrameText(frames[i]);
    size_t run = 1;
    while (i + run < frames.size() && FrameText(frames[i + run]) == text) {
      ++run;
    }
    if (run > 1) text += "  (" + std::to_string(run) + " times)";
    lines.push_back(std::move(text));
    runs.push_back(run);
    i += run;
  }
  FrameElision elision = ElideFrames(lines.size());
  for (size_t i = 0; i < elision.head; ++i) out << indent << lines[i] << '\n';
  if (elision.elided > 0) {
    size_t elided_frames = 0;
    for (size_t i = 0; i < elision.elided; ++i)
      elided_frames += runs[elision.head + i];
    out << indent << "..." << elided_frames << " frames elided...\n";
    for (size_t i = elision.head + elision.elided; i < lines.size(); ++i) {
      out << indent << lines[i] << '\n';
    }
  }
  if (!note.empty()) out << indent << "... " << Printable(note) << '\n';
}

void WriteCreatedBy(const CreatedBy& created_by, std::ostream& out) {
  out << "  created by ";
  const Frame* f = CreatorFrame(created_by);
  if (f == nullptr) {
    out << "?";
  } else {
    std::string name = ShortenName(FunctionOf(*f));
    out << (name.empty() ? AddressOf(*f, /*short_module=*/true) : name);
    if (!f->file.empty()) {
      out << " at " << Printable(Basename(f->file)) << ':' << f->line;
    }
  }
  out << " in thread " << created_by.tid << '\n';
}

namespace {

void WriteGroup(const ProcessSnapshot& s, const StackGroup& g,
                std::ostream& out) {
  std::vector<const ThreadSnapshot*> threads;
  bool any_captured = false;
  for (Tid tid : g.tids) {
    const ThreadSnapshot* t = s.FindThread(tid);
    if (t == nullptr) continue;
    threads.push_back(t);
    any_captured = any_captured || Captured(*t);
  }
  // Nothing to show but what "not captured:" already says.
  if (!any_captured || g.representative >= s.threads.size()) return;
  const ThreadSnapshot& rep = s.threads[g.representative];

  // The owner goes in the header when every thread shares it, else by tid.
  bool shared_owner = true;
  for (const ThreadSnapshot* t : threads) {
    shared_owner = shared_owner && t->wait.owner_tid &&
                   t->wait.owner_tid == threads.front()->wait.owner_tid;
  }

  out << '\n'
      << CountOf(g.tids.size(), "thread") << "  [" << Printable(g.reason);
  if (IsParked(rep.wait.reason)) out << ", " << BlockedWords(g);
  if (shared_owner) out << ", " << OwnerPhrase(threads.front()->wait);
  if (g.in_deadlock) out << ", in deadlock";
  out << "]  " << SiteWords(rep, true) << '\n';
  if (rep.created_by) WriteCreatedBy(*rep.created_by, out);
  WriteStack(rep, out);

  if (threads.size() == 1) {
    out << "  tid: " << TidText(*threads[0]) << ' ' << QuoteName(threads[0]->name)
        << '\n';
    return;
  }
  out << "  tids:";
  for (size_t i = 0; i < threads.size() && i < kMaxTidsShown; ++i) {
    out << ' ' << TidText(*threads[i]);
    const WaitState& w = threads[i]->wait;
    if (!shared_owner && w.owner_tid) {
      out << (w.reason == WaitReason::kJoin ? " (joining " : " (held by ")
          << *w.owner_tid << ')';
    }
  }
  if (threads.size() > kMaxTidsShown) {
    out << " … (+" << threads.size() - kMaxTidsShown << " more)";
  }
  out << '\n';
}

void WriteNotCaptured(const ProcessSnapshot& s, std::ostream& out) {
  bool first = true;
  for (const ThreadSnapshot& t : s.threads) {
    if (Captured(t)) continue;
    if (first) out << "\nnot captured:\n";
    first = false;
    out << "  thread " << t.tid << ' ' << QuoteName(t.name) << " ["
        << Printable(t.wait.Label());
    if (IsParked(t.wait.reason) && t.wait.blocked_ns) {
      out << ", blocked " << FormatDuration(*t.wait.blocked_ns);
    }
    out << "]: " << Printable(t.capture_error) << '\n';
  }
}

}  // namespace

void WriteSummary(const ProcessSnapshot& snapshot, std::ostream& out) {
  WriteHeader(snapshot, out);
  WriteDeadlocks(snapshot, out);
  for (const StackGroup& g : snapshot.groups) WriteGroup(snapshot, g, out);
  WriteNotCaptured(snapshot, out);
}

}  // namespace parkscope
