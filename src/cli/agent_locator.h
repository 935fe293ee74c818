// Where libparkscope_agent.so is: $PARKSCOPE_AGENT, else beside this
// parkscope binary in the build tree (../agent/) or the install tree
// (../lib/parkscope/). Absolute, because LD_PRELOAD is resolved in the
// child's working directory.
#pragma once

#include <optional>
#include <string>

namespace parkscope {

std::optional<std::string> LocateAgent(std::string* searched);

}  // namespace parkscope
