// Unwinds the copied stacks with libdwfl's CFI unwinder, after every thread
// has been resumed: the target is never stopped while we unwind. Memory reads
// are served from each thread's own copy only; a read outside it ends that
// stack (garbage or a cycle in a hostile stack cannot make us read further).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ptrace/capture.h"
#include "symbolize/module_session.h"

namespace parkscope {

struct PhysicalFrame {
  uint64_t pc = 0;
  bool is_activation = false;  // pc is exact, not a return address
};

struct UnwoundStack {
  std::vector<PhysicalFrame> frames;  // innermost first
  std::string note;  // why the walk stopped early, empty when it reached the end
  // The walk ended where the stack does (the outermost frame's CFI says so,
  // or a 0 return address marks it) or at --max-frames; false when it
  // stopped at an error or a garbage address.
  bool complete = false;
};

// One UnwoundStack per capture.threads entry, in the same order. Threads that
// were not captured get an empty stack. max_frames bounds every walk.
// With a helper session (of the same modules) and at least
// kThreadsWorthAHelper threads, a second thread walks half of them: the
// capture is over by now, and so, usually, is the symbol prefetch, so the
// other CPU is idle (1,000 threads: 9.7 -> 5.5 ms).
constexpr size_t kThreadsWorthAHelper = 200;
std::vector<UnwoundStack> UnwindAll(ModuleSession& session, const RawCapture& capture,
                                    size_t max_frames, ModuleSession* helper = nullptr);

}  // namespace parkscope
