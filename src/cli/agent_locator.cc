#include "cli/agent_locator.h"

#include <unistd.h>

#include <climits>
#include <cstdlib>

#include "proc/own_binary.h"

namespace parkscope {
namespace {

constexpr char kAgentFile[] = "libparkscope_agent.so";

bool Readable(const std::string& path) { return access(path.c_str(), R_OK) == 0; }

}  // namespace

std::optional<std::string> LocateAgent(std::string* searched) {
  if (const char* env = std::getenv("PARKSCOPE_AGENT"); env != nullptr && *env != '\0') {
    *searched = env;
    char real[PATH_MAX];
    if (Readable(env) && realpath(env, real) != nullptr) return std::string(real);
    return std::nullopt;
  }
  const std::string dir = OwnBinaryDir();
  for (const std::string& candidate :
       {dir + "/../agent/" + kAgentFile, dir + "/../lib/parkscope/" + kAgentFile,
        dir + "/" + kAgentFile}) {
    if (!searched->empty()) *searched += ", ";
    *searched += candidate;
    char real[PATH_MAX];
    if (Readable(candidate) && realpath(candidate.c_str(), real) != nullptr) {
      return std::string(real);
    }
  }
  return std::nullopt;
}

}  // namespace parkscope
