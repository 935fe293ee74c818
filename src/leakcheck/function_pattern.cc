#include "leakcheck/function_pattern.h"

namespace parkscope {
namespace {

// Regexes are not run on absurdly long names: std::regex recurses per
// character and a 30,000-character name overflows the stack.
constexpr size_t kMaxRegexInput = 4096;

// "ns::f(int) const" -> "ns::f"; leaves names without a parameter list alone.
std::string_view WithoutParameters(std::string_view name) {
  if (name.empty() || (name.back() != ')' && !name.ends_with(" const"))) return name;
  int depth = 0;
  for (size_t i = name.size(); i-- > 0;) {
    if (name[i] == ')') ++depth;
    if (name[i] == '(' && --depth == 0) return name.substr(0, i);
  }
  return name;
}

std::string WithoutAnonymousNamespace(std::string_view name) {
  std::string out(name);
  for (size_t at; (at = out.find("(anonymous namespace)::")) != std::string::npos;) {
    out.erase(at, 23);
  }
  return out;
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0, star = std::string_view::npos, retry = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p, ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      retry = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++retry;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::optional<FunctionPattern> FunctionPattern::Parse(std::string_view text,
                                                      std::string* error) {
  FunctionPattern pattern;
  pattern.text_ = std::string(text);
  if (text.empty()) {
    *error = "empty function pattern";
    return std::nullopt;
  }
  if (text.starts_with("re:")) {
    try {
      pattern.regex_.emplace(std::string(text.substr(3)), std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      *error = "bad regex '" + std::string(text.substr(3)) + "': " + e.what();
      return std::nullopt;
    }
  }
  return pattern;
}

bool FunctionPattern::Matches(std::string_view function) const {
  if (regex_) {
    if (function.size() > kMaxRegexInput) return false;
    return std::regex_search(function.begin(), function.end(), *regex_);
  }
  const std::string_view bare = WithoutParameters(function);
  return GlobMatch(text_, function) || GlobMatch(text_, bare) ||
         GlobMatch(text_, WithoutAnonymousNamespace(bare));
}

}  // namespace parkscope
