#include "symbolize/symbolizer.h"

#include <dwarf.h>
#include <elfutils/libdw.h>

#include <cstdlib>

#include "symbolize/build_id.h"
#include "symbolize/demangle.h"

namespace parkscope {
namespace {

// The scopes of one pc (dwarf_getscopes) go innermost first; we read only
// the function-like ones. Bounded so a corrupt DIE tree cannot run long.
constexpr size_t kMaxInlineDepth = 64;

std::string BaseName(const char* path) {
  if (path == nullptr) return "";
  std::string_view p(path);
  size_t slash = p.rfind('/');
  return std::string(slash == std::string_view::npos ? p : p.substr(slash + 1));
}

// A function DIE's printable name: its linkage name demangled (qualified and
// with parameters, like the ELF symbol), else its plain DW_AT_name.
std::string DieFunctionName(Dwarf_Die* die) {
  Dwarf_Attribute attr;
  const char* linkage = nullptr;
  if (dwarf_attr_integrate(die, DW_AT_linkage_name, &attr) != nullptr ||
      dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attr) != nullptr) {
    linkage = dwarf_formstring(&attr);
  }
  if (linkage != nullptr) return Demangle(linkage);
  if (dwarf_attr_integrate(die, DW_AT_name, &attr) != nullptr) {
    if (const char* name = dwarf_formstring(&attr)) return name;
  }
  return "";
}

// DW_AT_call_file / DW_AT_call_line of an inlined call: where, in its
// caller, the inlined function was called.
bool CallSite(Dwarf_Die* cudie, Dwarf_Die* inlined, std::string* file,
              int* line) {
  Dwarf_Attribute attr;
  Dwarf_Word file_index = 0, line_no = 0;
  if (dwarf_formudata(dwarf_attr(inlined, DW_AT_call_file, &attr), &file_index) != 0) {
    return false;
  }
  dwarf_formudata(dwarf_attr(inlined, DW_AT_call_line, &attr), &line_no);
  Dwarf_Files* files = nullptr;
  size_t nfiles = 0;
  if (dwarf_getsrcfiles(cudie, &files, &nfiles) != 0 || file_index >= nfiles) {
    return false;
  }
  const char* name = dwarf_filesrc(files, file_index, nullptr, nullptr);
  *file = name != nullptr ? name : "";
  *line = static_cast<int>(line_no);
  return true;
}

}  // namespace

namespace {

// The cache key of a pc: which file (its build-id, else its path and load
// address, which only this session can reuse) and where in it.
std::string CacheKey(Dwfl_Module* module, uint64_t pc, bool is_activation) {
  Dwarf_Addr start = 0;
  const char* name = dwfl_module_info(module, nullptr, &start, nullptr, nullptr,
                                      nullptr, nullptr, nullptr);
  // The build-id is known only once the module's ELF is open.
  Dwarf_Addr elf_bias = 0;
  dwfl_module_getelf(module, &elf_bias);
  const unsigned char* bits = nullptr;
  GElf_Addr vaddr = 0;
  int len = dwfl_module_build_id(module, &bits, &vaddr);
  std::string key;
  if (len > 0) {
    key = HexOf(bits, len);
  } else {
    key = std::string(name != nullptr ? name : "?") + "@" + std::to_string(start);
  }
  key += is_activation ? "+a" : "+r";
  key += std::to_string(pc - start);
  return key;
}

}  // namespace

std::vector<Frame> Symbolizer::Symbolize(uint64_t pc, bool is_activation) {
  std::vector<Frame> frames;
  SymbolizeInto(pc, is_activation, &frames);
  return frames;
}

void Symbolizer::SymbolizeInto(uint64_t pc, bool is_activation, std::vector<Frame>* out) {
  Learn(pc, is_activation);
  SymbolizeKnown(pc, is_activation, out);
}

void Symbolizer::Learn(uint64_t pc, bool is_activation) {
  const uint64_t pc_key = pc * 2 + (is_activation ? 1 : 0);
  if (by_pc_.count(pc_key) != 0) return;
  const uint64_t lookup_pc = is_activation || pc == 0 ? pc : pc - 1;
  Dwfl_Module* module = dwfl_addrmodule(session_->dwfl(), lookup_pc);
  if (module == nullptr) {
    by_pc_[pc_key] = nullptr;
    return;
  }
  const std::string key = CacheKey(module, pc, is_activation);
  auto it = cache_.find(key);
  if (it == cache_.end()) {
    it = cache_.emplace(key, Lookup(module, pc, is_activation)).first;
  }
  by_pc_[pc_key] = &it->second;
}

bool Symbolizer::SymbolizeKnown(uint64_t pc, bool is_activation,
                                std::vector<Frame>* out) const {
  auto known = by_pc_.find(pc * 2 + (is_activation ? 1 : 0));
  if (known == by_pc_.end()) return false;
  const std::vector<Frame>* cached = known->second;
  if (cached == nullptr) {  // in no module: the bare pc
    Frame& bare = out->emplace_back();
    bare.pc = pc;
    bare.is_activation = is_activation;
    return true;
  }
  const size_t first = out->size();
  out->insert(out->end(), cached->begin(), cached->end());
  for (size_t i = first; i < out->size(); ++i) (*out)[i].pc = pc;  // the cache is position-free
  return true;
}

std::vector<Frame> Symbolizer::Lookup(Dwfl_Module* module, uint64_t pc,
                                      bool is_activation) {
  Frame outer;
  outer.pc = pc;
  outer.is_activation = is_activation;
  const uint64_t lookup_pc = is_activation || pc == 0 ? pc : pc - 1;
  Dwarf_Addr module_start = 0;
  const char* module_name = dwfl_module_info(module, nullptr, &module_start,
                                             nullptr, nullptr, nullptr,
                                             nullptr, nullptr);
  outer.module = BaseName(module_name);
  outer.module_offset = pc - module_start;

  GElf_Off symbol_offset = 0;
  GElf_Sym symbol;
  const char* symbol_name = dwfl_module_addrinfo(
      module, lookup_pc, &symbol_offset, &symbol, nullptr, nullptr, nullptr);
  if (symbol_name != nullptr) {
    outer.symbol = symbol_name;
    outer.function = Demangle(symbol_name);
    outer.function_offset = symbol_offset + (pc - lookup_pc);
  }
  if (Dwfl_Line* line = dwfl_module_getsrc(module, lookup_pc)) {
    int line_no = 0;
    const char* file = dwfl_lineinfo(line, nullptr, &line_no, nullptr, nullptr, nullptr);
    if (file != nullptr) outer.file = file;
    outer.line = line_no;
  }

  Dwarf_Addr bias = 0;
  Dwarf_Die* cudie = dwfl_module_addrdie(module, lookup_pc, &bias);
  if (cudie == nullptr) return {outer};
  // The scopes holding the pc, innermost first, from the unit's index
  // (symbolize/scope_index.h). For a unit the index cannot read, from
  // dwarf_getscopes, which lists after an inlined_subroutine the scopes of
  // its abstract origin rather than of the function it was inlined into: so
  // only its innermost scope is taken, and dwarf_getscopes_die gives that
  // DIE's concrete nesting (as eu-addr2line -i does).
  std::vector<Dwarf_Die> scopes = scope_index_.ScopesAt(cudie, lookup_pc - bias);
  if (scopes.empty()) {
    Dwarf_Die* pc_scopes = nullptr;
    int npc_scopes = dwarf_getscopes(cudie, lookup_pc - bias, &pc_scopes);
    if (npc_scopes <= 0) return {outer};
    Dwarf_Die* nesting = nullptr;
    int nscopes = dwarf_getscopes_die(&pc_scopes[0], &nesting);
    std::free(pc_scopes);
    if (nscopes <= 0) return {outer};
    scopes.assign(nesting, nesting + nscopes);
    std::free(nesting);
  }

  // Walk outward: each inlined_subroutine scope is a frame whose location is
  // the current one; its call site becomes the location of the next frame.
  std::vector<Frame> frames;
  std::string file = outer.file;
  int line = outer.line;
  for (size_t i = 0; i < scopes.size() && i < kMaxInlineDepth; ++i) {
    Dwarf_Die* scope = &scopes[i];
    const int tag = dwarf_tag(scope);
    if (tag == DW_TAG_inlined_subroutine) {
      Frame inlined = outer;
      inlined.inlined = true;
      inlined.function = DieFunctionName(scope);
      inlined.symbol.clear();
      inlined.function_offset = 0;
      inlined.file = file;
      inlined.line = line;
      frames.push_back(inlined);
      if (!CallSite(cudie, scope, &file, &line)) {
        file.clear();
        line = 0;
      }
    } else if (tag == DW_TAG_subprogram) {
      // A function with no ELF symbol (static, stripped symtab) still has
      // its DWARF name.
      if (outer.function.empty()) outer.function = DieFunctionName(scope);
      break;
    }
  }
  outer.file = file;
  outer.line = line;
  frames.push_back(outer);
  return frames;
}

}  // namespace parkscope
