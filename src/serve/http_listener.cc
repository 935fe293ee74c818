#include "serve/http_listener.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>

#include "proc/own_binary.h"

namespace parkscope {
namespace {

constexpr char kPluginFile[] = "libparkscope_http.so";

// The plugin's maker; null with *error if the plugin cannot be loaded.
MakeHttpListenerFn LoadMaker(std::string* error) {
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("PARKSCOPE_HTTP_PLUGIN"); env != nullptr && *env != '\0') {
    candidates.push_back(env);
  } else {
    const std::string dir = OwnBinaryDir();
    candidates = {dir + "/" + kPluginFile, dir + "/../lib/parkscope/" + kPluginFile};
  }
  std::string searched, why;
  for (const std::string& path : candidates) {
    searched += (searched.empty() ? "" : ", ") + path;
    if (access(path.c_str(), R_OK) != 0) continue;
    // Never closed: its threads and handlers live until exit.
    void* plugin = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (plugin == nullptr) {
      const char* message = dlerror();
      why = message != nullptr ? message : "dlopen failed";
      continue;
    }
    if (void* maker = dlsym(plugin, kMakeHttpListenerSymbol)) {
      return reinterpret_cast<MakeHttpListenerFn>(maker);
    }
    why = path + " has no " + kMakeHttpListenerSymbol;
  }
  *error = "cannot load the HTTP plugin " + std::string(kPluginFile) + " (searched " + searched +
           (why.empty() ? "" : "; " + why) +
           "): reinstall parkscope, or set PARKSCOPE_HTTP_PLUGIN to its path";
  return nullptr;
}

}  // namespace

std::unique_ptr<HttpListener> MakeHttpListener(const HttpListenerOptions& options,
                                               std::vector<HttpRoute> routes,
                                               std::string* error) {
  MakeHttpListenerFn make = LoadMaker(error);
  if (make == nullptr) return nullptr;
  return std::unique_ptr<HttpListener>(make(options, std::move(routes)));
}

}  // namespace parkscope
