// The process-wide "current test" name set by parkscope_test_begin, copied
// into the slot of every thread created while it is set.
#pragma once

#include "parkscope/registry_abi.h"

namespace parkscope::agent {

// Copies the current test name ("" if none) into `out`, NUL-terminated.
// Lock-free; gives "" if a writer keeps the name busy for a few rounds.
void CopyCurrentTestName(char (&out)[PARKSCOPE_TEST_NAME_MAX]);

// In a fork child: repairs the seqlock if fork() interrupted a writer.
void ResetTestNameAfterFork();

}  // namespace parkscope::agent
