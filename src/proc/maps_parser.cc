#include "proc/maps_parser.h"

#include <algorithm>
#include <limits>
#include <optional>

#include "proc/text_fields.h"

namespace parkscope {
namespace {

constexpr std::string_view kDeletedSuffix = " (deleted)";
// The kernel prints at least 8 hex digits; 16 is the most a 64-bit value
// needs. Anything longer would only be accepted by leading zeros: reject it.
constexpr size_t kMaxHexDigits = 16;

std::optional<uint64_t> ParseHexColumn(std::string_view text) {
  if (text.size() > kMaxHexDigits) return std::nullopt;
  return ParseU64(text, 16);
}

std::optional<uint32_t> ParseDeviceNumber(std::string_view text) {
  std::optional<uint64_t> value = ParseHexColumn(text);
  if (!value || *value > std::numeric_limits<uint32_t>::max()) {
    return std::nullopt;
  }
  return static_cast<uint32_t>(*value);
}

// Each position holds its letter or '-'; the last is 'p' (private) or 's'.
bool ParsePerms(std::string_view perms, MapEntry& entry) {
  if (perms.size() != 4) return false;
  auto flag = [](char c, char letter, bool& out) {
    if (c != letter && c != '-') return false;
    out = c == letter;
    return true;
  };
  if (!flag(perms[0], 'r', entry.readable) ||
      !flag(perms[1], 'w', entry.writable) ||
      !flag(perms[2], 'x', entry.executable)) {
    return false;
  }
  if (perms[3] != 'p' && perms[3] != 's') return false;
  entry.shared = perms[3] == 's';
  return true;
}

std::optional<MapEntry> ParseLine(std::string_view line) {
  MapEntry entry;
  std::string_view rest = line;

  std::string_view range = NextField(rest);
  size_t dash = range.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  std::optional<uint64_t> start = ParseHexColumn(range.substr(0, dash));
  std::optional<uint64_t> end = ParseHexColumn(range.substr(dash + 1));
  if (!start || !end || *start >= *end) return std::nullopt;
  entry.start = *start;
  entry.end = *end;

  if (!ParsePerms(NextField(rest), entry)) return std::nullopt;

  std::optional<uint64_t> offset = ParseHexColumn(NextField(rest));
  if (!offset) return std::nullopt;
  entry.offset = *offset;

  std::string_view device = NextField(rest);
  size_t colon = device.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::optional<uint32_t> major = ParseDeviceNumber(device.substr(0, colon));
  std::optional<uint32_t> minor = ParseDeviceNumber(device.substr(colon + 1));
  if (!major || !minor) return std::nullopt;
  entry.dev_major = *major;
  entry.dev_minor = *minor;

  std::optional<uint64_t> inode = ParseU64(NextField(rest));
  if (!inode) return std::nullopt;
  entry.inode = *inode;

  // The path is the rest of the line, spaces and all. Only the padding in
  // front of it is trimmed; a trailing blank may belong to the file name.
  std::string_view path = rest;
  while (!path.empty() && (path.front() == ' ' || path.front() == '\t')) {
    path.remove_prefix(1);
  }
  if (path.size() > kDeletedSuffix.size() &&
      path.substr(path.size() - kDeletedSuffix.size()) == kDeletedSuffix) {
    path.remove_suffix(kDeletedSuffix.size());
    entry.deleted = true;
  }
  entry.path.assign(path);
  return entry;
}

}  // namespace

MapsParse ParseMaps(std::string_view text, size_t max_entries) {
  MapsParse parse;
  std::string_view rest = text;
  while (!rest.empty()) {
    std::string_view line = NextLine(rest);
    if (line.empty()) continue;
    std::optional<MapEntry> entry = ParseLine(line);
    if (!entry) {
      ++parse.malformed_lines;
      continue;
    }
    if (parse.entries.size() >= max_entries) {
      parse.truncated = true;
      break;
    }
    parse.entries.push_back(std::move(*entry));
  }
  return parse;
}

const MapEntry* FindMapping(const std::vector<MapEntry>& maps, uint64_t addr) {
  // Hand-written rather than std::upper_bound: on unsorted input that call
  // breaks its precondition, while this loop just lands somewhere.
  size_t lo = 0, hi = maps.size();
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (maps[mid].start <= addr) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  // lo is the first entry starting after addr; the one before it is the only
  // candidate when the list is sorted, and a hit is correct either way.
  if (lo > 0 && addr < maps[lo - 1].end) return &maps[lo - 1];
  // A miss is only trustworthy on sorted input. Checking sortedness here, not
  // on every call, keeps the common case (a pc inside a module) O(log n).
  bool sorted = std::is_sorted(
      maps.begin(), maps.end(),
      [](const MapEntry& a, const MapEntry& b) { return a.start < b.start; });
  if (sorted) return nullptr;
  for (const MapEntry& entry : maps) {
    if (entry.start <= addr && addr < entry.end) return &entry;
  }
  return nullptr;
}

}  // namespace parkscope
