#pragma once

#include <string>
#include <string_view>

namespace parkscope {

// Demangles Itanium C++ names. Only names starting with "_Z" are demangled:
// __cxa_demangle turns plain C names such as "w" into types ("wchar_t").
// A symbol version suffix ("@@GLIBC_2.3.2") is dropped first and clone
// suffixes last.
std::string Demangle(std::string_view symbol);

// Without the compiler's clone suffixes: " [clone .isra.0]" in demangled
// names, ".constprop.0", ".part.1", ".cold" in C ones. The raw symbol keeps
// them; people and gdb name the function without.
std::string StripCloneSuffix(std::string name);

// The symbol without its version suffix.
std::string_view StripSymbolVersion(std::string_view symbol);

}  // namespace parkscope
