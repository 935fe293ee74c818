// Turns a physical pc into logical frames: the function, file:line and
// module, with every inlined call as a frame of its own (innermost first),
// the way gdb and eu-stack -i print them. Caller frames are looked up at
// pc - 1 so a call at the end of a function does not resolve to the next one.
// Results are cached per (module build-id, offset, activation), so a
// thousand threads parked at the same site cost one DWARF lookup, and a
// Symbolizer moved to a new session of the same binaries (Rebind: the watch
// daemon's next sample, a restarted process) keeps everything it learned.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/snapshot.h"
#include "symbolize/module_session.h"
#include "symbolize/scope_index.h"

namespace parkscope {

class Symbolizer {
 public:
  explicit Symbolizer(ModuleSession& session) : session_(&session) {}

  // Logical frames for one physical frame, innermost first, with pc set.
  std::vector<Frame> Symbolize(uint64_t pc, bool is_activation);
  // The same frames appended to *out: one copy from the cache instead of
  // two (a dump of 1,000 threads 27 frames deep copies 27,000 frames, and
  // the copies were most of the symbolize stage).
  void SymbolizeInto(uint64_t pc, bool is_activation, std::vector<Frame>* out);

  // Looks (pc, is_activation) up now unless it is known already, so that
  // SymbolizeKnown can answer it later.
  void Learn(uint64_t pc, bool is_activation);
  // SymbolizeInto for a pc that Learn has seen; false, with nothing
  // appended, for one it has not. Only reads, so several threads may call
  // it at once while no thread calls anything else.
  bool SymbolizeKnown(uint64_t pc, bool is_activation, std::vector<Frame>* out) const;

  // Uses another session's modules from now on; the cache stays.
  void Rebind(ModuleSession& session) {
    session_ = &session;
    by_pc_.clear();
    scope_index_.Clear();
  }

  size_t cache_size() const { return cache_.size(); }

 private:
  std::vector<Frame> Lookup(Dwfl_Module* module, uint64_t pc, bool is_activation);

  ModuleSession* session_;
  ScopeIndex scope_index_;  // of session_'s units
  std::unordered_map<std::string, std::vector<Frame>> cache_;
  // This session's answers by absolute pc (times two, plus is_activation):
  // a thousand threads parked at one site ask for the same pcs a thousand
  // times, and building the build-id key each time cost more than the
  // lookups did. Points into cache_, whose nodes never move; null for a pc
  // in no module.
  std::unordered_map<uint64_t, const std::vector<Frame>*> by_pc_;
};

}  // namespace parkscope
