#include "ptrace/remote_memory.h"

#include <sys/uio.h>

#include <cerrno>

namespace parkscope {

long ReadRemote(Tid tid, uint64_t addr, void* out, size_t len) {
  if (len == 0) return 0;
  if (addr + len < addr) {  // wraps: no such range in any process
    errno = EFAULT;
    return -1;
  }
  iovec local{out, len};
  iovec remote{reinterpret_cast<void*>(addr), len};
  return process_vm_readv(tid, &local, 1, &remote, 1, 0);
}

std::optional<uint32_t> ReadRemoteU32(Tid tid, uint64_t addr) {
  uint32_t word = 0;
  if (ReadRemote(tid, addr, &word, sizeof word) != sizeof word) {
    return std::nullopt;
  }
  return word;
}

}  // namespace parkscope
