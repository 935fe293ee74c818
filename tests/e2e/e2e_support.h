// Helpers for end-to-end tests: start a fixture and wait until its threads
// are parked, run the real parkscope binary, find marked source lines.
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace parkscope::e2e {

std::string FixturePath(const std::string& name);  // fixture_<name> binary
std::string FixtureSource(const std::string& file);

// The line carrying "// SITE: <marker>" in fixtures/<file>; 0 if absent.
int MarkerLine(const std::string& file, const std::string& marker);

// How a fixture is started: as it is, with the agent in LD_PRELOAD, or
// under `parkscope run` (then pid() is parkscope's and ready_pid() the
// fixture's).
enum class Launch { kDirect, kPreload, kUnderRun };

// The agent library the build made (empty when it was not built).
std::string AgentPath();

// A running fixture. The destructor kills it (SIGKILL) and reaps it.
// `env` holds NAME=VALUE entries put into the fixture's environment last, so
// an LD_PRELOAD entry replaces the agent-only value of Launch::kPreload (the
// preload-order tests list the agent next to other libraries).
class Fixture {
 public:
  Fixture(const std::string& name, std::vector<std::string> args = {},
          Launch launch = Launch::kDirect, std::vector<std::string> run_flags = {},
          std::vector<std::string> env = {});
  ~Fixture();
  Fixture(const Fixture&) = delete;
  Fixture& operator=(const Fixture&) = delete;

  // Waits for "READY <pid> <n>" and then until at least n threads besides
  // main sleep in a syscall. False (with why()) on timeout or exit.
  bool WaitReady(double timeout_s = 20);
  // Reads the next stdout line (after READY), or nullopt at EOF/timeout.
  std::optional<std::string> ReadLine(double timeout_s = 10);
  pid_t pid() const { return pid_; }
  // The pid the fixture printed in its READY line.
  pid_t ready_pid() const { return ready_pid_; }
  // CLOCK_MONOTONIC seconds when READY was read.
  double ready_at() const { return ready_at_; }
  int expected_parked() const { return expected_parked_; }
  const std::string& why() const { return why_; }
  // Sends sig and returns the exit status after waiting (or -1).
  int StopAndWait(int sig, double timeout_s = 10);

 private:
  pid_t pid_ = -1;
  pid_t ready_pid_ = -1;
  double ready_at_ = 0;
  int out_fd_ = -1;
  std::string buffer_;
  int expected_parked_ = 0;
  std::string why_;
  bool reaped_ = false;
};

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Waits until at least nparked threads of pid sleep in the same syscall in
// two samples 50 ms apart. False on timeout. For processes not started as a
// Fixture (the pid a fixture prints is its own namespace's, see Container).
bool WaitParked(pid_t pid, int nparked, double timeout_s = 20);

// CLOCK_MONOTONIC in seconds.
double MonotonicSeconds();

// Runs parkscope with args; collects stdout and stderr.
RunResult RunParkscope(const std::vector<std::string>& args, double timeout_s = 60);

// Starts parkscope with args in the background, its output discarded;
// returns its pid (the caller waits for it, or kills it).
pid_t StartParkscope(const std::vector<std::string>& args);
// Waits for a child; its exit code, or 128 + the signal that ended it.
int WaitExitCode(pid_t child);
// parkscope dump -p PID --format json, parsed. Fails the test on bad JSON.
nlohmann::json DumpJson(pid_t pid, std::vector<std::string> extra = {},
                        RunResult* raw = nullptr);

// The threads of a JSON snapshot whose wait.reason equals reason.
std::vector<nlohmann::json> ThreadsWithReason(const nlohmann::json& snapshot,
                                              const std::string& reason);

// The threads of a JSON snapshot with this name.
std::vector<nlohmann::json> ThreadsNamed(const nlohmann::json& snapshot, const std::string& name);

// "State:" letter and TracerPid of every thread of pid, for "left nothing
// stopped or traced" checks. Returns a description of each offender.
std::vector<std::string> StoppedOrTracedThreads(pid_t pid);

// Spinning threads of normal priority, two per CPU, for as long as it
// lives: a machine that leaves no CPU idle.
class CpuHogs {
 public:
  CpuHogs();
  ~CpuHogs();
  CpuHogs(const CpuHogs&) = delete;
  CpuHogs& operator=(const CpuHogs&) = delete;

 private:
  std::atomic<bool> done_{false};
  std::vector<std::thread> hogs_;
};

// The basename of a path.
std::string BaseName(const std::string& path);

}  // namespace parkscope::e2e
