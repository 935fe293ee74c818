#include "agent_test_support.h"

#include <dlfcn.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace parkscope::agent_test {
namespace {

// How far CLOCK_MONOTONIC_COARSE (used for io/poll/queue records) may lag.
constexpr uint64_t kCoarseSlackNs = 20'000'000;
constexpr uint64_t kMaxObservationDelayNs = 50'000'000;

const parkscope_slot* Slots() {
  const parkscope_registry_header* header = Registry();
  if (header == nullptr) return nullptr;
  return reinterpret_cast<const parkscope_slot*>(header->slots_address);
}

uint32_t SlotBound() {
  const parkscope_registry_header* header = Registry();
  if (header == nullptr) return 0;
  const uint32_t high_water =
      __atomic_load_n(&header->high_water, __ATOMIC_ACQUIRE);
  return high_water < header->slot_count ? high_water : header->slot_count;
}

void IgnoreSignal(int) {}

void InstallInterruptHandler() {
  static const bool installed = [] {
    struct sigaction action = {};
    action.sa_handler = IgnoreSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // no SA_RESTART: blocking calls return EINTR
    sigaction(SIGUSR1, &action, nullptr);
    return true;
  }();
  (void)installed;
}

const char* volatile g_deadline_what = "";

void DeadlinePassed(int) {
  const char* what = g_deadline_what;
  size_t length = 0;
  while (what[length] != '\0') ++length;
  constexpr char kPrefix[] = "deadline passed: ";
  (void)!write(2, kPrefix, sizeof(kPrefix) - 1);
  (void)!write(2, what, length);
  (void)!write(2, "\n", 1);
  _exit(124);
}

}  // namespace

DeadlockDeadline::DeadlockDeadline(unsigned seconds, const char* what) {
  g_deadline_what = what;
  struct sigaction action = {};
  action.sa_handler = DeadlinePassed;
  sigemptyset(&action.sa_mask);
  sigaction(SIGALRM, &action, nullptr);
  alarm(seconds);
}

DeadlockDeadline::~DeadlockDeadline() { alarm(0); }

const parkscope_registry_header* Registry() {
  auto* header = static_cast<const parkscope_registry_header*>(
      dlsym(RTLD_DEFAULT, PARKSCOPE_REGISTRY_SYMBOL));
  if (header == nullptr) return nullptr;
  if (__atomic_load_n(&header->magic, __ATOMIC_ACQUIRE) !=
          PARKSCOPE_REGISTRY_MAGIC ||
      header->version != PARKSCOPE_REGISTRY_VERSION ||
      header->slot_size != sizeof(parkscope_slot) ||
      header->slots_address == 0) {
    return nullptr;
  }
  return header;
}

pid_t CurrentTid() { return gettid(); }

uint64_t MonotonicNs() {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<uint64_t>(now.tv_sec) * 1'000'000'000u + now.tv_nsec;
}

std::optional<parkscope_slot> CopySlot(uint32_t index) {
  const parkscope_slot* slots = Slots();
  if (slots == nullptr) return std::nullopt;
  const parkscope_slot* source = &slots[index];
  for (int attempt = 0; attempt < 100000; ++attempt) {
    const uint32_t before = __atomic_load_n(&source->seq, __ATOMIC_ACQUIRE);
    if (before & 1u) continue;
    parkscope_slot copy;
    const auto* words = reinterpret_cast<const uint64_t*>(source);
    auto* out = reinterpret_cast<uint64_t*>(&copy);
    for (size_t i = 0; i < sizeof(parkscope_slot) / 8; ++i)
      out[i] = __atomic_load_n(&words[i], __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (__atomic_load_n(&source->seq, __ATOMIC_RELAXED) == before) return copy;
  }
  return std::nullopt;
}

std::optional<SlotCopy> FindSlot(pid_t tid) {
  const uint32_t bound = SlotBound();
  for (uint32_t index = 0; index < bound; ++index) {
    std::optional<parkscope_slot> slot = CopySlot(index);
    if (slot && slot->state != PARKSCOPE_SLOT_FREE && slot->tid == tid)
      return SlotCopy{*slot, index};
  }
  return std::nullopt;
}

int CountLiveSlots() {
  int live = 0;
  const uint32_t bound = SlotBound();
  for (uint32_t index = 0; index < bound; ++index) {
    std::optional<parkscope_slot> slot = CopySlot(index);
    if (slot && slot->state != PARKSCOPE_SLOT_FREE && slot->tid > 0) ++live;
  }
  return live;
}

std::optional<SlotCopy> WaitForReason(pid_t tid, uint32_t reason,
                                      std::chrono::milliseconds timeout,
                                      const char* annotation) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::optional<SlotCopy> found = FindSlot(tid);
    if (found && found->slot.state == PARKSCOPE_SLOT_PARKED &&
        found->slot.reason == reason &&
        (annotation == nullptr ||
         strncmp(found->slot.annotation, annotation,
                 sizeof(found->slot.annotation)) == 0)) {
      return found;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return std::nullopt;
}

bool WaitForRunning(pid_t tid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::optional<SlotCopy> found = FindSlot(tid);
    if (found && found->slot.state == PARKSCOPE_SLOT_RUNNING) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return false;
}

SlotCopy ExpectParked(pid_t tid, uint32_t reason, uint64_t object,
                      uint64_t not_before_ns) {
  std::optional<SlotCopy> found = WaitForReason(tid, reason);
  const uint64_t observed_ns = MonotonicNs();
  const char* name = parkscope_reason_name(reason);
  if (!found) {
    std::optional<SlotCopy> last = FindSlot(tid);
    ADD_FAILURE() << "tid " << tid << " never showed \"" << name
                  << "\"; last state "
                  << (last ? static_cast<int>(last->slot.state) : -1)
                  << " reason "
                  << (last ? parkscope_reason_name(last->slot.reason) : "none");
    return SlotCopy{};
  }
  const parkscope_slot& slot = found->slot;
  EXPECT_EQ(slot.tid, tid);
  EXPECT_EQ(slot.object, object) << name;
  EXPECT_GE(slot.since_ns + kCoarseSlackNs, not_before_ns) << name;
  EXPECT_LE(slot.since_ns, observed_ns) << name;
  EXPECT_LT(observed_ns - slot.since_ns, kMaxObservationDelayNs) << name;
  return *found;
}

uint32_t SeqOf(pid_t tid) {
  std::optional<SlotCopy> found = FindSlot(tid);
  return found ? found->slot.seq : 0;
}

ParkedThread::ParkedThread(std::function<void()> body) {
  thread_ = std::thread([this, body = std::move(body)] {
    tid_published_.store(gettid());
    body();
    done_.store(true);
  });
  while ((tid_ = tid_published_.load()) == 0) std::this_thread::yield();
}

ParkedThread::~ParkedThread() { Join(); }

void ParkedThread::Join() {
  if (thread_.joinable()) thread_.join();
}

void InterruptUntilDone(std::thread& thread, const std::atomic<bool>& done) {
  InstallInterruptHandler();
  while (!done.load()) {
    pthread_kill(thread.native_handle(), SIGUSR1);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void InterruptUntilDone(ParkedThread& parked) {
  InstallInterruptHandler();
  while (!parked.done()) {
    pthread_kill(parked.thread().native_handle(), SIGUSR1);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void AgentTest::SetUp() {
  if (Registry() != nullptr) return;
  if (std::getenv("PARKSCOPE_EXPECT_AGENT") != nullptr) {
    FAIL() << "PARKSCOPE_EXPECT_AGENT is set but no valid parkscope_registry "
              "was found: is LD_PRELOAD pointing at libparkscope_agent.so?";
  }
  GTEST_SKIP() << "libparkscope_agent.so is not preloaded; run through ctest "
                  "or with LD_PRELOAD";
}

}  // namespace parkscope::agent_test
