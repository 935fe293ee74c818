// `parkscope run [--dump-on SIGNAL] -- CMD ARGS...`: runs CMD with the
// preload agent, forwards signals and the exit status, and on the dump
// signal writes CMD's report without stopping it (like SIGQUIT under Go).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace parkscope {

std::function<int()> AddRunCommand(CLI::App& app);

}  // namespace parkscope
