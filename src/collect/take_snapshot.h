// The whole pipeline for one process: capture (the only step that touches
// the target), then unwind, symbolize, classify and analyze from the copies.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "analyze/site.h"
#include "model/snapshot.h"
#include "ptrace/capture.h"
#include "symbolize/module_session.h"
#include "symbolize/symbolizer.h"

namespace parkscope {

// What a series of snapshots of one process (watch, record) carries from
// one to the next so that a repeat costs little.
struct SamplingCache {
  // Symbols by module build-id and offset, looked up in symbol_session.
  std::unique_ptr<Symbolizer> symbolizer;
  // The session symbols are looked up in, kept while the target's file
  // mappings stay the same (modules_key), so DWARF is read once rather than
  // once per sample: libdw decompresses a module's debug sections on first
  // use, tens of milliseconds for libc's (measured: a one-thread repeat
  // sample took 20 ms with a fresh session, most of it in elf_compress).
  // Unwinding still uses a session of its own per sample: libdwfl attaches
  // thread state to a session only once.
  std::unique_ptr<ModuleSession> symbol_session;
  std::string modules_key;
};

struct SnapshotOptions {
  CaptureOptions capture;
  size_t max_frames = 256;
  // Which frames are runtime when choosing the wait site; the CLI adds the
  // user's --runtime-frames so a wrapper's caller becomes the site.
  RuntimeFrameFilter runtime_frames;
  // Incremental sampling; null for a one-off snapshot (dump).
  SamplingCache* cache = nullptr;
};

// Wall time of each stage of one snapshot, for `dump --timings` and
// scripts/bench: where a capture's time went, without a profiler.
struct StageTimes {
  int64_t capture_us = 0;    // probing, stopping and copying (touches the target)
  int64_t agent_us = 0;      // reading the agent's registry
  int64_t modules_us = 0;    // opening the modules' ELF files (libdwfl report)
  int64_t unwind_us = 0;     // CFI walks over the copied stacks
  int64_t prefetch_us = 0;   // waiting for the debug information loading meanwhile
  int64_t symbolize_us = 0;  // names, inline frames, file:line; classification
  int64_t analyze_us = 0;    // agent merge, sites, groups, deadlocks
};

struct SnapshotResult {
  CaptureStatus status = CaptureStatus::kError;
  std::string error;  // one line for the user when nothing was captured
  ProcessSnapshot snapshot;
  // Incremental sampling (capture.unchanged_since_previous set): the threads
  // the capture skipped because the caller kept their stacks. They are not
  // in snapshot.threads, whose groups and deadlocks therefore cover only the
  // threads captured anew; the caller merges and regroups.
  std::vector<Tid> reused;
  // What /proc said about each thread of snapshot.threads, read before it
  // was stopped: the caller's evidence that a later state is the same wait.
  std::unordered_map<Tid, TaskProbe> probes;
  StageTimes times;
};

SnapshotResult TakeSnapshot(Pid pid, const SnapshotOptions& options);

}  // namespace parkscope
