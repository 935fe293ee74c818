#include "report/names.h"

#include <array>
#include <cctype>
#include <cinttypes>
#include <cstdio>

namespace parkscope {
namespace {

// GCC's clone suffixes that end in a number (".isra.0") and those that do
// not (".cold"). See gcc/cgraphclones.cc clone_function_name.
constexpr std::array<std::string_view, 5> kNumberedClones = {
    "isra", "constprop", "part", "lto_priv", "clone"};
constexpr std::array<std::string_view, 2> kPlainClones = {"cold", "localalias"};

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool IsVersionChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
}

// " [clone .isra.0]" anywhere (the demangler may print several in a row).
std::string RemoveCloneBrackets(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  size_t pos = 0;
  while (pos < name.size()) {
    size_t open = name.find("[clone ", pos);
    if (open == std::string_view::npos) break;
    size_t close = name.find(']', open);
    if (close == std::string_view::npos) break;
    size_t cut = open;
    if (cut > pos && name[cut - 1] == ' ') --cut;
    out.append(name.substr(pos, cut - pos));
    pos = close + 1;
  }
  out.append(name.substr(pos));
  return out;
}

// "@GLIBC_2.2.5" / "@@GLIBC_2.14" at the end.
void RemoveSymbolVersion(std::string& name) {
  size_t at = name.rfind('@');
  if (at == std::string::npos || at + 1 == name.size()) return;
  for (size_t i = at + 1; i < name.size(); ++i) {
    if (!IsVersionChar(name[i])) return;
  }
  size_t cut = (at > 0 && name[at - 1] == '@') ? at - 1 : at;
  if (cut == 0) return;  // nothing would be left of the name
  name.resize(cut);
}

// "locker.cold", "f.constprop.0.isra.0": strip from the end, one at a time.
// Only on plain C symbol names: a demangled C++ name shows its clones as
// " [clone ...]", and a dot in it ("operator()(...)") is never a suffix.
void RemoveCloneSuffixes(std::string& name) {
  if (name.find_first_of(" ()<>:[]") != std::string::npos) return;
  while (true) {
    size_t dot = name.rfind('.');
    if (dot == std::string::npos || dot == 0) return;
    std::string_view last = std::string_view(name).substr(dot + 1);
    bool plain = false;
    for (std::string_view s : kPlainClones) plain = plain || last == s;
    if (plain) {
      name.resize(dot);
      continue;
    }
    if (!AllDigits(last)) return;
    size_t prev = name.rfind('.', dot - 1);
    if (prev == std::string::npos || prev == 0) return;
    std::string_view kind =
        std::string_view(name).substr(prev + 1, dot - prev - 1);
    bool numbered = false;
    for (std::string_view s : kNumberedClones) numbered = numbered || kind == s;
    if (!numbered) return;
    name.resize(prev);
  }
}

bool IsContinuationByte(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

}  // namespace

std::string CleanFunctionName(std::string_view name) {
  std::string out = RemoveCloneBrackets(name);
  RemoveSymbolVersion(out);
  RemoveCloneSuffixes(out);
  return out;
}

std::string ShortenName(std::string_view name, size_t max_chars) {
  if (name.size() <= max_chars || max_chars < 3) return std::string(name);
  // Bytes, not characters: names are almost always ASCII, and for others
  // the result is merely a little shorter than max_chars.
  size_t head = max_chars / 2;
  size_t tail_start = name.size() - (max_chars - head - 1);
  while (head > 0 && IsContinuationByte(name[head])) --head;
  while (tail_start < name.size() && IsContinuationByte(name[tail_start])) {
    ++tail_start;
  }
  std::string out(name.substr(0, head));
  out += "…";
  out.append(name.substr(tail_start));
  return out;
}

std::string_view Basename(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string Hex(uint64_t value) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%" PRIx64, value);
  return buf;
}

}  // namespace parkscope
