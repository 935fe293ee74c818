// Build-ids: as text (the names of debug files under /usr/lib/debug/.build-id
// and in the inflated-debug cache, the symbolizer's cache keys) and as the
// check that a file is the one a module names.
#pragma once

#include <libelf.h>

#include <string>

namespace parkscope {

// Lower-case hex of len bytes, two digits each.
std::string HexOf(const unsigned char* bytes, int len);

// The ELF file open on fd carries the build-id bits[0, len). `how` is
// ELF_C_READ for a file someone else controls (a mapping of a file that
// shrinks under us faults with SIGBUS, a read just fails) and
// ELF_C_READ_MMAP for one of ours.
bool FileHasBuildId(int fd, const unsigned char* bits, int len, Elf_Cmd how);

}  // namespace parkscope
