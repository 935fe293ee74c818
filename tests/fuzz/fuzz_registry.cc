// libFuzzer harness: the agent registry as parkscope reads it out of a
// target, which may have scribbled on it. Input: a header, then slot bytes.
// Bit 0 of the first byte makes the header's magic, version and sizes
// right (so the slot parser is reached at all); bit 1 makes the second
// copy of the slots equal the first (so seqlock-consistent slots are
// parsed, not only torn ones).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "parkscope/registry_abi.h"
#include "waitstate/registry_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using Header = parkscope_registry_header;
  if (size < 1 + sizeof(Header)) return 0;
  const uint8_t mode = data[0];
  std::vector<uint8_t> header(data + 1, data + 1 + sizeof(Header));
  if (mode & 1) {
    Header h;
    std::memcpy(&h, header.data(), sizeof h);
    h.magic = PARKSCOPE_REGISTRY_MAGIC;
    h.version = PARKSCOPE_REGISTRY_VERSION;
    h.header_size = sizeof(Header);
    h.slot_size = sizeof(parkscope_slot);
    h.flags |= PARKSCOPE_REGISTRY_FLAG_READY;
    std::memcpy(header.data(), &h, sizeof h);
  }
  std::string problem;
  (void)parkscope::ParseRegistryHeader(header, &problem);

  std::span<const uint8_t> rest(data + 1 + sizeof(Header), size - 1 - sizeof(Header));
  std::span<const uint8_t> first = rest, second = rest;
  if ((mode & 2) == 0) {
    first = rest.first(rest.size() / 2);
    second = rest.subspan(rest.size() / 2);
  }
  parkscope::AgentRegistry registry;
  parkscope::ParseRegistrySlots(first, second, &registry);
  return 0;
}
