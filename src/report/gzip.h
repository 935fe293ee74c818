// gzip (RFC 1952) over zlib, for the pprof endpoint and `parkscope record`:
// pprof profiles are exchanged gzipped.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace parkscope {

// The gzip stream of data; nullopt only if zlib fails (out of memory).
std::optional<std::string> Gzip(std::string_view data);

// The inverse, for tests and tools: nullopt on a corrupt or truncated
// stream, or when the output would exceed max_bytes (a gzip bomb).
std::optional<std::string> Gunzip(std::string_view data, size_t max_bytes = 256 << 20);

}  // namespace parkscope
