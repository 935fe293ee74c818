#include "symbolize/module_session.h"

#include <cstring>

#include "proc/mapped_file.h"
#include "ptrace/remote_memory.h"
#include "symbolize/debug_file_finder.h"

namespace parkscope {

struct ModuleSource {
  Pid pid = 0;
  std::string path;       // as the target's maps name it
  uint64_t first_start = 0, first_end = 0;  // the mapping at file offset 0
  std::vector<uint8_t> image;  // the vDSO, copied from the target
};

namespace {

// The vDSO is a whole ELF image of a page or two; anything bigger is not it.
constexpr size_t kMaxVdsoBytes = 64 * 1024;

int FindElf(Dwfl_Module*, void** userdata, const char*, Dwarf_Addr,
            char** file_name, Elf** elfp) {
  auto* source = static_cast<ModuleSource*>(*userdata);
  if (source == nullptr) return -1;
  if (!source->image.empty()) {
    *elfp = elf_memory(reinterpret_cast<char*>(source->image.data()),
                       source->image.size());
    *file_name = nullptr;
    return -1;
  }
  int fd = OpenMappedFile(source->pid, source->first_start, source->first_end,
                          source->path);
  // Only a name for messages: FindDebuginfo looks for separate debug
  // files itself, never by this path on our file system.
  if (fd >= 0) *file_name = strdup(source->path.c_str());
  return fd;
}

int FindDebuginfo(Dwfl_Module* module, void** userdata, const char*, Dwarf_Addr,
                  const char*, const char* debuglink_file, GElf_Word debuglink_crc,
                  char** debuginfo_file_name) {
  auto* source = static_cast<ModuleSource*>(*userdata);
  if (source == nullptr || !source->image.empty()) return -1;  // the vDSO has none
  return OpenSeparateDebugFile(module, source->pid, source->path, debuglink_file,
                               debuglink_crc, debuginfo_file_name);
}

// Not dwfl_standard_find_debuginfo: see symbolize/debug_file_finder.h.
const Dwfl_Callbacks kCallbacks = {
    .find_elf = FindElf,
    .find_debuginfo = FindDebuginfo,
    .section_address = nullptr,
    .debuginfo_path = nullptr,
};

bool SameFile(const MapEntry& a, const MapEntry& b) {
  return a.inode == b.inode && a.dev_major == b.dev_major &&
         a.dev_minor == b.dev_minor && a.path == b.path;
}

}  // namespace

std::string ModulesKey(const std::vector<MapEntry>& maps) {
  std::string key;
  for (const MapEntry& m : maps) {
    if (!m.IsFile() && m.path != "[vdso]") continue;
    key += std::to_string(m.start) + '-' + std::to_string(m.end) + ':' +
           std::to_string(m.offset) + ':' + std::to_string(m.inode) + m.path + '\n';
  }
  return key;
}

std::unique_ptr<ModuleSession> ModuleSession::Create(
    Pid pid, Tid memory_tid, const std::vector<MapEntry>& maps,
    std::string* error) {
  std::unique_ptr<ModuleSession> session(new ModuleSession);
  session->pid_ = pid;
  session->dwfl_ = dwfl_begin(&kCallbacks);
  if (session->dwfl_ == nullptr) {
    *error = std::string("libdwfl: ") + dwfl_errmsg(-1);
    return nullptr;
  }
  // Files are opened through a live thread's /proc entry: a zombie leader's
  // /proc/PID/map_files and root are gone while its threads still run.
  const Pid proc_id = memory_tid > 0 ? memory_tid : pid;
  dwfl_report_begin(session->dwfl_);
  auto report = [&](std::unique_ptr<ModuleSource> source, uint64_t low,
                    uint64_t high) {
    Dwfl_Module* module = dwfl_report_module(session->dwfl_,
                                             source->path.c_str(), low, high);
    if (module == nullptr) return;  // overlaps another module: skip it
    void** userdata = nullptr;
    dwfl_module_info(module, &userdata, nullptr, nullptr, nullptr, nullptr,
                     nullptr, nullptr);
    if (userdata != nullptr) *userdata = source.get();
    session->sources_.push_back(std::move(source));
  };
  for (size_t i = 0; i < maps.size();) {
    const MapEntry& first = maps[i];
    if (first.path == "[vdso]") {
      auto source = std::make_unique<ModuleSource>();
      source->pid = proc_id;
      source->path = "[vdso]";
      size_t size = std::min<uint64_t>(first.end - first.start, kMaxVdsoBytes);
      source->image.resize(size);
      if (ReadRemote(memory_tid, first.start, source->image.data(), size) ==
          static_cast<long>(size)) {
        report(std::move(source), first.start, first.end);
      }
      ++i;
      continue;
    }
    if (!first.IsFile()) {
      ++i;
      continue;
    }
    size_t j = i + 1;
    bool executable = first.executable;
    while (j < maps.size() && SameFile(maps[j], first)) {
      executable |= maps[j].executable;
      ++j;
    }
    if (executable && first.offset == 0) {
      auto source = std::make_unique<ModuleSource>();
      source->pid = proc_id;
      source->path = first.path;
      source->first_start = first.start;
      source->first_end = first.end;
      report(std::move(source), first.start, maps[j - 1].end);
    }
    i = j;
  }
  dwfl_report_end(session->dwfl_, nullptr, nullptr);
  return session;
}

ModuleSession::~ModuleSession() {
  if (dwfl_ != nullptr) dwfl_end(dwfl_);
}

}  // namespace parkscope
