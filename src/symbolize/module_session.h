// The target's loaded modules as one libdwfl session, shared by the unwinder
// (it needs each module's CFI) and the symbolizer. Modules are reported from
// the maps we already read; their files are opened through the target's own
// view (/proc/PID/map_files, else /proc/PID/root without leaving it), never
// by trusting a path the target wrote into its maps, so a container's
// binaries are found and a hostile symlink cannot make us read host files.
// ELF and DWARF are loaded lazily by libdwfl, only for modules that a stack
// actually touches.
#pragma once

#include <elfutils/libdwfl.h>

#include <memory>
#include <string>
#include <vector>

#include "model/snapshot.h"
#include "proc/maps_parser.h"

namespace parkscope {

struct ModuleSource;  // how to open one module's file; defined in the .cc

// What a session depends on: the file mappings (thread stacks and heap
// come and go without changing any module). Equal keys, same modules.
std::string ModulesKey(const std::vector<MapEntry>& maps);

class ModuleSession {
 public:
  // memory_tid: a live thread, for copying the in-memory vDSO image.
  static std::unique_ptr<ModuleSession> Create(
      Pid pid, Tid memory_tid, const std::vector<MapEntry>& maps,
      std::string* error);
  ~ModuleSession();
  ModuleSession(const ModuleSession&) = delete;
  ModuleSession& operator=(const ModuleSession&) = delete;

  Dwfl* dwfl() const { return dwfl_; }
  Pid pid() const { return pid_; }

 private:
  ModuleSession() = default;

  Pid pid_ = 0;
  Dwfl* dwfl_ = nullptr;
  std::vector<std::unique_ptr<ModuleSource>> sources_;
};

}  // namespace parkscope
