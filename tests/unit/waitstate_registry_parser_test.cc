// The registry reader over bytes a hostile or half-initialised target could
// hold: wrong magic, wrong sizes, huge counts, torn and garbage slots.
#include "waitstate/registry_parser.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "parkscope/registry_abi.h"

namespace parkscope {
namespace {

std::vector<uint8_t> HeaderBytes(const parkscope_registry_header& h) {
  std::vector<uint8_t> bytes(sizeof h);
  std::memcpy(bytes.data(), &h, sizeof h);
  return bytes;
}

parkscope_registry_header GoodHeader() {
  parkscope_registry_header h{};
  h.magic = PARKSCOPE_REGISTRY_MAGIC;
  h.version = PARKSCOPE_REGISTRY_VERSION;
  h.header_size = sizeof h;
  h.slot_size = sizeof(parkscope_slot);
  h.slot_count = 16;
  h.high_water = 4;
  h.slots_address = 0x7f0000000000;
  h.flags = PARKSCOPE_REGISTRY_FLAG_READY;
  h.agent_start_ns = 123;
  return h;
}

std::vector<uint8_t> SlotBytes(const std::vector<parkscope_slot>& slots) {
  std::vector<uint8_t> bytes(slots.size() * sizeof(parkscope_slot));
  std::memcpy(bytes.data(), slots.data(), bytes.size());
  return bytes;
}

parkscope_slot ParkedSlot(int tid, uint32_t reason) {
  parkscope_slot s{};
  s.seq = 2;
  s.tid = tid;
  s.state = PARKSCOPE_SLOT_PARKED;
  s.reason = reason;
  s.object = 0x1000;
  s.since_ns = 5000;
  s.creator_tid = 1;
  s.creation_depth = 2;
  s.creation_pcs[0] = 0x401000;
  s.creation_pcs[1] = 0x402000;
  s.pthread_self = 0xabc;
  return s;
}

TEST(RegistryHeader, AcceptsAGoodHeader) {
  std::string problem;
  auto layout = ParseRegistryHeader(HeaderBytes(GoodHeader()), &problem);
  ASSERT_TRUE(layout) << problem;
  EXPECT_EQ(layout->slots_to_read, 4u);
  EXPECT_EQ(layout->slots_address, 0x7f0000000000u);
  EXPECT_EQ(layout->agent_start_ns, 123);
}

TEST(RegistryHeader, RejectsWhatItDoesNotUnderstand) {
  std::string problem;
  auto check = [&](auto mutate) {
    auto h = GoodHeader();
    mutate(h);
    problem.clear();
    EXPECT_FALSE(ParseRegistryHeader(HeaderBytes(h), &problem));
    EXPECT_FALSE(problem.empty());
  };
  check([](auto& h) { h.magic = 0; });
  check([](auto& h) { h.version = 99; });
  check([](auto& h) { h.slot_size = 1; });
  check([](auto& h) { h.header_size = 8; });
  check([](auto& h) { h.flags = 0; });
  check([](auto& h) { h.slots_address = 0; });
  EXPECT_FALSE(ParseRegistryHeader(std::vector<uint8_t>(10), &problem));
  EXPECT_FALSE(ParseRegistryHeader({}, &problem));
}

TEST(RegistryHeader, HugeCountsAreBounded) {
  auto h = GoodHeader();
  h.slot_count = 0xffffffff;
  h.high_water = 0xffffffff;
  std::string problem;
  auto layout = ParseRegistryHeader(HeaderBytes(h), &problem);
  ASSERT_TRUE(layout);
  EXPECT_EQ(layout->slots_to_read, kMaxSlotsRead);
  h.high_water = 100;
  h.slot_count = 3;  // high water beyond the mapping: read only what exists
  layout = ParseRegistryHeader(HeaderBytes(h), &problem);
  ASSERT_TRUE(layout);
  EXPECT_EQ(layout->slots_to_read, 3u);
}

TEST(RegistrySlots, DecodesParkedRunningAndAnnotated) {
  auto annotated = ParkedSlot(12, PARKSCOPE_REASON_ANNOTATED);
  std::strcpy(annotated.annotation, "chan send");
  annotated.annotation_site = 0x405000;
  parkscope_slot running{};
  running.seq = 4;
  running.tid = 13;
  running.state = PARKSCOPE_SLOT_RUNNING;
  auto bytes = SlotBytes({ParkedSlot(11, PARKSCOPE_REASON_MUTEX_LOCK), annotated, running,
                          parkscope_slot{}});
  AgentRegistry registry;
  ParseRegistrySlots(bytes, bytes, &registry);
  ASSERT_EQ(registry.records.size(), 3u);
  EXPECT_EQ(registry.records[0].tid, 11);
  EXPECT_TRUE(registry.records[0].parked);
  EXPECT_EQ(registry.records[0].reason, WaitReason::kMutexLock);
  EXPECT_EQ(registry.records[0].object, 0x1000u);
  EXPECT_EQ(registry.records[0].creation_pcs.size(), 2u);
  EXPECT_TRUE(registry.records[1].parked);
  EXPECT_FALSE(registry.records[1].reason.has_value());
  EXPECT_EQ(registry.records[1].annotation, "chan send");
  EXPECT_EQ(registry.records[1].annotation_site, 0x405000u);
  EXPECT_FALSE(registry.records[2].parked);
  EXPECT_EQ(registry.torn_slots, 0u);
}

TEST(RegistrySlots, TornAndHostileSlotsAreDropped) {
  auto odd = ParkedSlot(11, PARKSCOPE_REASON_MUTEX_LOCK);
  odd.seq = 3;  // being written
  auto bad_reason = ParkedSlot(12, 9999);
  auto bad_tid = ParkedSlot(-5, PARKSCOPE_REASON_SLEEP);
  auto deep = ParkedSlot(14, PARKSCOPE_REASON_SLEEP);
  deep.creation_depth = 0xffffffff;
  for (auto& pc : deep.creation_pcs) pc = 0x1234;
  auto unterminated = ParkedSlot(15, PARKSCOPE_REASON_ANNOTATED);
  std::memset(unterminated.annotation, 'A', sizeof unterminated.annotation);
  std::memset(unterminated.test_name, '\n', sizeof unterminated.test_name);
  auto changed = ParkedSlot(16, PARKSCOPE_REASON_SLEEP);
  auto first = SlotBytes({odd, bad_reason, bad_tid, deep, unterminated, changed});
  auto later = changed;
  later.seq = 4;  // the owner wrote it between our two copies
  auto second = SlotBytes({odd, bad_reason, bad_tid, deep, unterminated, later});
  AgentRegistry registry;
  ParseRegistrySlots(first, second, &registry);
  EXPECT_EQ(registry.torn_slots, 2u);  // odd seq, changed seq
  ASSERT_EQ(registry.records.size(), 2u);
  EXPECT_EQ(registry.records[0].tid, 14);
  EXPECT_EQ(registry.records[0].creation_pcs.size(),
            static_cast<size_t>(PARKSCOPE_CREATION_MAX_PCS));
  EXPECT_EQ(registry.records[1].annotation.size(), sizeof unterminated.annotation);
  EXPECT_EQ(registry.records[1].test_name.find('\n'), std::string::npos);
}

TEST(RegistrySlots, RandomBytesNeverCrash) {
  std::mt19937 rng(7);
  for (int round = 0; round < 500; ++round) {
    std::vector<uint8_t> bytes(rng() % (8 * sizeof(parkscope_slot)) + 1);
    for (auto& b : bytes) b = static_cast<uint8_t>(rng());
    AgentRegistry registry;
    ParseRegistrySlots(bytes, bytes, &registry);
    std::string problem;
    ParseRegistryHeader(bytes, &problem);
    for (const auto& r : registry.records) {
      EXPECT_GT(r.tid, 0);
      EXPECT_LE(r.creation_pcs.size(), static_cast<size_t>(PARKSCOPE_CREATION_MAX_PCS));
    }
  }
}

}  // namespace
}  // namespace parkscope
