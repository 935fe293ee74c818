// Folded stacks ("main;Gather;Worker;Send 80"), the text format of Brendan
// Gregg's flamegraph.pl, speedscope and most flame graph tools: one line per
// distinct stack, frames outermost first joined by ';', then a count.
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "model/snapshot.h"

namespace parkscope {

// The names of a stack's frames, outermost first, as flame graphs show them:
// the cleaned function, else module+0xoffset; ';' (the separator) and
// newlines inside a name become '_'.
std::vector<std::string> FoldedFrames(const std::vector<Frame>& frames);

// Distinct stacks with their summed counts; lines sorted by stack so equal
// profiles write equal files.
class FoldedProfile {
 public:
  // path: outermost first.
  void Add(const std::vector<std::string>& path, int64_t count);
  void Write(std::ostream& out) const;
  const std::map<std::string, int64_t>& stacks() const { return stacks_; }

 private:
  std::map<std::string, int64_t> stacks_;
};

// "[cond wait]": the wait reason as the leaf of a stack, so a flame graph
// of waiting shows what each tower waits on.
std::string ReasonLeaf(const ThreadSnapshot& thread);

}  // namespace parkscope
