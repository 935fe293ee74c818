// Validates the agent's registry bytes as copied out of the target. Pure:
// no I/O, so the fuzz and unit tests feed it anything.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "waitstate/agent_record.h"

namespace parkscope {

struct RegistryLayout {
  uint64_t slots_address = 0;
  uint32_t slots_to_read = 0;  // min(high_water, slot_count), bounded
  int64_t agent_start_ns = 0;
};

// The most slots a reader copies; far above any real thread count, small
// enough (about 30 MB) that a lying header cannot make us allocate more.
constexpr uint32_t kMaxSlotsRead = 65536;

// Checks magic, version and sizes. nullopt with *problem set when the
// header is not one this reader understands.
std::optional<RegistryLayout> ParseRegistryHeader(std::span<const uint8_t> header,
                                                  std::string* problem);

// Decodes slots read twice (first and second copy of the same range); a slot
// whose seq is odd or differs between the copies is torn and skipped.
void ParseRegistrySlots(std::span<const uint8_t> first, std::span<const uint8_t> second,
                        AgentRegistry* registry);

}  // namespace parkscope
