// Build-ids as text: the names of debug files (/usr/lib/debug/.build-id,
// the inflated-debug cache) and the symbolizer's cache keys.
#pragma once

#include <string>

namespace parkscope {

// Lower-case hex of len bytes, two digits each.
inline std::string HexOf(const unsigned char* bytes, int len) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < len; ++i) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 15];
  }
  return out;
}

}  // namespace parkscope
