#include "symbolize/build_id.h"

#include <elfutils/libdwelf.h>

#include <cstring>

namespace parkscope {

std::string HexOf(const unsigned char* bytes, int len) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < len; ++i) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 15];
  }
  return out;
}

bool FileHasBuildId(int fd, const unsigned char* bits, int len, Elf_Cmd how) {
  Elf* elf = elf_begin(fd, how, nullptr);
  if (elf == nullptr) return false;
  const void* id = nullptr;
  const ssize_t id_len = dwelf_elf_gnu_build_id(elf, &id);
  const bool same = id_len == len && std::memcmp(id, bits, static_cast<size_t>(len)) == 0;
  elf_end(elf);
  return same;
}

}  // namespace parkscope
