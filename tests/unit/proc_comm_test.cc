#include "proc/comm.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <latch>
#include <string>
#include <thread>

namespace parkscope {
namespace {

TEST(ProcComm, ThreadNameSetWithPthreadSetname) {
  std::latch named(1);
  std::latch release(1);
  std::atomic<Tid> tid{0};
  std::thread worker([&] {
    tid = gettid();
    pthread_setname_np(pthread_self(), "ps-worker-7");
    named.count_down();
    release.wait();
  });
  named.wait();
  std::string name = ReadThreadName(getpid(), tid.load());
  release.count_down();
  worker.join();
  EXPECT_EQ(name, "ps-worker-7");
}

TEST(ProcComm, ThreadNameKeepsSpacesAndParens) {
  std::latch named(1);
  std::latch release(1);
  std::atomic<Tid> tid{0};
  std::thread worker([&] {
    tid = gettid();
    pthread_setname_np(pthread_self(), ") (x y");
    named.count_down();
    release.wait();
  });
  named.wait();
  std::string name = ReadThreadName(getpid(), tid.load());
  release.count_down();
  worker.join();
  EXPECT_EQ(name, ") (x y");
}

TEST(ProcComm, UnreadableThreadNameIsEmpty) {
  EXPECT_EQ(ReadThreadName(getpid(), 0), "");
  EXPECT_EQ(ReadThreadName(-1, -1), "");
}

TEST(ProcComm, CommandOfThisProcess) {
  std::string command = ReadCommand(getpid());
  ASSERT_FALSE(command.empty());
  // argv[0] comes first, then the arguments joined by single spaces.
  EXPECT_TRUE(command.starts_with(program_invocation_name)) << command;
  EXPECT_EQ(command.find('\0'), std::string::npos);
  EXPECT_NE(command.back(), ' ');
}

TEST(ProcComm, KernelThreadFallsBackToComm) {
  // kthreadd is pid 2 in the initial pid namespace; inside a container pid 2
  // is an ordinary process, and then its cmdline is what we get.
  std::string comm = ReadThreadName(2, 2);
  if (comm != "kthreadd") GTEST_SKIP() << "pid 2 is not kthreadd here";
  EXPECT_EQ(ReadCommand(2), "kthreadd");
}

TEST(ProcComm, MissingProcessIsEmpty) {
  EXPECT_EQ(ReadCommand(0), "");
  EXPECT_EQ(ReadCommand(-5), "");
}

}  // namespace
}  // namespace parkscope
