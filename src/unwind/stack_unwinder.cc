#include "unwind/stack_unwinder.h"

#include <dwarf.h>

#include <cstring>

namespace parkscope {
namespace {

struct UnwindState {
  const RawCapture* capture = nullptr;
  const RawThread* current = nullptr;  // the thread being walked
  size_t next_index = 0;
  size_t max_frames = 0;
  UnwoundStack* out = nullptr;
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
bool GetThread(Dwfl*, pid_t tid, void* dwfl_arg, void** thread_argp) {
  auto* state = static_cast<UnwindState*>(dwfl_arg);
  const RawThread* t = FindRaw(*state->capture, tid);
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

bool SetInitialRegisters(Dwfl_Thread* thread, void* thread_arg) {
  const auto* t = static_cast<const RawThread*>(thread_arg);
  const RegisterSet& regs = t->regs;
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
  // A pc of 0 is the end marker some runtimes leave in the outermost frame.
  if (pc == 0 && !frames.empty()) return DWARF_CB_ABORT;
  frames.push_back({pc, is_activation});
  if (frames.size() >= state->max_frames) {
    state->out->note = "stack cut at " + std::to_string(state->max_frames) +
                       " frames (--max-frames)";
    return DWARF_CB_ABORT;
  }
  return DWARF_CB_OK;
}

}  // namespace

std::vector<UnwoundStack> UnwindAll(ModuleSession& session,
                                    const RawCapture& capture,
                                    size_t max_frames) {
  std::vector<UnwoundStack> stacks(capture.threads.size());
  UnwindState state;
  state.capture = &capture;
  state.max_frames = max_frames == 0 ? 1 : max_frames;
  if (!dwfl_attach_state(session.dwfl(), nullptr, capture.pid,
                         &kThreadCallbacks, &state)) {
    std::string why = std::string("unwinder unavailable: ") + dwfl_errmsg(-1);
    for (size_t i = 0; i < stacks.size(); ++i) {
      const RawThread& t = capture.threads[i];
      if (t.method == CaptureMethod::kNone) continue;
      stacks[i].frames.push_back({t.regs.pc(), true});
      stacks[i].note = why;
    }
    return stacks;
  }
  for (size_t i = 0; i < capture.threads.size(); ++i) {
    const RawThread& t = capture.threads[i];
    if (t.method == CaptureMethod::kNone) continue;
    state.current = &t;
    state.out = &stacks[i];
    int rc = dwfl_getthread_frames(session.dwfl(), t.tid, OnFrame, &state);
    // Walks normally end with an error at the outermost frame (clone3,
    // _start); only an early end is worth telling the reader about.
    if (rc == -1 && stacks[i].frames.size() < 2 && stacks[i].note.empty()) {
      stacks[i].note = std::string("unwind stopped: ") + dwfl_errmsg(-1);
    }
    if (stacks[i].frames.empty()) stacks[i].frames.push_back({t.regs.pc(), true});
  }
  state.current = nullptr;
  return stacks;
}

}  // namespace parkscope
