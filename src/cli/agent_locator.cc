#include "cli/agent_locator.h"

#include <unistd.h>

#include <climits>
#include <cstdlib>

namespace parkscope {
namespace {

constexpr char kAgentFile[] = "libparkscope_agent.so";

bool Readable(const std::string& path) { return access(path.c_str(), R_OK) == 0; }

std::string ExeDir() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return ".";
  std::string path(buf, static_cast<size_t>(n));
  return path.substr(0, path.rfind('/'));
}

}  // namespace

std::optional<std::string> LocateAgent(std::string* searched) {
  if (const char* env = std::getenv("PARKSCOPE_AGENT"); env != nullptr && *env != '\0') {
    *searched = env;
    char real[PATH_MAX];
    if (Readable(env) && realpath(env, real) != nullptr) return std::string(real);
    return std::nullopt;
  }
  const std::string dir = ExeDir();
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
