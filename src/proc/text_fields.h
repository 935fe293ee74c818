// Strict number and field scanning shared by the /proc parsers. Everything
// read from /proc is treated as hostile: a value is accepted only when the
// whole token is a number that fits the type, never a prefix of it.
//
// std::from_chars rather than strtoul/stoi: no locale, no errno, no leading
// whitespace or '+' accepted, no exceptions, and overflow is reported instead
// of saturating to ULONG_MAX.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace parkscope {

// Unsigned digits in base (10 or 16) with no sign, prefix or spaces.
std::optional<uint64_t> ParseU64(std::string_view text, int base = 10);
// Decimal with an optional leading '-'.
std::optional<int64_t> ParseI64(std::string_view text);
// Decimal with an optional leading '-', within int's range.
std::optional<int> ParseInt(std::string_view text);
// "0x" followed by hex digits, as the kernel prints with "0x%lx".
std::optional<uint64_t> ParseHex0x(std::string_view text);

// Removes leading and trailing spaces and tabs.
std::string_view TrimBlanks(std::string_view text);
// Skips spaces and tabs, returns the token up to the next space, tab or
// newline and advances rest past it. Empty when no token is left.
std::string_view NextField(std::string_view& rest);
// Returns the text up to the next '\n' (without it) and advances rest past
// the newline.
std::string_view NextLine(std::string_view& rest);

}  // namespace parkscope
