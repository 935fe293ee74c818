#include "symbolize/demangle.h"

#include <cxxabi.h>

#include <cstdlib>

namespace parkscope {

std::string_view StripSymbolVersion(std::string_view symbol) {
  size_t at = symbol.find('@');
  return at == std::string_view::npos ? symbol : symbol.substr(0, at);
}

std::string StripCloneSuffix(std::string name) {
  for (size_t at; (at = name.find(" [clone ")) != std::string::npos;) {
    size_t end = name.find(']', at);
    if (end == std::string::npos) break;
    name.erase(at, end - at + 1);
  }
  // C clones: the first '.' followed by a known clone kind ends the name.
  for (const char* kind : {".constprop.", ".isra.", ".part.", ".cold", ".lto_priv."}) {
    size_t at = name.find(kind);
    if (at != std::string::npos && at > 0) name.resize(at);
  }
  return name;
}

std::string Demangle(std::string_view symbol) {
  std::string name(StripSymbolVersion(symbol));
  if (name.size() < 2 || name[0] != '_' || name[1] != 'Z') {
    return StripCloneSuffix(std::move(name));
  }
  int status = 0;
  char* demangled = abi::__cxa_demangle(name.c_str(), nullptr, nullptr, &status);
  if (status != 0 || demangled == nullptr) return name;
  std::string result(demangled);
  std::free(demangled);
  return StripCloneSuffix(std::move(result));
}

}  // namespace parkscope
