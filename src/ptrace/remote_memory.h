// Reads another process's memory with process_vm_readv: no ptrace stop, no
// writes, bounded by the caller's buffer. Pass any live TID of the target:
// the leader's PID fails once the main thread has exited (zombie leader).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "model/snapshot.h"

namespace parkscope {

// Copies up to len bytes from the target at addr into out. Returns the number
// of bytes copied (short at the first unmapped page), or -1 with errno set.
long ReadRemote(Tid tid, uint64_t addr, void* out, size_t len);

// A whole 32-bit word, or nullopt when it is not readable.
std::optional<uint32_t> ReadRemoteU32(Tid tid, uint64_t addr);

}  // namespace parkscope
