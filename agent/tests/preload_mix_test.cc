// The agent next to other LD_PRELOAD libraries, in both orders:
//  - InterposerPreload: libparkscope_test_interposer.so interposes the same
//    functions as the agent and counts the calls of one worker thread. The
//    counts must equal what the worker did, and the agent must record each
//    of the worker's waits with the right reason and object.
//  - AllocatorPreload: jemalloc or tcmalloc replace malloc; both take
//    pthread mutexes inside malloc (reaching the agent's hooks), and the
//    agent runs at thread creation and may resolve symbols (dlsym, which can
//    allocate) inside a hook. A threaded workload must finish with exact
//    counts and the agent must still record waits.
// ctest runs this binary once per combination (agent/tests/CMakeLists.txt)
// and says which library comes first in PARKSCOPE_TEST_PRELOAD_FIRST; each
// test first checks that the process really has that order.
#include <dlfcn.h>
#include <pthread.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agent_test_support.h"
#include "test_interposer.h"

namespace parkscope::agent_test {
namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

// The file that defines `symbol` for the whole process (first in lookup
// order), or "".
std::string DefiningFile(const char* symbol) {
  Dl_info info;
  void* address = dlsym(RTLD_DEFAULT, symbol);
  if (address == nullptr || dladdr(address, &info) == 0 || info.dli_fname == nullptr) return "";
  return info.dli_fname;
}

bool Contains(const std::string& text, const char* part) {
  return text.find(part) != std::string::npos;
}

// ---------------------------------------------------------------------------
// Interposer

constexpr int kUncontendedLocks = 1000;
constexpr int kShortTimedWaits = 3;
constexpr int kShortSleeps = 5;
constexpr int kPipeBytes = 10;
constexpr int kCreatedThreads = 5;

// What the worker did, by its own count, and the ids main checks.
struct WorkerLog {
  std::atomic<pid_t> tid{0};
  std::atomic<int> phase{0};  // the worker waits for main to raise it
  int lock_errors = 0;
  uint64_t cond_wait_calls = 0;
  uint64_t timedwait_calls = 0;
  uint64_t timedwait_timeouts = 0;
  uint64_t timedwait_other = 0;  // neither 0 nor ETIMEDOUT
  uint64_t read_calls = 0;
  uint64_t read_bytes = 0;
  int create_errors = 0;
};

struct Shared {
  pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER;
  pthread_mutex_t cond_mutex = PTHREAD_MUTEX_INITIALIZER;
  pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
  bool signalled = false;
  int pipe_fds[2] = {-1, -1};
  int child_pipe[2] = {-1, -1};
  std::atomic<pid_t> first_child_tid{0};
};

Shared* g_shared = nullptr;

void* CreatedRoutine(void* index) {
  if (reinterpret_cast<intptr_t>(index) != 0) return nullptr;
  g_shared->first_child_tid.store(gettid());
  char byte;
  (void)!read(g_shared->child_pipe[0], &byte, 1);  // parks until main writes
  return nullptr;
}

void AwaitPhase(WorkerLog& log, int phase) {
  while (log.phase.load() < phase) std::this_thread::yield();
}

timespec AbsoluteRealtime(long offset_ns) {
  timespec at;
  clock_gettime(CLOCK_REALTIME, &at);
  at.tv_nsec += offset_ns;
  at.tv_sec += at.tv_nsec / 1'000'000'000;
  at.tv_nsec %= 1'000'000'000;
  return at;
}

void RunWorker(WorkerLog& log, ParkscopeTestInterposerCountMe count_me) {
  Shared& s = *g_shared;
  count_me();
  log.tid.store(gettid());
  // 1. One contended lock (main holds it), then uncontended pairs.
  AwaitPhase(log, 1);
  log.lock_errors += pthread_mutex_lock(&s.held) != 0;
  pthread_mutex_unlock(&s.held);
  for (int i = 0; i < kUncontendedLocks; ++i) {
    log.lock_errors += pthread_mutex_lock(&s.held) != 0;
    pthread_mutex_unlock(&s.held);
  }
  // 2. A condition variable wait main ends.
  AwaitPhase(log, 2);
  pthread_mutex_lock(&s.cond_mutex);
  while (!s.signalled) {
    ++log.cond_wait_calls;
    pthread_cond_wait(&s.cond, &s.cond_mutex);
  }
  s.signalled = false;
  // 3. Short timed waits that time out, then a long one main ends.
  for (int i = 0; i < kShortTimedWaits; ++i) {
    const timespec at = AbsoluteRealtime(1'000'000);
    ++log.timedwait_calls;
    const int result = pthread_cond_timedwait(&s.cond, &s.cond_mutex, &at);
    log.timedwait_timeouts += result == ETIMEDOUT;
    log.timedwait_other += result != ETIMEDOUT && result != 0;
  }
  log.phase.store(3);
  while (!s.signalled) {
    const timespec at = AbsoluteRealtime(20'000'000'000);
    ++log.timedwait_calls;
    const int result = pthread_cond_timedwait(&s.cond, &s.cond_mutex, &at);
    log.timedwait_timeouts += result == ETIMEDOUT;
    log.timedwait_other += result != ETIMEDOUT && result != 0;
  }
  pthread_mutex_unlock(&s.cond_mutex);
  // 4. One sleep main sees, then short ones.
  const timespec long_sleep{0, 200'000'000};
  nanosleep(&long_sleep, nullptr);
  const timespec short_sleep{0, 100'000};
  for (int i = 0; i < kShortSleeps; ++i) nanosleep(&short_sleep, nullptr);
  log.phase.store(5);
  // 5. A read that parks until main writes, then kPipeBytes one at a time.
  char byte;
  for (int i = 0; i < 1 + kPipeBytes; ++i) {
    ++log.read_calls;
    const ssize_t got = read(s.pipe_fds[0], &byte, 1);
    if (got > 0) log.read_bytes += static_cast<uint64_t>(got);
  }
  // 6. Threads created with pthread_create; the first parks in read.
  pthread_t threads[kCreatedThreads];
  int created = 0;
  for (intptr_t i = 0; i < kCreatedThreads; ++i) {
    const int result =
        pthread_create(&threads[created], nullptr, CreatedRoutine, reinterpret_cast<void*>(i));
    if (result == 0) ++created;
    log.create_errors += result != 0;
  }
  for (int i = 0; i < created; ++i) pthread_join(threads[i], nullptr);
}

class InterposerPreload : public AgentTest {};

TEST_F(InterposerPreload, CountsEveryCallAndAgentRecordsEveryWait) {
  DeadlockDeadline deadline(60, "InterposerPreload.CountsEveryCallAndAgentRecordsEveryWait");
  const std::string first = Env("PARKSCOPE_TEST_PRELOAD_FIRST");
  ASSERT_TRUE(first == "interposer" || first == "agent")
      << "PARKSCOPE_TEST_PRELOAD_FIRST must be interposer or agent (set by ctest)";
  auto count_me = reinterpret_cast<ParkscopeTestInterposerCountMe>(
      dlsym(RTLD_DEFAULT, PARKSCOPE_TEST_INTERPOSER_COUNT_ME));
  auto counts = reinterpret_cast<ParkscopeTestInterposerSnapshot>(
      dlsym(RTLD_DEFAULT, PARKSCOPE_TEST_INTERPOSER_SNAPSHOT));
  ASSERT_NE(count_me, nullptr) << "libparkscope_test_interposer.so is not preloaded";
  ASSERT_NE(counts, nullptr);
  // The process binds every interposed name to the library listed first.
  const char* expected_first = first == "interposer" ? "test_interposer" : "parkscope_agent";
  for (const char* symbol : {"pthread_mutex_lock", "pthread_cond_wait", "pthread_cond_timedwait",
                             "nanosleep", "read", "pthread_create"}) {
    EXPECT_TRUE(Contains(DefiningFile(symbol), expected_first))
        << symbol << " is bound to " << DefiningFile(symbol);
  }

  Shared shared;
  g_shared = &shared;
  ASSERT_EQ(pipe(shared.pipe_fds), 0);
  ASSERT_EQ(pipe(shared.child_pipe), 0);
  WorkerLog log;
  pthread_mutex_lock(&shared.held);
  std::thread worker([&] { RunWorker(log, count_me); });
  while (log.tid.load() == 0) std::this_thread::yield();
  const pid_t tid = log.tid.load();

  log.phase.store(1);
  std::optional<SlotCopy> lock_wait = WaitForReason(tid, PARKSCOPE_REASON_MUTEX_LOCK);
  ASSERT_TRUE(lock_wait);
  EXPECT_EQ(lock_wait->slot.object, ObjectOf(&shared.held));
  pthread_mutex_unlock(&shared.held);

  log.phase.store(2);
  std::optional<SlotCopy> cond_wait = WaitForReason(tid, PARKSCOPE_REASON_COND_WAIT);
  ASSERT_TRUE(cond_wait);
  EXPECT_EQ(cond_wait->slot.object, ObjectOf(&shared.cond));
  pthread_mutex_lock(&shared.cond_mutex);
  shared.signalled = true;
  pthread_cond_signal(&shared.cond);
  pthread_mutex_unlock(&shared.cond_mutex);

  AwaitPhase(log, 3);
  std::optional<SlotCopy> timed_wait = WaitForReason(tid, PARKSCOPE_REASON_COND_WAIT);
  ASSERT_TRUE(timed_wait);
  EXPECT_EQ(timed_wait->slot.object, ObjectOf(&shared.cond));
  pthread_mutex_lock(&shared.cond_mutex);
  shared.signalled = true;
  pthread_cond_signal(&shared.cond);
  pthread_mutex_unlock(&shared.cond_mutex);

  std::optional<SlotCopy> sleep_wait = WaitForReason(tid, PARKSCOPE_REASON_SLEEP);
  EXPECT_TRUE(sleep_wait);

  AwaitPhase(log, 5);
  std::optional<SlotCopy> read_wait = WaitForReason(tid, PARKSCOPE_REASON_IO_WAIT);
  ASSERT_TRUE(read_wait);
  EXPECT_EQ(read_wait->slot.object, static_cast<uint64_t>(shared.pipe_fds[0]));
  char bytes[1 + kPipeBytes];
  std::memset(bytes, 'x', sizeof bytes);
  ASSERT_EQ(write(shared.pipe_fds[1], bytes, sizeof bytes), static_cast<ssize_t>(sizeof bytes));

  // The first created thread: the agent recorded its creator and the
  // program's own start routine, not an interposer's.
  while (shared.first_child_tid.load() == 0) std::this_thread::yield();
  std::optional<SlotCopy> child =
      WaitForReason(shared.first_child_tid.load(), PARKSCOPE_REASON_IO_WAIT);
  ASSERT_TRUE(child);
  EXPECT_EQ(child->slot.creator_tid, tid);
  EXPECT_EQ(child->slot.start_routine, reinterpret_cast<uintptr_t>(&CreatedRoutine));
  EXPECT_GT(child->slot.creation_depth, 0u);
  ASSERT_EQ(write(shared.child_pipe[1], "x", 1), 1);
  worker.join();

  const parkscope_test_interposer_counts seen = counts();
  EXPECT_EQ(log.lock_errors, 0);
  // The worker's locks: `held` once contended and kUncontendedLocks times
  // free, and `cond_mutex` once (free; the condition variable's own
  // re-locking happens inside libc, not through pthread_mutex_lock).
  constexpr uint64_t kWorkerLocks = 2u + kUncontendedLocks;
  EXPECT_EQ(seen.mutex_acquisitions, kWorkerLocks);
  if (first == "interposer") {
    EXPECT_EQ(seen.mutex_lock_calls, kWorkerLocks);
  } else {
    // Behind the agent the interposer sees the agent's try-first locking
    // (hook_mutex.cc): every lock is a trylock, and only the one that would
    // block, on `held`, goes on to pthread_mutex_lock.
    EXPECT_EQ(seen.mutex_lock_calls, 1u);
  }
  EXPECT_EQ(seen.cond_wait_calls, log.cond_wait_calls);
  EXPECT_GE(log.cond_wait_calls, 1u);
  EXPECT_EQ(seen.cond_timedwait_calls, log.timedwait_calls);
  EXPECT_EQ(seen.cond_timedwait_timeouts, log.timedwait_timeouts);
  EXPECT_GE(log.timedwait_timeouts, static_cast<uint64_t>(kShortTimedWaits));
  EXPECT_EQ(log.timedwait_other, 0u);
  EXPECT_EQ(seen.nanosleep_calls, 1u + kShortSleeps);
  EXPECT_EQ(seen.read_calls, log.read_calls);
  EXPECT_EQ(seen.read_bytes, 1u + kPipeBytes);
  EXPECT_EQ(log.read_bytes, 1u + kPipeBytes);
  EXPECT_EQ(seen.pthread_create_calls, static_cast<uint64_t>(kCreatedThreads));
  EXPECT_EQ(log.create_errors, 0);
  EXPECT_FALSE(FindSlot(tid).has_value()) << "the worker's slot outlived it";
  for (int fd : {shared.pipe_fds[0], shared.pipe_fds[1], shared.child_pipe[0],
                 shared.child_pipe[1]}) {
    close(fd);
  }
  g_shared = nullptr;
}

// ---------------------------------------------------------------------------
// Allocators

constexpr int kProducers = 4;
constexpr int kConsumers = 4;
constexpr int kItemsPerProducer = 5000;
constexpr size_t kQueueBound = 64;
constexpr int kChurnThreads = 200;

struct Item {
  uint64_t value;
  char* payload;  // malloc'd by the producer, freed by a consumer
  size_t size;
};

class AllocatorPreload : public AgentTest {};

TEST_F(AllocatorPreload, ThreadedWorkloadCompletesWithExactCounts) {
  const std::string allocator = Env("PARKSCOPE_TEST_ALLOCATOR");
  const std::string first = Env("PARKSCOPE_TEST_PRELOAD_FIRST");
  ASSERT_FALSE(allocator.empty()) << "PARKSCOPE_TEST_ALLOCATOR is set by ctest";
  struct stat file;
  if (stat(allocator.c_str(), &file) != 0) {
    GTEST_SKIP() << allocator << " is missing: install libjemalloc2 and libtcmalloc-minimal4 "
                 << "(scripts/install-deps) to run this test";
  }
  ASSERT_TRUE(first == "allocator" || first == "agent");
  DeadlockDeadline deadline(60, "AllocatorPreload.ThreadedWorkloadCompletesWithExactCounts");
  const std::string base = allocator.substr(allocator.rfind('/') + 1);
  EXPECT_TRUE(Contains(DefiningFile("malloc"), base.c_str()))
      << "malloc is bound to " << DefiningFile("malloc");
  EXPECT_TRUE(Contains(DefiningFile("pthread_mutex_lock"), "parkscope_agent"))
      << "pthread_mutex_lock is bound to " << DefiningFile("pthread_mutex_lock");

  // Producers malloc, consumers free: every item crosses threads, so the
  // allocators' remote-free paths and their locks run under the agent.
  std::mutex mutex;
  std::condition_variable not_empty;
  std::condition_variable not_full;
  std::deque<Item> queue;
  int producers_left = kProducers;
  std::atomic<uint64_t> consumed{0};
  std::atomic<uint64_t> consumed_sum{0};
  std::atomic<int> corrupt{0};
  std::vector<std::thread> threads;
  for (int p = 0; p < kProducers; ++p) {
    threads.emplace_back([&, p] {
      for (int i = 0; i < kItemsPerProducer; ++i) {
        const uint64_t value = static_cast<uint64_t>(p) * kItemsPerProducer + i;
        const size_t size = 8 + (value * 37) % 4000;
        char* payload = static_cast<char*>(std::malloc(size));
        std::memset(payload, static_cast<int>(value & 0x7f), size);
        std::unique_lock lock(mutex);
        not_full.wait(lock, [&] { return queue.size() < kQueueBound; });
        queue.push_back({value, payload, size});
        not_empty.notify_one();
      }
      std::lock_guard lock(mutex);
      if (--producers_left == 0) not_empty.notify_all();
    });
  }
  for (int c = 0; c < kConsumers; ++c) {
    threads.emplace_back([&] {
      for (;;) {
        std::unique_lock lock(mutex);
        not_empty.wait(lock, [&] { return !queue.empty() || producers_left == 0; });
        if (queue.empty()) return;
        Item item = queue.front();
        queue.pop_front();
        not_full.notify_one();
        lock.unlock();
        if (item.payload[item.size - 1] != static_cast<char>(item.value & 0x7f)) ++corrupt;
        std::free(item.payload);
        consumed.fetch_add(1);
        consumed_sum.fetch_add(item.value);
      }
    });
  }
  // Thread churn: each new thread claims a slot (agent) and a thread cache
  // (allocator) and gives both back.
  std::atomic<int> churned{0};
  for (int i = 0; i < kChurnThreads; ++i) {
    std::thread([&] {
      std::vector<void*> blocks;
      for (int b = 0; b < 16; ++b) blocks.push_back(std::malloc(16u << (b % 10)));
      for (void* block : blocks) std::free(block);
      churned.fetch_add(1);
    }).join();
  }
  // The agent still records waits with the allocator in place.
  std::mutex park_mutex;
  std::condition_variable park_cv;
  bool release = false;
  ParkedThread parked([&] {
    std::unique_lock lock(park_mutex);
    park_cv.wait(lock, [&] { return release; });
  });
  std::optional<SlotCopy> recorded = WaitForReason(parked.tid(), PARKSCOPE_REASON_COND_WAIT);
  {
    std::lock_guard hold(park_mutex);
    release = true;
  }
  park_cv.notify_all();
  parked.Join();
  for (std::thread& thread : threads) thread.join();

  constexpr uint64_t kItems = uint64_t{kProducers} * kItemsPerProducer;
  EXPECT_EQ(consumed.load(), kItems);
  EXPECT_EQ(consumed_sum.load(), kItems * (kItems - 1) / 2);
  EXPECT_EQ(corrupt.load(), 0);
  EXPECT_EQ(churned.load(), kChurnThreads);
  ASSERT_TRUE(recorded);
  EXPECT_EQ(recorded->slot.object, ObjectOf(park_cv.native_handle()));
}

}  // namespace
}  // namespace parkscope::agent_test
