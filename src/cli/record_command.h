// `parkscope record -p PID --duration 30s --rate 10 -o profile.pb.gz`: a
// wall-clock sampling profile of every thread, parked or running, for a
// flame graph of where the threads spend their time waiting. Each sample
// adds, per thread, one count and the wall time since the previous sample
// to its stack; the wait reason ("running" for threads on a CPU) and the
// thread name are labels (pprof) or the leaf frame (folded). Threads that
// did not run between samples are not touched (see watch/sampler.h).
// SIGINT/SIGTERM end the recording early; what was recorded is written.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace parkscope {

std::function<int()> AddRecordCommand(CLI::App& app);

}  // namespace parkscope
