// The unwinder over copies that a hostile or corrupt target could produce:
// every walk ends, bounded by max_frames, without reading outside the copy.
#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <random>

#include "proc/maps_parser.h"
#include "proc/proc_files.h"
#include "symbolize/module_session.h"
#include "symbolize/symbolizer.h"
#include "unwind/stack_unwinder.h"

namespace parkscope {
namespace {

extern "C" __attribute__((noinline)) int ParkscopeTestLeaf(int x) {
  asm volatile("" ::: "memory");
  return x + 1;
}

struct SelfSession {
  RawCapture capture;
  std::unique_ptr<ModuleSession> session;

  SelfSession() {
    capture.pid = getpid();
    capture.memory_tid = static_cast<Tid>(syscall(SYS_gettid));
    capture.maps = ParseMaps(ReadProcFile("/proc/self/maps", 64 << 20).text).entries;
    std::string error;
    session = ModuleSession::Create(capture.pid, capture.memory_tid, capture.maps, &error);
  }

  RawThread& AddThread(Tid tid, std::vector<uint8_t> stack, uint64_t sp, uint64_t pc) {
    RawThread t;
    t.tid = tid;
    t.method = CaptureMethod::kPtraceStop;
    t.stack = std::move(stack);
    t.stack_start = sp;
    t.regs = RegistersFromSpPc(sp, pc);
    for (int r = 0; r < RegisterSet::kCount; ++r) t.regs.valid_mask |= 1u << r;
    capture.threads.push_back(std::move(t));
    return capture.threads.back();
  }
};

TEST(UnwindHostile, SelfReferencingStackIsCutAtMaxFrames) {
  SelfSession self;
  ASSERT_TRUE(self.session);
  // Every word is the leaf's entry address: at entry CFA = sp + 8 and the
  // return address is [sp], so each step "returns" into the same pc again.
  const uint64_t pc = reinterpret_cast<uint64_t>(&ParkscopeTestLeaf);
  std::vector<uint64_t> words(128 * 1024, pc);
  std::vector<uint8_t> bytes(reinterpret_cast<uint8_t*>(words.data()),
                             reinterpret_cast<uint8_t*>(words.data() + words.size()));
  self.AddThread(100000001, std::move(bytes), 0x7f0000000000, pc);
  auto stacks = UnwindAll(*self.session, self.capture, 64);
  ASSERT_EQ(stacks.size(), 1u);
  EXPECT_LE(stacks[0].frames.size(), 64u);
  EXPECT_GE(stacks[0].frames.size(), 1u);
}

TEST(UnwindHostile, RandomGarbageStacksEnd) {
  SelfSession self;
  ASSERT_TRUE(self.session);
  std::mt19937_64 rng(42);
  const uint64_t pc = reinterpret_cast<uint64_t>(&ParkscopeTestLeaf) + 4;
  for (int i = 0; i < 200; ++i) {
    std::vector<uint8_t> bytes(4096 + (rng() % 8192));
    for (auto& b : bytes) b = static_cast<uint8_t>(rng());
    self.AddThread(100000100 + i, std::move(bytes), 0x7f0000000000 + 0x100000 * i,
                   i % 2 ? pc : rng());
  }
  auto stacks = UnwindAll(*self.session, self.capture, 256);
  ASSERT_EQ(stacks.size(), 200u);
  Symbolizer symbolizer(*self.session);
  for (const auto& s : stacks) {
    EXPECT_LE(s.frames.size(), 256u);
    for (const auto& f : s.frames) symbolizer.Symbolize(f.pc, f.is_activation);
  }
}

TEST(UnwindHostile, EmptyAndMissingStacks) {
  SelfSession self;
  ASSERT_TRUE(self.session);
  const uint64_t pc = reinterpret_cast<uint64_t>(&ParkscopeTestLeaf);
  self.AddThread(100000900, {}, 0x1000, pc);
  self.AddThread(100000901, std::vector<uint8_t>(3), 0xfffffffffffffff8ull, pc);
  RawThread not_captured;
  not_captured.tid = 100000902;
  self.capture.threads.push_back(not_captured);
  auto stacks = UnwindAll(*self.session, self.capture, 256);
  ASSERT_EQ(stacks.size(), 3u);
  EXPECT_EQ(stacks[0].frames.size(), 1u);  // just the pc
  EXPECT_TRUE(stacks[2].frames.empty());
}

TEST(Symbolize, OwnFunctionHasNameFileAndLine) {
  SelfSession self;
  ASSERT_TRUE(self.session);
  Symbolizer symbolizer(*self.session);
  const auto& frames =
      symbolizer.Symbolize(reinterpret_cast<uint64_t>(&ParkscopeTestLeaf), true);
  ASSERT_FALSE(frames.empty());
  EXPECT_EQ(frames.back().function, "ParkscopeTestLeaf");
  EXPECT_NE(frames.back().file.find("unwind_hostile_stack_test.cc"), std::string::npos);
  EXPECT_GT(frames.back().line, 0);
  EXPECT_EQ(symbolizer.cache_size(), 1u);
  symbolizer.Symbolize(reinterpret_cast<uint64_t>(&ParkscopeTestLeaf), true);
  EXPECT_EQ(symbolizer.cache_size(), 1u);
  // An address in no module is just a pc.
  const auto& nowhere = symbolizer.Symbolize(0x10, true);
  ASSERT_EQ(nowhere.size(), 1u);
  EXPECT_TRUE(nowhere[0].module.empty());
}

}  // namespace
}  // namespace parkscope
