#include "report/folded.h"

#include "report/site_text.h"
#include "report/thread_text.h"

namespace parkscope {
namespace {

std::string Sanitize(std::string name) {
  for (char& c : name) {
    if (c == ';' || c == '\n' || c == '\r') c = '_';
  }
  return ValidUtf8(name);
}

}  // namespace

std::vector<std::string> FoldedFrames(const std::vector<Frame>& frames) {
  std::vector<std::string> names;
  names.reserve(frames.size());
  for (auto it = frames.rbegin(); it != frames.rend(); ++it) {
    std::string name = FunctionOf(*it);
    if (name.empty()) name = AddressOf(*it, /*short_module=*/true);
    names.push_back(Sanitize(std::move(name)));
  }
  return names;
}

void FoldedProfile::Add(const std::vector<std::string>& path, int64_t count) {
  std::string line;
  for (const std::string& name : path) {
    if (!line.empty()) line += ';';
    line += name;
  }
  if (line.empty()) line = "(no stack)";
  stacks_[line] += count;
}

void FoldedProfile::Write(std::ostream& out) const {
  for (const auto& [stack, count] : stacks_) out << stack << ' ' << count << '\n';
}

std::string ReasonLeaf(const ThreadSnapshot& thread) {
  return "[" + Sanitize(thread.wait.Label()) + "]";
}

}  // namespace parkscope
