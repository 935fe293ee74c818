#include "symbolize/demangle.h"

#include <cxxabi.h>

#include <cstdlib>

namespace parkscope {

std::string_view StripSymbolVersion(std::string_view symbol) {
  size_t at = symbol.find('@');
  return at == std::string_view::npos ? symbol : symbol.substr(0, at);
}

std::string Demangle(std::string_view symbol) {
  std::string name(StripSymbolVersion(symbol));
  if (name.size() < 2 || name[0] != '_' || name[1] != 'Z') return name;
  int status = 0;
  char* demangled = abi::__cxa_demangle(name.c_str(), nullptr, nullptr, &status);
  if (status != 0 || demangled == nullptr) return name;
  std::string result(demangled);
  std::free(demangled);
  return result;
}

}  // namespace parkscope
