// Separate debug files as Debian ships them (libc6-dbg) keep their DWARF
// compressed (SHF_COMPRESSED sections), and libdw inflates every such
// section each time it opens the file: for libc about 40 ms, most of a dump
// of a process with a hundred threads. So the first dump that needs one
// writes an inflated copy into a cache directory, named by build-id, and
// later dumps open that copy instead (100 threads: 63 -> 23 ms).
//
// The directory: $PARKSCOPE_CACHE_DIR if set (empty turns the cache off),
// else /var/cache/parkscope for root and $XDG_CACHE_HOME/parkscope (or
// ~/.cache/parkscope) for anyone else. It is used only if it is ours and
// writable by no one else; files in it only if they are ours, regular, and
// carry the build-id they are named by. At most kCacheMaxBytes in all: the
// oldest copies go first.
#pragma once

#include <cstdint>
#include <string>

namespace parkscope {

constexpr uint64_t kCacheMaxBytes = 1ull << 30;

// A descriptor of the inflated copy of debug_fd's file, whose build-id is
// build_id (raw bytes): found in the cache, or written there now. -1 when
// the file has nothing compressed, the cache is off or unusable, or
// anything fails; the caller then keeps debug_fd. Only for files of our own
// file system: a file from a container's root, which the container
// controls, would otherwise stand in for a host library of that build-id
// in every later dump.
int OpenInflatedCopy(int debug_fd, const unsigned char* build_id, int build_id_len);

}  // namespace parkscope
