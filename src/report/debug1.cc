#include "report/debug1.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "report/names.h"
#include "report/thread_text.h"

namespace parkscope {
namespace {

// Go writes debug=1 through text/tabwriter.NewWriter(w, 1, 8, 1, '\t', 0).
constexpr size_t kMinWidth = 1;
constexpr size_t kTabWidth = 8;
constexpr size_t kPadding = 1;

// One output line as tabwriter cells: every cell but the last is
// tab-terminated and takes part in column alignment.
using Cells = std::vector<std::string>;

size_t TextWidth(const std::string& s) {  // in code points, as tabwriter
  size_t width = 0;
  for (char c : s) width += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return width;
}

// Go's tabwriter with padchar '\t': a column block is a run of consecutive
// lines that all have a terminated cell in that column; its width is the
// widest cell plus padding, rounded up to a multiple of the tab width; each
// cell is followed by as many tabs as reach that width.
void WriteAligned(const std::vector<Cells>& lines, std::ostream& out) {
  std::vector<std::vector<size_t>> widths(lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    widths[i].resize(lines[i].empty() ? 0 : lines[i].size() - 1);
  }
  for (size_t column = 0;; ++column) {
    bool any = false;
    for (size_t begin = 0; begin < lines.size();) {
      if (widths[begin].size() <= column) {
        ++begin;
        continue;
      }
      any = true;
      size_t end = begin;
      size_t width = kMinWidth;
      for (; end < lines.size() && widths[end].size() > column; ++end) {
        width = std::max(width, TextWidth(lines[end][column]) + kPadding);
      }
      width = (width + kTabWidth - 1) / kTabWidth * kTabWidth;
      for (size_t i = begin; i < end; ++i) widths[i][column] = width;
      begin = end;
    }
    if (!any) break;
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    for (size_t c = 0; c < lines[i].size(); ++c) {
      out << lines[i][c];
      if (c < widths[i].size()) {
        size_t pad = widths[i][c] - TextWidth(lines[i][c]);
        out << std::string((pad + kTabWidth - 1) / kTabWidth, '\t');
      }
    }
    out << '\n';
  }
}

// Each physical frame's pc once: an inlined frame shares its pc with the
// frame after it (the function it was inlined into).
std::string PcKey(const std::vector<Frame>& frames) {
  std::string key = "@";
  for (size_t i = 0; i < frames.size(); ++i) {
    if (i > 0 && frames[i - 1].inlined && frames[i - 1].pc == frames[i].pc) {
      continue;
    }
    key += ' ';
    key += Hex(frames[i].pc);
  }
  return key;
}

// "#\t0xpc\tfunction+0xoff\tfile:line", all at the lookup pc: a return
// address minus one lies inside the call instruction (STYLE.md: symbolize
// callers at pc - 1), which is also what Go's runtime.CallersFrames prints.
// An inlined frame has no symbol of its own to be an offset from, so it
// prints its name alone.
Cells FrameCells(const Frame& f) {
  uint64_t back = (!f.is_activation && f.pc > 0) ? 1 : 0;
  Cells cells = {"#", Hex(f.pc - back)};
  std::string name = FunctionOf(f);
  if (name.empty()) {
    // Go prints the pc alone; the module offset is what a reader can use.
    if (!f.module.empty()) {
      cells.push_back(Printable(f.module) + "+" +
                      Hex(f.module_offset - std::min(back, f.module_offset)));
    }
    return cells;
  }
  if (!f.inlined) {
    name += "+" + Hex(f.function_offset - std::min(back, f.function_offset));
  }
  cells.push_back(std::move(name));
  if (!f.file.empty())
    cells.push_back(Printable(f.file) + ":" + std::to_string(f.line));
  return cells;
}

struct Record {
  std::string key;
  size_t count = 0;
  const ThreadSnapshot* first = nullptr;  // its frames stand for the record
};

}  // namespace

void WriteDebug1(const ProcessSnapshot& snapshot, std::ostream& out) {
  std::map<std::string, Record> by_key;
  size_t total = 0;
  for (const ThreadSnapshot* t : ThreadsInGroupOrder(snapshot)) {
    if (t->frames.empty()) continue;
    std::string key = PcKey(t->frames);
    Record& r = by_key[key];
    if (r.count++ == 0) {
      r.key = std::move(key);
      r.first = t;
    }
    ++total;
  }
  std::vector<const Record*> records;
  for (const auto& [key, r] : by_key) records.push_back(&r);
  std::stable_sort(records.begin(), records.end(),
                   [](const Record* a, const Record* b) {
                     if (a->count != b->count) return a->count > b->count;
                     return a->key < b->key;
                   });

  std::vector<Cells> lines;
  lines.push_back({"threads profile: total " + std::to_string(total)});
  for (const Record* r : records) {
    lines.push_back({std::to_string(r->count) + " " + r->key});
    for (const Frame& f : r->first->frames) lines.push_back(FrameCells(f));
    lines.push_back({});
  }
  WriteAligned(lines, out);
}

}  // namespace parkscope
