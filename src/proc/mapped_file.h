// Opens the file behind one of the target's mappings the way the target
// sees it: /proc/PID/map_files/START-END first (the very file mapped, even
// when deleted or replaced since), else the path resolved inside the
// target's root with RESOLVE_IN_ROOT, so neither a container's mount
// namespace nor a symlink the target planted can point us at a host file.
#pragma once

#include <cstdint>
#include <string>

#include "model/snapshot.h"

namespace parkscope {

// Returns an O_RDONLY|O_CLOEXEC descriptor, or -1 with errno set. proc_id is
// any live thread of the target (a zombie leader's entries are gone).
int OpenMappedFile(Pid proc_id, uint64_t start, uint64_t end, const std::string& path);

}  // namespace parkscope
