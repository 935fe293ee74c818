#include "waitstate/registry_parser.h"

#include <cstring>

#include "parkscope/registry_abi.h"

namespace parkscope {
namespace {

template <typename T>
T Load(std::span<const uint8_t> bytes, size_t offset) {
  T value{};
  std::memcpy(&value, bytes.data() + offset, sizeof value);
  return value;
}

// A bounded, NUL-terminated-or-not string from a fixed array.
std::string BoundedString(const char* chars, size_t size) {
  size_t n = strnlen(chars, size);
  std::string s(chars, n);
  for (char& c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return s;
}

std::optional<WaitReason> ReasonFromAbi(uint32_t reason) {
  switch (reason) {
    case PARKSCOPE_REASON_MUTEX_LOCK: return WaitReason::kMutexLock;
    case PARKSCOPE_REASON_RWLOCK_READ: return WaitReason::kRwlockRead;
    case PARKSCOPE_REASON_RWLOCK_WRITE: return WaitReason::kRwlockWrite;
    case PARKSCOPE_REASON_COND_WAIT: return WaitReason::kCondWait;
    case PARKSCOPE_REASON_SEM_WAIT: return WaitReason::kSemWait;
    case PARKSCOPE_REASON_FUTEX_WAIT: return WaitReason::kFutexWait;
    case PARKSCOPE_REASON_JOIN: return WaitReason::kJoin;
    case PARKSCOPE_REASON_BARRIER: return WaitReason::kBarrier;
    case PARKSCOPE_REASON_IO_WAIT: return WaitReason::kIoWait;
    case PARKSCOPE_REASON_EPOLL_WAIT: return WaitReason::kEpollWait;
    case PARKSCOPE_REASON_POLL: return WaitReason::kPoll;
    case PARKSCOPE_REASON_SLEEP: return WaitReason::kSleep;
    case PARKSCOPE_REASON_SIGNAL_WAIT: return WaitReason::kSignalWait;
    case PARKSCOPE_REASON_WAITPID: return WaitReason::kWaitpid;
    case PARKSCOPE_REASON_QUEUE_RECV: return WaitReason::kQueueRecv;
    case PARKSCOPE_REASON_QUEUE_SEND: return WaitReason::kQueueSend;
    default: return std::nullopt;
  }
}

}  // namespace

std::optional<RegistryLayout> ParseRegistryHeader(std::span<const uint8_t> header,
                                                  std::string* problem) {
  using Header = parkscope_registry_header;
  if (header.size() < sizeof(Header)) {
    *problem = "registry header unreadable";
    return std::nullopt;
  }
  Header h;
  std::memcpy(&h, header.data(), sizeof h);
  if (h.magic != PARKSCOPE_REGISTRY_MAGIC) {
    *problem = "registry has a bad magic number (agent not initialised, or not ours)";
    return std::nullopt;
  }
  if (h.version != PARKSCOPE_REGISTRY_VERSION || h.slot_size != sizeof(parkscope_slot) ||
      h.header_size < sizeof(Header)) {
    *problem = "registry version " + std::to_string(h.version) + " (slot size " +
               std::to_string(h.slot_size) + ") is not one this parkscope reads";
    return std::nullopt;
  }
  if ((h.flags & PARKSCOPE_REGISTRY_FLAG_READY) == 0 || h.slots_address == 0) {
    *problem = "registry not ready";
    return std::nullopt;
  }
  RegistryLayout layout;
  layout.slots_address = h.slots_address;
  uint32_t n = h.high_water < h.slot_count ? h.high_water : h.slot_count;
  if (n > kMaxSlotsRead) {
    *problem = "registry claims " + std::to_string(n) + " slots; read the first " +
               std::to_string(kMaxSlotsRead);
    n = kMaxSlotsRead;
  }
  layout.slots_to_read = n;
  layout.agent_start_ns = static_cast<int64_t>(h.agent_start_ns);
  return layout;
}

void ParseRegistrySlots(std::span<const uint8_t> first, std::span<const uint8_t> second,
                        AgentRegistry* registry) {
  constexpr size_t kSlot = sizeof(parkscope_slot);
  const size_t count = std::min(first.size(), second.size()) / kSlot;
  for (size_t i = 0; i < count; ++i) {
    parkscope_slot a, b;
    std::memcpy(&a, first.data() + i * kSlot, kSlot);
    const uint32_t seq_again = Load<uint32_t>(second, i * kSlot);
    std::memcpy(&b, second.data() + i * kSlot, kSlot);
    if ((a.seq & 1u) != 0 || a.seq != seq_again || std::memcmp(&a, &b, kSlot) != 0) {
      ++registry->torn_slots;
      continue;
    }
    if (a.tid <= 0 || (a.state != PARKSCOPE_SLOT_RUNNING && a.state != PARKSCOPE_SLOT_PARKED)) {
      continue;
    }
    if (a.reason >= PARKSCOPE_REASON_COUNT) continue;
    AgentRecord record;
    record.tid = a.tid;
    record.parked = a.state == PARKSCOPE_SLOT_PARKED && a.reason != PARKSCOPE_REASON_NONE;
    if (record.parked) {
      record.reason = ReasonFromAbi(a.reason);
      if (a.reason == PARKSCOPE_REASON_ANNOTATED) {
        record.annotation = BoundedString(a.annotation, sizeof a.annotation);
        record.annotation_site = a.annotation_site;
        if (record.annotation.empty()) record.annotation = "annotated";
      }
    }
    record.object = a.object;
    record.since_ns = static_cast<int64_t>(a.since_ns);
    record.creator_tid = a.creator_tid > 0 ? a.creator_tid : 0;
    record.created_ns = static_cast<int64_t>(a.created_ns);
    const uint32_t depth = a.creation_depth < PARKSCOPE_CREATION_MAX_PCS
                               ? a.creation_depth
                               : PARKSCOPE_CREATION_MAX_PCS;
    for (uint32_t d = 0; d < depth; ++d) {
      if (a.creation_pcs[d] != 0) record.creation_pcs.push_back(a.creation_pcs[d]);
    }
    record.pthread_self = a.pthread_self;
    record.test_name = BoundedString(a.test_name, sizeof a.test_name);
    registry->records.push_back(std::move(record));
  }
}

}  // namespace parkscope
