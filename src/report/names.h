// Function and file names as the reports print them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace parkscope {

// Removes what the toolchain adds to a name without changing which function
// it is:
//   - GCC clone annotations from the demangler: " [clone .isra.0]",
//     " [clone .cold]", " [clone .constprop.0]" (every occurrence);
//   - the same suffixes on plain C names: "locker.cold", "f.isra.0",
//     "f.constprop.0.isra.0", ".part.N", ".lto_priv.N", ".localalias";
//   - a symbol version: "pthread_mutex_lock@GLIBC_2.2.5", "memcpy@@GLIBC_2.14".
// Anything else is returned unchanged; an empty name stays empty.
std::string CleanFunctionName(std::string_view name);

// Names longer than max_chars (template instantiations run to thousands of
// characters) keep their start and their end, joined by "…", so both the
// class and the parameter list stay visible. Never splits a UTF-8 sequence.
std::string ShortenName(std::string_view name, size_t max_chars = 120);

// "/src/app/fetch.cc" -> "fetch.cc".
std::string_view Basename(std::string_view path);

// "0x1a2b": lowercase, no padding, like Go's %#x.
std::string Hex(uint64_t value);

}  // namespace parkscope
