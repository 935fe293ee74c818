// The directory of the running parkscope binary, where the files that ship
// with it (the agent, the HTTP plugin) are looked for.
#pragma once

#include <string>

namespace parkscope {

// "." when /proc/self/exe cannot be read.
std::string OwnBinaryDir();

}  // namespace parkscope
