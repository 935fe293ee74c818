// Helpers for tests that run with libparkscope_agent.so preloaded and read
// its registry in-process, the way the collector reads it remotely: find
// `parkscope_registry` by name, copy slots under their seqlock.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <thread>

#include "parkscope/registry_abi.h"

namespace parkscope::agent_test {

// The preloaded agent's header, or nullptr if the agent is not loaded or
// its header is not valid.
const parkscope_registry_header* Registry();

pid_t CurrentTid();
uint64_t MonotonicNs();

// A consistent copy of a slot, and where it was.
struct SlotCopy {
  parkscope_slot slot;
  uint32_t index;
};

// The live slot owned by `tid`, copied under its seqlock.
std::optional<SlotCopy> FindSlot(pid_t tid);

// Copies slot `index` under its seqlock (retries while a write is in
// progress; gives up after a bound and returns nullopt).
std::optional<parkscope_slot> CopySlot(uint32_t index);

// Live slots: state != FREE and tid > 0.
int CountLiveSlots();

// Polls until `tid`'s slot is PARKED with `reason` (and, if given, the
// annotation text), or `timeout` passes.
std::optional<SlotCopy> WaitForReason(
    pid_t tid, uint32_t reason,
    std::chrono::milliseconds timeout = std::chrono::seconds(10),
    const char* annotation = nullptr);

// Polls until `tid`'s slot is RUNNING (not parked).
bool WaitForRunning(
    pid_t tid, std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Asserts that `tid` gets parked for `reason` on `object`, with a start
// time between `not_before_ns` (less a coarse-clock tick) and the moment the
// test saw it, and at most 50 ms before that moment. Returns the slot.
SlotCopy ExpectParked(pid_t tid, uint32_t reason, uint64_t object,
                      uint64_t not_before_ns);

// The seqlock count of `tid`'s slot: it grows by 4 per recorded wait (two
// writes of +2), and stays put if nothing was recorded.
uint32_t SeqOf(pid_t tid);

template <typename T>
uint64_t ObjectOf(T* pointer) {
  return reinterpret_cast<uintptr_t>(pointer);
}

// A thread that publishes its tid, then runs `body` (which blocks).
class ParkedThread {
 public:
  explicit ParkedThread(std::function<void()> body);
  ~ParkedThread();
  pid_t tid() const { return tid_; }
  std::thread& thread() { return thread_; }
  bool done() const { return done_.load(); }
  void Join();

 private:
  std::atomic<pid_t> tid_published_{0};
  std::atomic<bool> done_{false};
  pid_t tid_ = 0;
  std::thread thread_;
};

// Sends SIGUSR1 (whose handler does nothing and has no SA_RESTART) to
// `thread` every few milliseconds until `done` is true: ends sleeps and
// pauses without racing the signal against the call.
void InterruptUntilDone(std::thread& thread, const std::atomic<bool>& done);
void InterruptUntilDone(ParkedThread& parked);

// While it lives, a process still running `seconds` later writes
// "deadline passed: <what>" to stderr and _exits 124 (alarm and a SIGALRM
// handler that only calls write and _exit). A deadlock then fails its test
// at once, by name, instead of hanging until ctest's timeout. One at a
// time per process; fork children do not inherit the alarm and set their
// own. `what` must outlive the object.
class DeadlockDeadline {
 public:
  DeadlockDeadline(unsigned seconds, const char* what);
  ~DeadlockDeadline();
  DeadlockDeadline(const DeadlockDeadline&) = delete;
  DeadlockDeadline& operator=(const DeadlockDeadline&) = delete;
};

// Fixture: skips when the agent is not preloaded, and fails instead when
// PARKSCOPE_EXPECT_AGENT is set (ctest sets it with LD_PRELOAD) so a broken
// preload cannot pass as a skip.
class AgentTest : public ::testing::Test {
 protected:
  void SetUp() override;
};

}  // namespace parkscope::agent_test
