// Turns a physical pc into logical frames: the function, file:line and
// module, with every inlined call as a frame of its own (innermost first),
// the way gdb and eu-stack -i print them. Caller frames are looked up at
// pc - 1 so a call at the end of a function does not resolve to the next one.
// Results are cached per (pc, activation): a thousand threads parked at the
// same site cost one DWARF lookup.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "model/snapshot.h"
#include "symbolize/module_session.h"

namespace parkscope {

class Symbolizer {
 public:
  explicit Symbolizer(ModuleSession& session) : session_(session) {}

  const std::vector<Frame>& Symbolize(uint64_t pc, bool is_activation);

  size_t cache_size() const { return cache_.size(); }

 private:
  std::vector<Frame> Lookup(uint64_t pc, bool is_activation);

  ModuleSession& session_;
  std::unordered_map<uint64_t, std::vector<Frame>> cache_;
};

}  // namespace parkscope
