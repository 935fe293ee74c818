// Opens the file behind one of the target's mappings the way the target
// sees it: /proc/PID/map_files/START-END first (the very file mapped, even
// when deleted or replaced since), else the path resolved inside the
// target's root with RESOLVE_IN_ROOT, so neither a container's mount
// namespace nor a symlink the target planted can point us at a host file.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "model/snapshot.h"

namespace parkscope {

// Returns an O_RDONLY|O_CLOEXEC descriptor, or -1 with errno set. proc_id is
// any live thread of the target (a zombie leader's entries are gone).
// Without map_files (no CAP_SYS_ADMIN before Linux 4.3, say) the path is the
// only clue: a file replaced at that path since it was mapped is then read
// in its place.
int OpenMappedFile(Pid proc_id, uint64_t start, uint64_t end, const std::string& path);

// A file the target names (a debug file, say) resolved inside its root,
// the maps path shapes below both accepted: O_NONBLOCK, so a FIFO cannot
// block us, and regular files only. -1 with errno set otherwise.
int OpenFileInTargetRoot(Pid proc_id, const std::string& path);

// The maps path as a path inside the target's root. /proc/PID/maps prints a
// path the way d_path does for the reader: from our root when the file is
// reachable from it (a chroot: "/srv/ct/lib/libc.so.6" for the target's
// "/lib/libc.so.6"), else from the root of the file's own mount namespace
// (a pivot_root'ed container: "/lib/libc.so.6" already). root_seen_by_us
// is readlink(/proc/PID/root); its prefix is cut off when present, so
// both shapes end up as the target's own path. Resolving the first shape
// inside the target's root found nothing: a chroot'ed target lost every
// symbol whenever map_files could not be opened.
std::string PathInTargetRoot(std::string_view root_seen_by_us, std::string_view maps_path);

}  // namespace parkscope
