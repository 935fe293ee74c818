// Threads that runtimes start on their own and keep for the life of the
// process: not leaks of the program under test. Each entry says whose thread
// it is; README "Use in your tests" lists them. Disable with
// --no-builtin-ignores.
#pragma once

#include <string_view>
#include <vector>

namespace parkscope {

struct BuiltinIgnore {
  std::string_view kind;     // "top", "any" or "created-by", as the flags
  std::string_view pattern;  // a FunctionPattern
  std::string_view why;
};

const std::vector<BuiltinIgnore>& BuiltinIgnores();

}  // namespace parkscope
