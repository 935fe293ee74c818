#include "waitstate/registry_reader.h"

#include <gelf.h>
#include <libelf.h>
#include <unistd.h>

#include <cstring>
#include <optional>

#include "parkscope/registry_abi.h"
#include "proc/mapped_file.h"
#include "ptrace/remote_memory.h"
#include "ptrace/thread_stop.h"
#include "waitstate/registry_parser.h"

namespace parkscope {
namespace {

bool IsAgentPath(const std::string& path) {
  size_t slash = path.rfind('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  return base.rfind("libparkscope_agent", 0) == 0;
}

// The symbol's address in the target: its st_value plus the load bias, the
// bias being where the segment at file offset 0 was mapped minus its vaddr.
std::optional<uint64_t> FindRegistrySymbol(int fd, uint64_t first_start) {
  elf_version(EV_CURRENT);
  Elf* elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
  if (elf == nullptr) return std::nullopt;
  std::optional<uint64_t> address;
  std::optional<uint64_t> bias;
  size_t nphdr = 0;
  if (elf_getphdrnum(elf, &nphdr) == 0) {
    for (size_t i = 0; i < nphdr && i < 64; ++i) {
      GElf_Phdr phdr;
      if (gelf_getphdr(elf, static_cast<int>(i), &phdr) != nullptr &&
          phdr.p_type == PT_LOAD && phdr.p_offset == 0) {
        bias = first_start - (phdr.p_vaddr & ~uint64_t{0xfff});
        break;
      }
    }
  }
  Elf_Scn* scn = nullptr;
  while (bias && !address && (scn = elf_nextscn(elf, scn)) != nullptr) {
    GElf_Shdr shdr;
    if (gelf_getshdr(scn, &shdr) == nullptr || shdr.sh_type != SHT_DYNSYM) continue;
    Elf_Data* data = elf_getdata(scn, nullptr);
    if (data == nullptr || shdr.sh_entsize == 0) continue;
    const size_t count = shdr.sh_size / shdr.sh_entsize;
    for (size_t i = 0; i < count; ++i) {
      GElf_Sym sym;
      if (gelf_getsym(data, static_cast<int>(i), &sym) == nullptr) break;
      const char* name = elf_strptr(elf, shdr.sh_link, sym.st_name);
      if (name != nullptr && std::strcmp(name, PARKSCOPE_REGISTRY_SYMBOL) == 0 &&
          sym.st_shndx != SHN_UNDEF) {
        address = *bias + sym.st_value;
        break;
      }
    }
  }
  elf_end(elf);
  return address;
}

// Copies [address, address + bytes) into out; false unless all of it came.
bool Copy(Tid tid, uint64_t address, size_t bytes, std::vector<uint8_t>* out) {
  out->assign(bytes, 0);
  return ReadRemote(tid, address, out->data(), bytes) == static_cast<long>(bytes);
}

}  // namespace

AgentRegistry ReadAgentRegistry(Pid pid, Tid memory_tid, const std::vector<MapEntry>& maps) {
  AgentRegistry registry;
  const MapEntry* first = nullptr;
  for (const MapEntry& m : maps) {
    if (m.IsFile() && m.offset == 0 && IsAgentPath(m.path)) {
      first = &m;
      break;
    }
  }
  if (first == nullptr) return registry;
  registry.found = true;
  const Tid reader = memory_tid > 0 ? memory_tid : pid;
  int fd = OpenMappedFile(reader, first->start, first->end, first->path);
  if (fd < 0) {
    registry.problem = "agent mapped but its file cannot be opened";
    return registry;
  }
  std::optional<uint64_t> header_address = FindRegistrySymbol(fd, first->start);
  close(fd);
  if (!header_address) {
    registry.problem = "agent has no registry symbol";
    return registry;
  }
  std::vector<uint8_t> header;
  if (!Copy(reader, *header_address, sizeof(parkscope_registry_header), &header)) {
    registry.problem = "registry header unreadable";
    return registry;
  }
  auto layout = ParseRegistryHeader(header, &registry.problem);
  if (!layout) return registry;
  registry.agent_start_ns = layout->agent_start_ns;
  // Two copies of the same range: a slot is kept only if its seqlock was
  // even and unchanged across both (see registry_abi.h, READING THE SLOTS).
  const size_t bytes = size_t{layout->slots_to_read} * sizeof(parkscope_slot);
  std::vector<uint8_t> first_copy, second_copy;
  registry.read_at_ns = MonotonicNs();
  if (!Copy(reader, layout->slots_address, bytes, &first_copy) ||
      !Copy(reader, layout->slots_address, bytes, &second_copy)) {
    registry.problem = "registry slots unreadable";
    return registry;
  }
  ParseRegistrySlots(first_copy, second_copy, &registry);
  return registry;
}

}  // namespace parkscope
