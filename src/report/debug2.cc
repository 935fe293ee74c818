#include "report/debug2.h"

#include "report/duration_format.h"
#include "report/names.h"
#include "report/thread_text.h"

namespace parkscope {
namespace {

// gdb and eu-stack print "??" for a pc no symbol covers; Go dump parsers
// need some function line before each tab line.
constexpr char kUnknownFunction[] = "??";

// "\t/src/fanout/fetch.cc:88 +0x4e", or "\t/opt/lib/libx.so+0x1a2b0".
void WriteLocationLine(const Frame& f, std::ostream& out) {
  out << '\t';
  if (f.file.empty()) {
    out << AddressOf(f, /*short_module=*/false) << '\n';
    return;
  }
  out << Printable(f.file) << ':' << f.line;
  // Go prints the offset only for physical frames past the entry; an
  // inlined frame's offset would be its host function's.
  if (!f.inlined && f.function_offset > 0)
    out << " +" << Hex(f.function_offset);
  out << '\n';
}

void WriteFrame(const Frame& f, std::ostream& out) {
  std::string name = FunctionOf(f);
  out << (name.empty() ? kUnknownFunction : name);
  if (f.inlined) out << " [inlined]";
  out << '\n';
  WriteLocationLine(f, out);
}

void WriteHeader(const ThreadSnapshot& t, std::ostream& out) {
  // The label may be the target's own annotation: Printable, like names.
  out << "thread " << TidText(t) << ' ' << QuoteName(t.name) << " ["
      << Printable(t.wait.Label());
  if (IsParked(t.wait.reason) && t.wait.blocked_ns) {
    out << FormatGoMinutes(*t.wait.blocked_ns);
  }
  std::string owner = OwnerPhrase(t.wait);
  if (!owner.empty()) out << ", " << owner;
  out << "]:\n";
}

void WriteThread(const ThreadSnapshot& t, std::ostream& out) {
  WriteHeader(t, out);
  if (t.frames.empty()) {
    out << "\tstack unavailable";
    if (!t.capture_error.empty()) out << ": " << Printable(t.capture_error);
    out << '\n';
  }
  FrameElision elision = ElideFrames(t.frames.size());
  for (size_t i = 0; i < elision.head; ++i) WriteFrame(t.frames[i], out);
  if (elision.elided > 0) {
    out << "..." << elision.elided << " frames elided...\n";
    for (size_t i = elision.head + elision.elided; i < t.frames.size(); ++i) {
      WriteFrame(t.frames[i], out);
    }
  }
  if (!t.stack_note.empty()) out << "\t... " << Printable(t.stack_note) << '\n';
  if (t.created_by) {
    const Frame* creator = CreatorFrame(*t.created_by);
    std::string name = creator ? FunctionOf(*creator) : "";
    out << "created by " << (name.empty() ? kUnknownFunction : name)
        << " in thread " << t.created_by->tid << '\n';
    if (creator != nullptr) WriteLocationLine(*creator, out);
  }
}

}  // namespace

void WriteDebug2(const ProcessSnapshot& snapshot, std::ostream& out) {
  bool first = true;
  for (const ThreadSnapshot* t : ThreadsInGroupOrder(snapshot)) {
    // Go separates goroutines with one blank line and ends without one.
    if (!first) out << '\n';
    first = false;
    WriteThread(*t, out);
  }
}

}  // namespace parkscope
