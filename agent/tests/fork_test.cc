// fork(): the child's registry lists only the forking thread, under the
// child's tid, and the child can create threads and record waits.
#include <sys/wait.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "agent_test_support.h"

namespace parkscope::agent_test {
namespace {

class ForkTest : public AgentTest {};

// Exit codes that say which check failed in the child.
enum ChildFailure {
  kChildOk = 0,
  kWrongLiveCount = 10,
  kNoOwnSlot,
  kNoForkFlag,
  kChildThreadNotRecorded,
  kChildThreadSlotNotReleased,
};

int RunChildChecks() {
  if (CountLiveSlots() != 1) return kWrongLiveCount;
  std::optional<SlotCopy> own = FindSlot(gettid());
  if (!own || gettid() != getpid()) return kNoOwnSlot;
  if ((Registry()->flags & PARKSCOPE_REGISTRY_FLAG_FORK_CHILD) == 0)
    return kNoForkFlag;
  std::mutex mutex;
  mutex.lock();
  std::atomic<pid_t> tid{0};
  std::thread waiter([&] {
    tid.store(gettid());
    std::lock_guard hold(mutex);
  });
  while (tid.load() == 0) std::this_thread::yield();
  std::optional<SlotCopy> parked = WaitForReason(
      tid.load(), PARKSCOPE_REASON_MUTEX_LOCK, std::chrono::seconds(10));
  mutex.unlock();
  waiter.join();
  if (!parked || parked->slot.object != ObjectOf(mutex.native_handle()))
    return kChildThreadNotRecorded;
  if (FindSlot(tid.load()).has_value()) return kChildThreadSlotNotReleased;
  return kChildOk;
}

TEST_F(ForkTest, ChildKeepsOnlyTheForkingThreadsSlot) {
  std::mutex mutex;
  std::condition_variable cv;
  bool stop = false;
  std::vector<ParkedThread*> parked;
  for (int i = 0; i < 3; ++i) {
    parked.push_back(new ParkedThread([&] {
      std::unique_lock lock(mutex);
      cv.wait(lock, [&] { return stop; });
    }));
  }
  for (ParkedThread* thread : parked)
    ASSERT_TRUE(WaitForReason(thread->tid(), PARKSCOPE_REASON_COND_WAIT));
  ASSERT_GE(CountLiveSlots(), 4);

  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) _exit(RunChildChecks());

  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), kChildOk);

  // The parent's registry is untouched.
  for (ParkedThread* thread : parked)
    EXPECT_TRUE(WaitForReason(thread->tid(), PARKSCOPE_REASON_COND_WAIT));
  {
    std::lock_guard hold(mutex);
    stop = true;
  }
  cv.notify_all();
  for (ParkedThread* thread : parked) delete thread;
}

}  // namespace
}  // namespace parkscope::agent_test
