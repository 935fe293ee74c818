// The innermost DWARF scope (function, lexical block or inlined call) that
// holds a pc, found through an index of each compile unit's functions.
//
// dwarf_getscopes answers the same question by walking the compile unit
// from its root on every call, which in a C++ unit (thousands of DIEs from
// the standard headers) took about 150 us per pc: ten distinct pcs in one
// fixture were 1.5 ms of a 50 ms dump, and a real program's units are far
// larger. Here each unit is walked once, its functions with code are kept
// sorted by address, and a pc costs a binary search and a descent through
// the few blocks and inlined calls of one function.
//
// A unit whose functions the walk does not find (code in a partial unit
// that dwz moved out, for one) gives no answer, and the caller falls back to
// dwarf_getscopes.
#pragma once

#include <elfutils/libdw.h>

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace parkscope {

class ScopeIndex {
 public:
  // The scopes of cudie's unit that hold pc (an address in the unit's own
  // terms, after the module bias), innermost first, ending with the
  // function they are in; empty if the index knows no function there.
  // What dwarf_getscopes_die lists up to the first subprogram.
  std::vector<Dwarf_Die> ScopesAt(Dwarf_Die* cudie, Dwarf_Addr pc);

  // Forgets every unit: their DIEs belong to a session that is going away.
  void Clear() { units_.clear(); }

 private:
  struct Function {
    Dwarf_Addr low = 0;
    Dwarf_Addr high = 0;  // one past the end
    Dwarf_Die die{};
  };
  using Functions = std::vector<Function>;  // sorted by low

  const Functions& FunctionsOf(Dwarf_Die* cudie);

  // By the address of the unit's DIE in the mapped debug data, which stays
  // put while the session lives.
  std::unordered_map<const void*, Functions> units_;
};

}  // namespace parkscope
