// The whole pipeline for one process: capture (the only step that touches
// the target), then unwind, symbolize, classify and analyze from the copies.
#pragma once

#include <string>
#include <vector>

#include "analyze/site.h"
#include "model/snapshot.h"
#include "ptrace/capture.h"

namespace parkscope {

struct SnapshotOptions {
  CaptureOptions capture;
  size_t max_frames = 256;
  // Which frames are runtime when choosing the wait site; the CLI adds the
  // user's --runtime-frames so a wrapper's caller becomes the site.
  RuntimeFrameFilter runtime_frames;
};

struct SnapshotResult {
  CaptureStatus status = CaptureStatus::kError;
  std::string error;  // one line for the user when nothing was captured
  ProcessSnapshot snapshot;
};

SnapshotResult TakeSnapshot(Pid pid, const SnapshotOptions& options);

}  // namespace parkscope
