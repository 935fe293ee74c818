#include "unwind/stack_unwinder.h"

#include <dwarf.h>

#include <algorithm>
#include <cstring>
#include <thread>

#include "ptrace/helper_thread.h"

namespace parkscope {
namespace {

struct UnwindState {
  const RawCapture* capture = nullptr;
  const RawThread* current = nullptr;  // the thread being walked
  size_t next_index = 0;
  size_t max_frames = 0;
  UnwoundStack* out = nullptr;
  bool ended_at_marker = false;  // the walk in progress stopped at pc 0 or --max-frames
  Dwfl* dwfl = nullptr;
};

const RawThread* FindRaw(const RawCapture& capture, pid_t tid) {
  for (const auto& t : capture.threads) {
    if (t.tid == tid && t.method != CaptureMethod::kNone) return &t;
  }
  return nullptr;
}

pid_t NextThread(Dwfl*, void* dwfl_arg, void** thread_argp) {
  auto* state = static_cast<UnwindState*>(dwfl_arg);
  const auto& threads = state->capture->threads;
  while (state->next_index < threads.size()) {
    const RawThread& t = threads[state->next_index++];
    if (t.method == CaptureMethod::kNone) continue;
    *thread_argp = const_cast<RawThread*>(&t);
    return t.tid;
  }
  return 0;
}

// Without this libdwfl finds a thread by iterating NextThread: O(n^2).
// And the walk in progress names its own thread, so the search (linear, a
// fifth of the unwind time at 10,000 threads) is only a fallback.
bool GetThread(Dwfl*, pid_t tid, void* dwfl_arg, void** thread_argp) {
  auto* state = static_cast<UnwindState*>(dwfl_arg);
  const RawThread* t = state->current != nullptr && state->current->tid == tid
                           ? state->current
                           : FindRaw(*state->capture, tid);
  if (t == nullptr) return false;
  *thread_argp = const_cast<RawThread*>(t);
  return true;
}

bool MemoryRead(Dwfl*, Dwarf_Addr addr, Dwarf_Word* result, void* dwfl_arg) {
  auto* state = static_cast<UnwindState*>(dwfl_arg);
  const RawThread* t = state->current;
  if (t == nullptr || addr < t->stack_start) return false;
  const uint64_t offset = addr - t->stack_start;
  if (offset > t->stack.size() || t->stack.size() - offset < sizeof(Dwarf_Word)) {
    return false;
  }
  std::memcpy(result, t->stack.data() + offset, sizeof(Dwarf_Word));
  return true;
}

// Registers to start from instead of the thread's own, while trying frame
// pointer candidates (libdwfl's callback has no room for more arguments).
thread_local const RegisterSet* g_regs_override = nullptr;

bool SetInitialRegisters(Dwfl_Thread* thread, void* thread_arg) {
  const auto* t = static_cast<const RawThread*>(thread_arg);
  const RegisterSet& regs = g_regs_override != nullptr ? *g_regs_override : t->regs;
  if (regs.Complete()) {
    if (!dwfl_thread_state_registers(thread, 0, RegisterSet::kCount,
                                     regs.dwarf.data())) {
      return false;
    }
  } else {
    for (int reg = 0; reg < RegisterSet::kCount; ++reg) {
      if (regs.IsValid(reg) && reg != RegisterSet::kPc &&
          !dwfl_thread_state_registers(thread, reg, 1, &regs.dwarf[reg])) {
        return false;
      }
    }
  }
  dwfl_thread_state_register_pc(thread, regs.pc());
  return true;
}

const Dwfl_Thread_Callbacks kThreadCallbacks = {
    .next_thread = NextThread,
    .get_thread = GetThread,
    .memory_read = MemoryRead,
    .set_initial_registers = SetInitialRegisters,
    .detach = nullptr,
    .thread_detach = nullptr,
};

int OnFrame(Dwfl_Frame* frame, void* arg) {
  auto* state = static_cast<UnwindState*>(arg);
  Dwarf_Addr pc = 0;
  bool is_activation = false;
  if (!dwfl_frame_pc(frame, &pc, &is_activation)) return DWARF_CB_ABORT;
  auto& frames = state->out->frames;
  // A pc of 0 is the end marker some runtimes leave in the outermost frame;
  // a caller pc in no module is garbage read as a return address.
  if (pc == 0 && !frames.empty()) {
    state->ended_at_marker = true;
    return DWARF_CB_ABORT;
  }
  if (!frames.empty() && state->dwfl != nullptr &&
      dwfl_addrmodule(state->dwfl, is_activation ? pc : pc - 1) == nullptr) {
    return DWARF_CB_ABORT;
  }
  frames.push_back({pc, is_activation});
  if (frames.size() >= state->max_frames) {
    state->out->note = "stack cut at " + std::to_string(state->max_frames) +
                       " frames (--max-frames)";
    state->ended_at_marker = true;
    return DWARF_CB_ABORT;
  }
  return DWARF_CB_OK;
}

// A walk this short from a thread copied without a stop usually means a
// frame whose CFA is rbp-based (code built with frame pointers) and rbp is
// one of the registers /proc/PID/task/TID/syscall does not give.
constexpr size_t kShortWalk = 5;
// Stack words tried as that rbp, from the innermost end of the copy.
constexpr size_t kMaxRbpCandidates = 32;
constexpr size_t kRbpScanBytes = 4096;

UnwoundStack Walk(Dwfl* dwfl, const RawThread& t, UnwindState* state) {
  UnwoundStack stack;
  state->current = &t;
  state->out = &stack;
  state->ended_at_marker = false;
  int rc = dwfl_getthread_frames(dwfl, t.tid, OnFrame, state);
  stack.complete = rc == 0 || (rc == DWARF_CB_ABORT && state->ended_at_marker);
  // Walks normally end with an error at the outermost frame (clone3,
  // _start); only an early end is worth telling the reader about.
  if (rc == -1 && stack.frames.size() < 2 && stack.note.empty()) {
    stack.note = std::string("unwind stopped: ") + dwfl_errmsg(-1);
  }
  return stack;
}

// The frame-pointer recovery for sp/pc-only threads. A function built with
// frame pointers keeps rbp = X where [X] is its caller's saved rbp and
// [X + 8] its return address. Every X near sp with
// that shape is a candidate; each is tried as rbp and validated by the CFI
// walk itself (every further frame needs an FDE and a return address inside
// the copy and inside a module). The longest walk wins, and only if it is
// longer than the plain one.
UnwoundStack RecoverFramePointer(Dwfl* dwfl, const RawThread& t, UnwindState* state,
                                 UnwoundStack plain) {
  const size_t words = std::min(t.stack.size(), kRbpScanBytes) / sizeof(uint64_t);
  const uint64_t top = t.stack_start + t.stack.size();
  auto word_at = [&](size_t i) {
    uint64_t word = 0;
    std::memcpy(&word, t.stack.data() + i * sizeof word, sizeof word);
    return word;
  };
  size_t tried = 0;
  UnwoundStack best = std::move(plain);
  bool recovered = false;
  for (size_t i = 0; i + 1 < words && tried < kMaxRbpCandidates; ++i) {
    const uint64_t at = t.stack_start + i * sizeof(uint64_t);
    const uint64_t saved_rbp = word_at(i);
    const uint64_t return_address = word_at(i + 1);
    // The caller's saved rbp need not point into the stack: code without
    // frame pointers (libstdc++, libc) uses rbp as a plain register.
    (void)saved_rbp;
    (void)top;
    if (return_address == 0 || dwfl_addrmodule(dwfl, return_address - 1) == nullptr) continue;
    ++tried;
    RegisterSet regs = t.regs;
    regs.dwarf[6] = at;  // rbp, DWARF register 6
    regs.valid_mask |= 1u << 6;
    g_regs_override = &regs;
    UnwoundStack candidate = Walk(dwfl, t, state);
    g_regs_override = nullptr;
    if (candidate.frames.size() > best.frames.size()) {
      best = std::move(candidate);
      recovered = true;
    }
  }
  if (recovered) {
    best.note = "rbp recovered from the stack (frame-pointer walk, validated by CFI)";
  }
  return best;
}

}  // namespace

namespace {

// Walks capture.threads[begin, end) with one session's unwinder; a Dwfl
// holds one unwinding state, so each range has its own session.
void UnwindRange(ModuleSession& session, const RawCapture& capture, size_t max_frames,
                 size_t begin, size_t end, std::vector<UnwoundStack>* stacks) {
  UnwindState state;
  state.capture = &capture;
  state.max_frames = max_frames == 0 ? 1 : max_frames;
  state.dwfl = session.dwfl();
  if (!dwfl_attach_state(session.dwfl(), nullptr, capture.pid,
                         &kThreadCallbacks, &state)) {
    std::string why = std::string("unwinder unavailable: ") + dwfl_errmsg(-1);
    for (size_t i = begin; i < end; ++i) {
      const RawThread& t = capture.threads[i];
      if (t.method == CaptureMethod::kNone) continue;
      (*stacks)[i].frames.push_back({t.regs.pc(), true});
      (*stacks)[i].note = why;
    }
    return;
  }
  for (size_t i = begin; i < end; ++i) {
    const RawThread& t = capture.threads[i];
    if (t.method == CaptureMethod::kNone) continue;
    UnwoundStack& stack = (*stacks)[i];
    stack = Walk(session.dwfl(), t, &state);
    // A thread copied asleep is stopped and walked again instead of
    // guessed at (RedoShortWalks in collect/take_snapshot.cc).
    if (!t.copied_asleep && !t.regs.IsValid(6) && stack.frames.size() < kShortWalk) {
      stack = RecoverFramePointer(session.dwfl(), t, &state, std::move(stack));
    }
    if (stack.frames.empty()) stack.frames.push_back({t.regs.pc(), true});
  }
  state.current = nullptr;
}

}  // namespace

std::vector<UnwoundStack> UnwindAll(ModuleSession& session, const RawCapture& capture,
                                    size_t max_frames, ModuleSession* helper) {
  const size_t n = capture.threads.size();
  std::vector<UnwoundStack> stacks(n);
  if (helper == nullptr || n < kThreadsWorthAHelper) {
    UnwindRange(session, capture, max_frames, 0, n, &stacks);
    return stacks;
  }
  const size_t mid = n / 2;
  std::thread other = StartHelperThread(
      [&] { UnwindRange(*helper, capture, max_frames, mid, n, &stacks); });
  UnwindRange(session, capture, max_frames, 0, mid, &stacks);
  other.join();
  return stacks;
}

}  // namespace parkscope
