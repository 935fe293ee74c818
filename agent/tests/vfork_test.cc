// vfork(): the child borrows the parent's memory, and so the agent's
// registry and the vforking thread's TLS, until it execs or _exits. The
// agent installs nothing for vfork (see hook_fork.cc); these tests check
// that children exec (into a program that loads the agent again) and _exit
// with their exact statuses while other threads stay parked on hooked
// primitives, and that those threads' records are untouched and every one
// of them wakes exactly once afterwards.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "agent_test_support.h"

extern char** environ;

namespace parkscope::agent_test {
namespace {

class VforkTest : public AgentTest {};

// vfork in a frame of its own: the child runs only execve and _exit, on the
// parent's stack, before this frame returns in the parent.
__attribute__((noinline)) pid_t VforkThenExec(const char* path, char* const argv[]) {
  const pid_t pid = vfork();
  if (pid == 0) {
    execve(path, argv, environ);
    _exit(127);
  }
  return pid;
}

__attribute__((noinline)) pid_t VforkThenExit(int code) {
  const pid_t pid = vfork();
  if (pid == 0) _exit(code);
  return pid;
}

int ExitCodeOf(pid_t child) {
  int status = 0;
  if (waitpid(child, &status, 0) != child) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Runs `rounds` of: vfork+exec /bin/true (0), vfork+exec sh -c 'exit 3'
// (3), vfork+_exit(round % 50) and posix_spawn /bin/true (0); returns how
// many children ended with a status other than the expected one.
int SpawnRounds(int rounds) {
  char true_path[] = "/bin/true";
  char sh_path[] = "/bin/sh";
  char dash_c[] = "-c";
  char exit3[] = "exit 3";
  char* const true_argv[] = {true_path, nullptr};
  char* const sh_argv[] = {sh_path, dash_c, exit3, nullptr};
  int wrong = 0;
  for (int round = 0; round < rounds; ++round) {
    wrong += ExitCodeOf(VforkThenExec(true_path, true_argv)) != 0;
    wrong += ExitCodeOf(VforkThenExec(sh_path, sh_argv)) != 3;
    wrong += ExitCodeOf(VforkThenExit(round % 50)) != round % 50;
    pid_t spawned = -1;
    wrong += posix_spawn(&spawned, true_path, nullptr, nullptr, true_argv, environ) != 0 ||
             ExitCodeOf(spawned) != 0;
  }
  return wrong;
}

TEST_F(VforkTest, ChildrenExecAndExitWhileOtherThreadsWait) {
  DeadlockDeadline deadline(60, "VforkTest.ChildrenExecAndExitWhileOtherThreadsWait");
  std::mutex held;
  held.lock();
  std::mutex cond_mutex;
  std::condition_variable cv;
  bool release = false;
  std::atomic<bool> stop_sleeping{false};
  std::atomic<int> woken{0};
  ParkedThread lock_waiter([&] {
    std::lock_guard hold(held);
    woken.fetch_add(1);
  });
  ParkedThread cond_waiter([&] {
    std::unique_lock lock(cond_mutex);
    cv.wait(lock, [&] { return release; });
    woken.fetch_add(1);
  });
  ParkedThread sleeper([&] {
    while (!stop_sleeping.load()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    woken.fetch_add(1);
  });
  std::optional<SlotCopy> lock_before =
      WaitForReason(lock_waiter.tid(), PARKSCOPE_REASON_MUTEX_LOCK);
  std::optional<SlotCopy> cond_before =
      WaitForReason(cond_waiter.tid(), PARKSCOPE_REASON_COND_WAIT);
  ASSERT_TRUE(lock_before);
  ASSERT_TRUE(cond_before);
  ASSERT_TRUE(WaitForReason(sleeper.tid(), PARKSCOPE_REASON_SLEEP));
  const int live_before = CountLiveSlots();

  // Two threads vfork at once: each child borrows the memory while the
  // other thread's child may be running too.
  int wrong_in_helper = -1;
  std::thread second_spawner([&] { wrong_in_helper = SpawnRounds(10); });
  const int wrong_in_main = SpawnRounds(10);
  second_spawner.join();
  EXPECT_EQ(wrong_in_main, 0);
  EXPECT_EQ(wrong_in_helper, 0);

  // The parked threads' records are the ones they had before: same wait,
  // same object, same start (the children wrote nothing into them).
  std::optional<SlotCopy> lock_after = FindSlot(lock_waiter.tid());
  std::optional<SlotCopy> cond_after = FindSlot(cond_waiter.tid());
  ASSERT_TRUE(lock_after);
  ASSERT_TRUE(cond_after);
  EXPECT_EQ(lock_after->slot.state, PARKSCOPE_SLOT_PARKED);
  EXPECT_EQ(lock_after->slot.reason, PARKSCOPE_REASON_MUTEX_LOCK);
  EXPECT_EQ(lock_after->slot.object, ObjectOf(held.native_handle()));
  EXPECT_EQ(lock_after->slot.since_ns, lock_before->slot.since_ns);
  EXPECT_EQ(cond_after->slot.state, PARKSCOPE_SLOT_PARKED);
  EXPECT_EQ(cond_after->slot.reason, PARKSCOPE_REASON_COND_WAIT);
  EXPECT_EQ(cond_after->slot.since_ns, cond_before->slot.since_ns);
  EXPECT_TRUE(WaitForReason(sleeper.tid(), PARKSCOPE_REASON_SLEEP));
  // The vforking thread keeps its slot under its own tid, and the second
  // spawner's slot was released when it exited.
  std::optional<SlotCopy> own = FindSlot(gettid());
  ASSERT_TRUE(own);
  EXPECT_EQ(own->slot.state, PARKSCOPE_SLOT_RUNNING);
  EXPECT_EQ(CountLiveSlots(), live_before);
  EXPECT_EQ(Registry()->flags & PARKSCOPE_REGISTRY_FLAG_FORK_CHILD, 0u);

  held.unlock();
  {
    std::lock_guard hold(cond_mutex);
    release = true;
  }
  cv.notify_all();
  stop_sleeping.store(true);
  lock_waiter.Join();
  cond_waiter.Join();
  sleeper.Join();
  EXPECT_EQ(woken.load(), 3);
}

}  // namespace
}  // namespace parkscope::agent_test
