// The check of every --pid: a positive whole number that fits a pid_t. Not
// CLI::PositiveNumber, whose message for "-p abc" (or "-p --timings", a
// forgotten value) printed the range 0 to 1.8e308 in full.
#pragma once

#include <CLI/CLI.hpp>

namespace parkscope {

CLI::Validator ProcessIdCheck();

}  // namespace parkscope
