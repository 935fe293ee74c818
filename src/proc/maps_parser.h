// Parses /proc/PID/maps: which file (module) an address belongs to, so a pc
// can be symbolized and a stack walk can tell code from garbage.
//
// Line format (fs/proc/task_mmu.c, show_map_vma):
//   start-end perms offset major:minor inode [padding path]
// with hex start, end, offset and device, and a decimal inode.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace parkscope {

struct MapEntry {
  uint64_t start = 0, end = 0;  // [start, end)
  bool readable = false, writable = false, executable = false, shared = false;
  uint64_t offset = 0;  // file offset of start
  uint32_t dev_major = 0, dev_minor = 0;
  uint64_t inode = 0;
  // Everything after the inode column, leading blanks trimmed: a file path
  // (the kernel escapes '\n' in it as "\012"), "[heap]", "[stack]", "[vdso]",
  // "[anon:name]", or empty for anonymous memory.
  std::string path;
  bool deleted = false;  // the kernel's " (deleted)" suffix, removed from path
  bool IsFile() const { return inode != 0 && !path.empty() && path[0] == '/'; }
};

struct MapsParse {
  std::vector<MapEntry> entries;  // in file order
  size_t malformed_lines = 0;     // skipped; not counted: empty lines
  bool truncated = false;         // stopped at max_entries
};

// Never fails as a whole: a bad line is counted in malformed_lines and
// skipped, since one odd line (a new kernel column, a cut-off last line) must
// not hide every module. Lines with start >= end are malformed.
MapsParse ParseMaps(std::string_view text, size_t max_entries = 1'000'000);

// The entry whose [start, end) holds addr, or nullptr. Binary search when
// maps is sorted by start, as the kernel prints it; correct (linear) for
// unsorted input too, since callers may merge or filter the list.
const MapEntry* FindMapping(const std::vector<MapEntry>& maps, uint64_t addr);

}  // namespace parkscope
