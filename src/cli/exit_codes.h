// The documented exit codes (README, "Exit codes"), in the style of eu-stack
// and sysexits(3).
#pragma once

namespace parkscope {

constexpr int kExitComplete = 0;  // every thread captured
constexpr int kExitPartial = 1;   // some threads not captured; each is named
constexpr int kExitNothing = 2;   // nothing captured: no such pid, no permission
constexpr int kExitUsage = 64;    // bad flag, value or output path (EX_USAGE)

}  // namespace parkscope
