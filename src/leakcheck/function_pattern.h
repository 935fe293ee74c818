// A pattern over function names, as the ignore options take them: a glob
// ('*' any run, '?' one character) by default, or an ECMAScript regex after
// "re:". C++ names are long ("(anonymous namespace)::Worker(std::shared_ptr<
// Channel<int> >, int)"), so a glob is tried against the whole name, the name
// without its parameter list, and that without "(anonymous namespace)::":
// "Worker", "*::Worker" and "Worker(*" all match the name above.
#pragma once

#include <optional>
#include <regex>
#include <string>
#include <string_view>

namespace parkscope {

class FunctionPattern {
 public:
  static std::optional<FunctionPattern> Parse(std::string_view text, std::string* error);
  bool Matches(std::string_view function) const;
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::optional<std::regex> regex_;
};

// Glob matching with '*' and '?', iterative (no backtracking blow-up).
bool GlobMatch(std::string_view pattern, std::string_view text);

}  // namespace parkscope
