// ScopeIndex against libdw's own answer (dwarf_getscopes, then
// dwarf_getscopes_die of its innermost scope, up to the first subprogram)
// at every 4th byte of the code of an optimized binary with inlined calls:
// fixture_all_waits, built -g -O2.
#include "symbolize/scope_index.h"

#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <vector>

namespace parkscope {
namespace {

// Offsets of the scopes libdw reports for pc, innermost first, ending with
// the first subprogram; empty when libdw knows none.
std::vector<Dwarf_Off> LibdwScopes(Dwarf_Die* cudie, Dwarf_Addr pc) {
  Dwarf_Die* pc_scopes = nullptr;
  const int npc = dwarf_getscopes(cudie, pc, &pc_scopes);
  if (npc <= 0) return {};
  Dwarf_Die* nesting = nullptr;
  const int n = dwarf_getscopes_die(&pc_scopes[0], &nesting);
  std::free(pc_scopes);
  std::vector<Dwarf_Off> offsets;
  for (int i = 0; i < n; ++i) {
    offsets.push_back(dwarf_dieoffset(&nesting[i]));
    if (dwarf_tag(&nesting[i]) == DW_TAG_subprogram) break;
  }
  std::free(nesting);
  return offsets;
}

std::vector<Dwarf_Off> Offsets(const std::vector<Dwarf_Die>& scopes) {
  std::vector<Dwarf_Off> offsets;
  for (Dwarf_Die die : scopes) offsets.push_back(dwarf_dieoffset(&die));
  return offsets;
}

TEST(ScopeIndex, AgreesWithDwarfGetscopesOnEveryPcOfAnOptimizedBinary) {
  static const Dwfl_Callbacks callbacks = {
      dwfl_build_id_find_elf, dwfl_standard_find_debuginfo, dwfl_offline_section_address,
      nullptr};
  Dwfl* dwfl = dwfl_begin(&callbacks);
  ASSERT_NE(dwfl, nullptr);
  Dwfl_Module* module = dwfl_report_offline(dwfl, "sample", PARKSCOPE_SCOPE_SAMPLE, -1);
  ASSERT_NE(module, nullptr) << dwfl_errmsg(-1) << ": " << PARKSCOPE_SCOPE_SAMPLE;
  dwfl_report_end(dwfl, nullptr, nullptr);

  ScopeIndex index;
  size_t pcs = 0, inlined = 0;
  Dwarf_Addr bias = 0;
  for (Dwarf_Die* cu = nullptr; (cu = dwfl_module_nextcu(module, cu, &bias)) != nullptr;) {
    // dwarf_ranges covers both a unit's low/high pair and its range list.
    Dwarf_Addr base = 0, start = 0, end = 0;
    for (ptrdiff_t off = 0; (off = dwarf_ranges(cu, off, &base, &start, &end)) > 0;) {
      for (Dwarf_Addr pc = start; pc < end; pc += 4) {
        std::vector<Dwarf_Off> expected = LibdwScopes(cu, pc);
        if (expected.empty()) continue;
        ++pcs;
        inlined += expected.size() > 1;
        ASSERT_EQ(Offsets(index.ScopesAt(cu, pc)), expected) << "pc 0x" << std::hex << pc;
      }
    }
  }
  dwfl_end(dwfl);
  // The comparison means something only if it covered code, inlined calls
  // among it.
  EXPECT_GT(pcs, 1000u);
  EXPECT_GT(inlined, 100u);
}

}  // namespace
}  // namespace parkscope
