#include "proc/text_fields.h"

#include <charconv>
#include <system_error>

namespace parkscope {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

template <typename T>
std::optional<T> ParseWhole(std::string_view text, int base) {
  if (text.empty()) return std::nullopt;
  T value{};
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value, base);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

}  // namespace

std::optional<uint64_t> ParseU64(std::string_view text, int base) {
  return ParseWhole<uint64_t>(text, base);
}

std::optional<int64_t> ParseI64(std::string_view text) {
  return ParseWhole<int64_t>(text, 10);
}

std::optional<int> ParseInt(std::string_view text) {
  return ParseWhole<int>(text, 10);
}

std::optional<uint64_t> ParseHex0x(std::string_view text) {
  if (text.size() < 3 || text[0] != '0' || text[1] != 'x') return std::nullopt;
  return ParseU64(text.substr(2), 16);
}

std::string_view TrimBlanks(std::string_view text) {
  while (!text.empty() && IsBlank(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsBlank(text.back())) text.remove_suffix(1);
  return text;
}

std::string_view NextField(std::string_view& rest) {
  size_t begin = 0;
  while (begin < rest.size() && IsBlank(rest[begin])) ++begin;
  size_t end = begin;
  while (end < rest.size() && !IsBlank(rest[end]) && rest[end] != '\n') ++end;
  std::string_view field = rest.substr(begin, end - begin);
  rest.remove_prefix(end);
  return field;
}

std::string_view NextLine(std::string_view& rest) {
  size_t newline = rest.find('\n');
  if (newline == std::string_view::npos) {
    std::string_view line = rest;
    rest = {};
    return line;
  }
  std::string_view line = rest.substr(0, newline);
  rest.remove_prefix(newline + 1);
  return line;
}

}  // namespace parkscope
