// Finds a module's separate debug file for libdwfl: the file named by its
// build-id under /usr/lib/debug/.build-id, or the one its .gnu_debuglink
// names beside it. Used instead of dwfl_standard_find_debuginfo, whose
// lookups do not suit a target that may be hostile or in a container:
//   - it opens every candidate with a blocking open(); the target chooses
//     the debuglink name and the directory searched, and a FIFO there hung
//     the dump for good (test CorruptElf.DebuglinkNamesAFifo);
//   - it searches our file system at the path the target's maps give,
//     which in a container names another file or none;
//   - with DEBUGINFOD_URLS set it fetches over the network while the dump
//     waits.
// Here each candidate is opened with O_NONBLOCK inside the target's root
// (RESOLVE_IN_ROOT, see proc/mapped_file.h), must be a regular file and
// must carry the module's build-id (a module without one: match the
// debuglink's CRC). Our own /usr/lib/debug/.build-id is searched after the
// target's: a build-id names the very build, whichever root holds it.
#pragma once

#include <elfutils/libdwfl.h>

#include <string>

#include "model/snapshot.h"

namespace parkscope {

// For Dwfl_Callbacks::find_debuginfo. module_path: the module's path as
// the target's maps name it. Returns an open descriptor and sets
// *debuginfo_file_name (malloc'ed, libdwfl frees it), or -1.
//
// A call for a dwz alternate file (debuglink_file is then the debug
// file's .gnu_debugaltlink, not the module's .gnu_debuglink) is served by
// the same non-blocking, regular-file-only opens, without a build-id check:
// the alternate's build-id is in the debug file's Dwarf, which libdwfl is
// still setting up. libdw bounds-checks what it reads from it.
int OpenSeparateDebugFile(Dwfl_Module* module, Pid pid, const std::string& module_path,
                          const char* debuglink_file, GElf_Word debuglink_crc,
                          char** debuginfo_file_name);

}  // namespace parkscope
