#include "proc/task_list.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <latch>
#include <string>
#include <thread>
#include <vector>

namespace parkscope {
namespace {

// A pid with no /proc entry right now. Counting down from the top of the pid
// range finds one quickly: pids are handed out from low numbers up.
Pid FindUnusedPid() {
  for (Pid pid = 4'194'303; pid > 1; --pid) {
    struct stat st;
    if (stat(("/proc/" + std::to_string(pid)).c_str(), &st) != 0 &&
        errno == ENOENT && kill(pid, 0) != 0 && errno == ESRCH) {
      return pid;
    }
  }
  return 0;
}

TEST(ProcTaskList, ListsLiveThreadsOfThisProcess) {
  constexpr int kExtraThreads = 3;
  std::latch started(kExtraThreads);
  std::latch release(1);
  std::vector<std::thread> threads;
  for (int i = 0; i < kExtraThreads; ++i) {
    threads.emplace_back([&] {
      started.count_down();
      release.wait();
    });
  }
  started.wait();

  TaskList list = ListTasks(getpid());
  release.count_down();
  for (std::thread& thread : threads) thread.join();

  ASSERT_EQ(list.status, ListStatus::kOk) << list.err;
  EXPECT_FALSE(list.truncated);
  EXPECT_GE(list.tids.size(), 1u + kExtraThreads);
  EXPECT_TRUE(std::is_sorted(list.tids.begin(), list.tids.end()));
  EXPECT_TRUE(std::adjacent_find(list.tids.begin(), list.tids.end()) ==
              list.tids.end());
  EXPECT_NE(std::find(list.tids.begin(), list.tids.end(), getpid()),
            list.tids.end());
  EXPECT_NE(std::find(list.tids.begin(), list.tids.end(), gettid()),
            list.tids.end());
}

TEST(ProcTaskList, NonexistentPidIsGone) {
  Pid pid = FindUnusedPid();
  ASSERT_GT(pid, 0);
  TaskList list = ListTasks(pid);
  EXPECT_EQ(list.status, ListStatus::kGone);
  EXPECT_EQ(list.err, ENOENT);
  EXPECT_TRUE(list.tids.empty());
}

TEST(ProcTaskList, NonPositivePidIsACallerError) {
  for (Pid pid : {0, -1, -2147483647 - 1}) {
    TaskList list = ListTasks(pid);
    EXPECT_EQ(list.status, ListStatus::kError) << pid;
    EXPECT_EQ(list.err, EINVAL) << pid;
  }
}

TEST(ProcTaskList, MaxTasksBoundsTheListing) {
  std::latch release(1);
  std::thread other([&] { release.wait(); });
  TaskList list = ListTasks(getpid(), 1);
  release.count_down();
  other.join();
  ASSERT_EQ(list.status, ListStatus::kOk);
  EXPECT_EQ(list.tids.size(), 1u);
  EXPECT_TRUE(list.truncated);
}

}  // namespace
}  // namespace parkscope
