#include "symbolize/scope_index.h"

#include <dwarf.h>

#include <algorithm>

namespace parkscope {
namespace {

// Bounds for hostile or broken DWARF: how many DIEs one unit's walk visits,
// how deep namespaces and classes nest, how deep blocks and inlined calls
// nest within one function, how many address ranges one DIE has.
constexpr size_t kMaxDiesPerUnit = 4'000'000;
constexpr int kMaxNamespaceDepth = 64;
constexpr int kMaxScopeDepth = 256;
constexpr size_t kMaxRangesPerDie = 4096;
// Functions' ranges do not overlap; a few steps back cover odd units.
constexpr int kMaxCandidates = 8;

// Children of `parent`, in order, stopping where an offset fails to grow (a
// sibling attribute pointing backwards would otherwise loop forever) or
// `budget` runs out. `visit` returns false to stop.
template <typename Visit>
void ForEachChild(Dwarf_Die* parent, size_t* budget, Visit visit) {
  Dwarf_Die child;
  if (dwarf_child(parent, &child) != 0) return;
  Dwarf_Off last = 0;
  do {
    const Dwarf_Off offset = dwarf_dieoffset(&child);
    if (offset <= last || *budget == 0) return;
    last = offset;
    --*budget;
    if (!visit(&child)) return;
  } while (dwarf_siblingof(&child, &child) == 0);
}

bool HoldsScopes(int tag) {
  switch (tag) {
    case DW_TAG_subprogram:
    case DW_TAG_lexical_block:
    case DW_TAG_inlined_subroutine:
    case DW_TAG_try_block:
    case DW_TAG_catch_block:
    case DW_TAG_with_stmt:
    case DW_TAG_entry_point:
      return true;
    default:
      return false;
  }
}

// Tags without code of their own that hold function definitions.
bool HoldsFunctions(int tag) {
  switch (tag) {
    case DW_TAG_namespace:
    case DW_TAG_class_type:
    case DW_TAG_structure_type:
    case DW_TAG_union_type:
    case DW_TAG_module:
      return true;
    default:
      return false;
  }
}

template <typename Function>
void AddRanges(Dwarf_Die* die, std::vector<Function>* out) {
  Dwarf_Addr base = 0, start = 0, end = 0;
  ptrdiff_t offset = 0;
  size_t count = 0;
  while (count++ < kMaxRangesPerDie &&
         (offset = dwarf_ranges(die, offset, &base, &start, &end)) > 0) {
    if (end > start) out->push_back({start, end, *die});
  }
}

template <typename Function>
void CollectFunctions(Dwarf_Die* parent, int depth, size_t* budget,
                      std::vector<Function>* out) {
  ForEachChild(parent, budget, [&](Dwarf_Die* child) {
    const int tag = dwarf_tag(child);
    if (tag == DW_TAG_subprogram) {
      AddRanges(child, out);
    } else if (HoldsFunctions(tag) && depth < kMaxNamespaceDepth) {
      CollectFunctions(child, depth + 1, budget, out);
    }
    return true;
  });
}

}  // namespace

const ScopeIndex::Functions& ScopeIndex::FunctionsOf(Dwarf_Die* cudie) {
  auto [it, added] = units_.try_emplace(cudie->addr);
  if (added) {
    size_t budget = kMaxDiesPerUnit;
    CollectFunctions(cudie, 0, &budget, &it->second);
    std::sort(it->second.begin(), it->second.end(),
              [](const Function& a, const Function& b) { return a.low < b.low; });
  }
  return it->second;
}

std::vector<Dwarf_Die> ScopeIndex::ScopesAt(Dwarf_Die* cudie, Dwarf_Addr pc) {
  const Functions& functions = FunctionsOf(cudie);
  auto after = std::upper_bound(functions.begin(), functions.end(), pc,
                                [](Dwarf_Addr a, const Function& f) { return a < f.low; });
  std::vector<Dwarf_Die> outermost_first;
  for (int step = 0; step < kMaxCandidates && after != functions.begin(); ++step) {
    --after;
    if (after->low <= pc && pc < after->high) {
      outermost_first.push_back(after->die);
      break;
    }
  }
  if (outermost_first.empty()) return {};
  // Down through the blocks and inlined calls that hold pc.
  size_t budget = kMaxDiesPerUnit;
  for (int depth = 0; depth < kMaxScopeDepth; ++depth) {
    Dwarf_Die scope = outermost_first.back();
    bool deeper = false;
    ForEachChild(&scope, &budget, [&](Dwarf_Die* child) {
      if (!HoldsScopes(dwarf_tag(child)) || dwarf_haspc(child, pc) <= 0) return true;
      outermost_first.push_back(*child);
      deeper = true;
      return false;
    });
    if (!deeper) break;
  }
  return {outermost_first.rbegin(), outermost_first.rend()};
}

}  // namespace parkscope
