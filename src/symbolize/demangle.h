#pragma once

#include <string>
#include <string_view>

namespace parkscope {

// Demangles Itanium C++ names. Only names starting with "_Z" are demangled:
// __cxa_demangle turns plain C names such as "w" into types ("wchar_t").
// A symbol version suffix ("@@GLIBC_2.3.2") is dropped first.
std::string Demangle(std::string_view symbol);

// The symbol without its version suffix.
std::string_view StripSymbolVersion(std::string_view symbol);

}  // namespace parkscope
