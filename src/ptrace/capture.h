// The capture: the only stage that touches the target. For each thread it
// reads /proc, stops the thread just long enough to copy its registers and
// the live part of its stack, and resumes it. Unwinding and symbolizing
// happen later, from the copies, while the target runs.
//
// Contract: when CaptureProcess returns, no thread of the target is stopped
// or traced by this process (the one exception, a thread that never left
// uninterruptible sleep, is detached by the kernel when this process exits;
// see ThreadStop::Release).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "model/snapshot.h"
#include "proc/maps_parser.h"
#include "ptrace/registers.h"
#include "ptrace/task_probe.h"

namespace parkscope {

// Incremental sampling: the last /proc/PID/maps text read and its parse,
// reused while the text stays byte for byte the same (no thread created or
// gone, no module loaded). With 1,000 thread stacks the file has 2,000
// lines, and parsing them costs more than reading them.
struct MapsMemo {
  std::string text;
  std::vector<MapEntry> entries;
};

struct CaptureOptions {
  // Freeze every thread, then copy, then resume them all: one instant for the
  // whole process, at the price of a process-wide pause.
  bool consistent = false;
  // Stop every thread: also those asleep in a syscall, which are otherwise
  // copied without a stop (see CopyAsleep in capture.cc), and those parked
  // in calls that a stop interrupts with EINTR.
  bool stop_all = false;
  // Stack bytes copied per thread, from sp minus the red zone upward. 256 KiB
  // holds hundreds of frames; deeper stacks are cut and say so.
  size_t max_stack_bytes = 256 * 1024;
  // Task-list scans; each catches threads created during the previous one.
  int max_passes = 8;
  // How long to wait for one thread to report its stop.
  int64_t stop_timeout_ns = 200'000'000;
  // Incremental sampling (parkscope watch and record). Asked about every
  // thread before it is probed: true means the caller knows the thread has
  // not run since the caller last captured it, so the stack the caller kept
  // still holds. Such a thread is neither probed nor stopped (zero ptrace
  // calls); it comes back with `reused` set and nothing copied, and maps are
  // then read only if some other thread needs a copy. Empty (dump): every
  // thread is captured. watch/task_fingerprint.h says how watch decides.
  std::function<bool(Tid)> unchanged_since_previous;
  // With unchanged_since_previous: where the last maps parse is kept.
  MapsMemo* maps_memo = nullptr;
};

struct RawThread {
  Tid tid = 0;
  TaskProbe probe;
  CaptureMethod method = CaptureMethod::kNone;
  std::string error;  // why it was not captured; empty on success
  std::string note;   // why the copy may be incomplete
  RegisterSet regs;
  uint64_t stack_start = 0;  // target address of stack[0]
  std::vector<uint8_t> stack;
  int64_t held_ns = 0;
  // unchanged_since_previous said yes: not probed, not stopped, no copy.
  bool reused = false;
  // Copied without a stop while asleep in a syscall: registers are sp, pc
  // and the syscall arguments only. A walk that needed another register
  // ends early, and StopAndCopyAgain then copies the thread stopped.
  bool copied_asleep = false;
};

enum class CaptureStatus {
  kOk,            // every thread captured
  kPartial,       // some threads not captured; each says why
  kGone,          // the process does not exist (or exited before any copy)
  kNoPermission,  // cannot trace it at all
  kAlreadyTraced, // another tracer holds it
  kInterrupted,   // SIGINT/SIGTERM arrived; everything was released
  kError,
};

struct RawCapture {
  CaptureStatus status = CaptureStatus::kError;
  std::string error;  // one line for the user when status is not kOk
  Pid pid = 0;
  Tid memory_tid = 0;  // a live thread to read memory through
  std::string command;
  std::vector<MapEntry> maps;
  std::vector<RawThread> threads;
  CaptureStats stats;
};

RawCapture CaptureProcess(Pid pid, const CaptureOptions& options);

// Stops each of capture->threads[i] for i in `indices` (threads copied
// asleep whose walk came up short), copies registers and stack again and
// releases it; a thread that can no longer be stopped keeps its first copy.
// Returns the indices that now hold a stopped copy.
std::vector<size_t> StopAndCopyAgain(const CaptureOptions& options,
                                     const std::vector<size_t>& indices,
                                     RawCapture* capture);

}  // namespace parkscope
