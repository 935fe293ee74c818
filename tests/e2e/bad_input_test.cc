// Bad input gets one clear line and a documented exit code, and never costs
// the target anything.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "e2e_support.h"

namespace parkscope::e2e {
namespace {

int OneLine(const std::string& text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

// A pid that no process has: past pid_max would be rejected as a number, so
// fork a child, reap it, and use its (now free) pid.
pid_t FreePid() {
  pid_t child = fork();
  if (child == 0) _exit(0);
  waitpid(child, nullptr, 0);
  return child;
}

TEST(BadInput, NonexistentPid) {
  RunResult r = RunParkscope({"dump", "-p", std::to_string(FreePid())});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no process with pid"), std::string::npos) << r.err;
  EXPECT_EQ(OneLine(r.err), 1) << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST(BadInput, UsageErrorsExit64WithOneLine) {
  const std::vector<std::vector<std::string>> cases = {
      {},
      {"dump"},
      {"dump", "-p", "abc"},
      {"dump", "-p", "-5"},
      {"dump", "-p", "1", "--format", "xml"},
      {"dump", "-p", "1", "--bogus"},
      {"dump", "-p", "1", "--max-frames", "0"},
      {"dump", "-p", "1", "--runtime-frames", "(unclosed"},
      {"frobnicate"},
  };
  for (const auto& args : cases) {
    RunResult r = RunParkscope(args);
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    EXPECT_EQ(r.exit_code, 64) << joined << "\n" << r.err;
    EXPECT_EQ(OneLine(r.err), 1) << joined << "\n" << r.err;
    EXPECT_EQ(r.err.rfind("parkscope: ", 0), 0u) << r.err;
  }
}

// A pid that is not one, or a forgotten value ("-p --timings" takes the
// flag as the pid), is named in a short line.
TEST(BadInput, BadPidIsNamed) {
  for (const char* command : {"dump", "watch", "record"}) {
    for (const char* pid : {"abc", "-5", "0", "1.5", "--timings", "99999999999", "2147483648"}) {
      RunResult r = RunParkscope({command, "-p", pid});
      EXPECT_EQ(r.exit_code, 64) << command << " -p " << pid << ": " << r.err;
      EXPECT_EQ(OneLine(r.err), 1) << r.err;
      EXPECT_NE(r.err.find(std::string("'") + pid + "' is not a process id"), std::string::npos)
          << command << " -p " << pid << ": " << r.err;
      EXPECT_LT(r.err.size(), 200u) << r.err;
    }
  }
}

TEST(BadInput, UnwritableOutputPathTouchesNothing) {
  Fixture fx("sleep_for");
  ASSERT_TRUE(fx.WaitReady()) << fx.why();
  RunResult r = RunParkscope(
      {"dump", "-p", std::to_string(fx.pid()), "-o", "/nonexistent-dir/report.txt"});
  EXPECT_EQ(r.exit_code, 64);
  EXPECT_NE(r.err.find("cannot write /nonexistent-dir/report.txt"), std::string::npos) << r.err;
}

TEST(BadInput, OutputFileIsReplacedOnlyWhenComplete) {
  Fixture fx("sleep_for");
  ASSERT_TRUE(fx.WaitReady()) << fx.why();
  const std::string path = ::testing::TempDir() + "/parkscope-report.json";
  RunResult ok = RunParkscope({"dump", "-p", std::to_string(fx.pid()), "--format",
                               "json", "-o", path});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  std::ifstream in(path);
  std::string first;
  std::getline(in, first);
  EXPECT_EQ(first, "{");
  // A failed run (gone pid) must leave the earlier report in place.
  RunResult gone = RunParkscope({"dump", "-p", std::to_string(FreePid()), "-o", path});
  EXPECT_EQ(gone.exit_code, 2);
  std::ifstream again(path);
  std::getline(again, first);
  EXPECT_EQ(first, "{");
}

TEST(BadInput, AlreadyTracedNamesTheTracer) {
  Fixture fx("sleep_for");
  ASSERT_TRUE(fx.WaitReady()) << fx.why();
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t tracer = fork();
  if (tracer == 0) {
    char ok = ptrace(PTRACE_SEIZE, fx.pid(), nullptr, nullptr) == 0 ? 'y' : 'n';
    if (write(ready[1], &ok, 1) != 1) _exit(1);
    pause();
    _exit(0);
  }
  char ok = 0;
  ASSERT_EQ(read(ready[0], &ok, 1), 1);
  ASSERT_EQ(ok, 'y');
  RunResult r = RunParkscope({"dump", "-p", std::to_string(fx.pid())});
  kill(tracer, SIGKILL);
  waitpid(tracer, nullptr, 0);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("already traced by pid " + std::to_string(tracer)), std::string::npos)
      << r.err;
  EXPECT_EQ(OneLine(r.err), 1);
}

TEST(BadInput, ZombieProcess) {
  pid_t child = fork();
  if (child == 0) _exit(0);
  // Not reaped yet: a zombie with one zombie thread and no stack.
  usleep(100000);
  RunResult r = RunParkscope({"dump", "-p", std::to_string(child), "--format", "json"});
  waitpid(child, nullptr, 0);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto snap = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(snap.is_discarded());
  ASSERT_EQ(snap["threads"].size(), 1u);
  EXPECT_EQ(snap["threads"][0]["wait"]["reason"], "zombie");
}

TEST(BadInput, NoPermissionExplainsCapSysPtrace) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to drop to another uid";
  Fixture fx("sleep_for");
  ASSERT_TRUE(fx.WaitReady()) << fx.why();
  // Run parkscope as nobody against a root-owned process.
  pid_t child = fork();
  int out[2];
  if (child == 0) _exit(0);
  waitpid(child, nullptr, 0);
  ASSERT_EQ(pipe(out), 0);
  pid_t runner = fork();
  if (runner == 0) {
    dup2(out[1], 2);
    if (setgid(65534) != 0 || setuid(65534) != 0) _exit(99);
    execl(PARKSCOPE_BIN, PARKSCOPE_BIN, "dump", "-p", std::to_string(fx.pid()).c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  std::string err;
  char buf[4096];
  for (ssize_t n; (n = read(out[0], buf, sizeof buf)) > 0;) err.append(buf, n);
  int status = 0;
  waitpid(runner, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 99) GTEST_SKIP() << "cannot switch to uid 65534";
  EXPECT_EQ(WEXITSTATUS(status), 2) << err;
  EXPECT_NE(err.find("CAP_SYS_PTRACE"), std::string::npos) << err;
  EXPECT_TRUE(StoppedOrTracedThreads(fx.pid()).empty());
}

}  // namespace
}  // namespace parkscope::e2e
