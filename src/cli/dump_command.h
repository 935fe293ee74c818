// `parkscope dump -p PID`: one snapshot of a running process, as a report.
#pragma once

#include <CLI/CLI.hpp>

namespace parkscope {

// Adds the subcommand and its flags to app; the returned function runs it
// after parsing and returns the exit code.
std::function<int()> AddDumpCommand(CLI::App& app);

}  // namespace parkscope
