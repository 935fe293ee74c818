// `parkscope watch -p PID`: the sampling daemon. Samples the target every
// --interval (only threads that ran since the previous sample are captured
// again), logs leak trends and stuck threads as JSON lines, and serves the
// latest sample over HTTP: /debug/pprof/threads (profile.proto, ?debug=1|2,
// ?format=...), /metrics (Prometheus) and / (an HTML page).
// Exits 0 on SIGINT/SIGTERM/SIGHUP, and when the target exits (after
// printing a final report; --keep serves the last sample until a signal).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace parkscope {

std::function<int()> AddWatchCommand(CLI::App& app);

}  // namespace parkscope
