#include "e2e_support.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

namespace parkscope::e2e {
namespace {

double Now() { return MonotonicSeconds(); }

std::string ReadSmall(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

pid_t Spawn(const std::vector<std::string>& argv, int* out_fd, int* err_fd,
            const std::string& preload = "", const std::vector<std::string>& env = {}) {
  int out[2], err[2] = {-1, -1};
  if (pipe2(out, O_CLOEXEC) != 0) return -1;
  if (err_fd != nullptr && pipe2(err, O_CLOEXEC) != 0) return -1;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], 1);
    if (err_fd != nullptr) dup2(err[1], 2);
    if (!preload.empty()) setenv("LD_PRELOAD", preload.c_str(), 1);
    for (const auto& entry : env) putenv(const_cast<char*>(entry.c_str()));
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(out[1]);
  *out_fd = out[0];
  if (err_fd != nullptr) {
    close(err[1]);
    *err_fd = err[0];
  }
  return pid;
}

// Per-thread (state, syscall line without sp/pc) of every non-main thread.
std::map<int, std::string> ParkedThreads(pid_t pid) {
  std::map<int, std::string> parked;
  std::error_code ec;
  for (const auto& entry :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    const std::string dir = entry.path().string();
    int tid = std::atoi(entry.path().filename().c_str());
    std::string stat = ReadSmall(dir + "/stat");
    size_t close_paren = stat.rfind(')');
    if (close_paren == std::string::npos || close_paren + 2 >= stat.size()) continue;
    char state = stat[close_paren + 2];
    std::string syscall = ReadSmall(dir + "/syscall");
    if ((state == 'S' || state == 'D') && syscall.rfind("running", 0) != 0) {
      // The syscall number and first argument identify the wait.
      std::istringstream fields(syscall);
      std::string nr, a0;
      fields >> nr >> a0;
      parked[tid] = nr + " " + a0;
    }
  }
  return parked;
}

}  // namespace

double MonotonicSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec / 1e9;
}

std::string AgentPath() {
#ifdef PARKSCOPE_AGENT_PATH
  return PARKSCOPE_AGENT_PATH;
#else
  return "";
#endif
}

std::string FixturePath(const std::string& name) {
  return std::string(PARKSCOPE_FIXTURE_BIN_DIR) + "/fixture_" + name;
}

std::string FixtureSource(const std::string& file) {
  return std::string(PARKSCOPE_FIXTURE_SRC_DIR) + "/" + file;
}

int MarkerLine(const std::string& file, const std::string& marker) {
  std::ifstream in(FixtureSource(file));
  std::string line;
  const std::string needle = "SITE: " + marker;
  for (int n = 1; std::getline(in, line); ++n) {
    size_t at = line.find(needle);
    if (at == std::string::npos) continue;
    size_t end = at + needle.size();
    // Whole marker only: "fanout-send" must not match "fanout-send-inner".
    if (end == line.size() || line[end] == ' ' || line[end] == '\t') return n;
  }
  return 0;
}

std::string BaseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

Fixture::Fixture(const std::string& name, std::vector<std::string> args, Launch launch,
                 std::vector<std::string> run_flags, std::vector<std::string> env) {
  args.insert(args.begin(), FixturePath(name));
  if (launch == Launch::kUnderRun) {
    std::vector<std::string> run{PARKSCOPE_BIN, "run"};
    run.insert(run.end(), run_flags.begin(), run_flags.end());
    run.push_back("--");
    args.insert(args.begin(), run.begin(), run.end());
  }
  pid_ = Spawn(args, &out_fd_, nullptr, launch == Launch::kPreload ? AgentPath() : "", env);
}

Fixture::~Fixture() {
  if (pid_ > 0 && !reaped_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (out_fd_ >= 0) close(out_fd_);
}

std::optional<std::string> Fixture::ReadLine(double timeout_s) {
  const double deadline = Now() + timeout_s;
  for (;;) {
    size_t nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    double left = deadline - Now();
    if (left <= 0) return std::nullopt;
    pollfd p{out_fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left * 1000) + 1) <= 0) continue;
    char chunk[4096];
    ssize_t n = read(out_fd_, chunk, sizeof chunk);
    if (n <= 0) return std::nullopt;
    buffer_.append(chunk, static_cast<size_t>(n));
  }
}

bool Fixture::WaitReady(double timeout_s) {
  const double deadline = Now() + timeout_s;
  auto line = ReadLine(timeout_s);
  if (!line) {
    why_ = "fixture printed no READY line";
    return false;
  }
  if (line->rfind("SKIP", 0) == 0) {
    why_ = *line;
    return false;
  }
  std::istringstream fields(*line);
  std::string word;
  int pid = 0;
  fields >> word >> pid >> expected_parked_;
  if (word != "READY") {
    why_ = "unexpected first line: " + *line;
    return false;
  }
  ready_pid_ = pid;
  ready_at_ = Now();
  if (WaitParked(ready_pid_, expected_parked_, deadline - Now())) return true;
  why_ = "threads did not park within the timeout";
  return false;
}

bool WaitParked(pid_t pid, int nparked, double timeout_s) {
  const double deadline = Now() + timeout_s;
  // Parked and settled: the same waits seen twice in a row.
  std::map<int, std::string> previous;
  while (Now() < deadline) {
    auto parked = ParkedThreads(pid);
    // Settled: enough threads sit in the same wait in two samples in a
    // row (threads that come and go, as in the churn fixture, don't count).
    int settled = 0;
    for (const auto& [tid, wait] : parked) {
      auto it = previous.find(tid);
      settled += it != previous.end() && it->second == wait;
    }
    if (settled >= nparked) return true;
    previous = std::move(parked);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

int Fixture::StopAndWait(int sig, double timeout_s) {
  if (pid_ <= 0 || reaped_) return -1;
  if (sig != 0) kill(pid_, sig);
  const double deadline = Now() + timeout_s;
  while (Now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      reaped_ = true;
      return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

pid_t StartParkscope(const std::vector<std::string>& args) {
  std::vector<std::string> argv{PARKSCOPE_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> c_argv;
  for (auto& a : argv) c_argv.push_back(a.data());
  c_argv.push_back(nullptr);
  pid_t child = fork();
  if (child == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(devnull, 2);
    execv(c_argv[0], c_argv.data());
    _exit(127);
  }
  return child;
}

int WaitExitCode(pid_t child) {
  int status = 0;
  if (waitpid(child, &status, 0) != child) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

RunResult RunParkscope(const std::vector<std::string>& args, double timeout_s) {
  std::vector<std::string> argv{PARKSCOPE_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  RunResult result;
  int out_fd = -1, err_fd = -1;
  pid_t pid = Spawn(argv, &out_fd, &err_fd);
  const double deadline = Now() + timeout_s;
  bool out_open = true, err_open = true;
  while ((out_open || err_open) && Now() < deadline) {
    pollfd fds[2] = {{out_open ? out_fd : -1, POLLIN, 0},
                     {err_open ? err_fd : -1, POLLIN, 0}};
    if (poll(fds, 2, 100) <= 0) continue;
    char chunk[65536];
    for (int i = 0; i < 2; ++i) {
      if (fds[i].revents == 0) continue;
      ssize_t n = read(fds[i].fd, chunk, sizeof chunk);
      if (n <= 0) {
        (i == 0 ? out_open : err_open) = false;
      } else {
        (i == 0 ? result.out : result.err).append(chunk, static_cast<size_t>(n));
      }
    }
  }
  if (out_open || err_open) kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  close(out_fd);
  close(err_fd);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

nlohmann::json DumpJson(pid_t pid, std::vector<std::string> extra, RunResult* raw) {
  std::vector<std::string> args{"dump", "-p", std::to_string(pid), "--format", "json"};
  args.insert(args.end(), extra.begin(), extra.end());
  RunResult result = RunParkscope(args);
  if (raw != nullptr) *raw = result;
  EXPECT_TRUE(result.exit_code == 0 || result.exit_code == 1)
      << "exit " << result.exit_code << ": " << result.err;
  auto json = nlohmann::json::parse(result.out, nullptr, false);
  EXPECT_FALSE(json.is_discarded()) << "not JSON: " << result.out.substr(0, 500);
  return json.is_discarded() ? nlohmann::json::object() : json;
}

std::vector<nlohmann::json> ThreadsWithReason(const nlohmann::json& snapshot,
                                              const std::string& reason) {
  std::vector<nlohmann::json> out;
  if (!snapshot.contains("threads")) return out;
  for (const auto& t : snapshot["threads"]) {
    if (t["wait"]["reason"] == reason) out.push_back(t);
  }
  return out;
}

std::vector<nlohmann::json> ThreadsNamed(const nlohmann::json& snapshot,
                                         const std::string& name) {
  std::vector<nlohmann::json> out;
  if (!snapshot.contains("threads")) return out;
  for (const auto& t : snapshot["threads"]) {
    if (t["name"] == name) out.push_back(t);
  }
  return out;
}

std::vector<std::string> StoppedOrTracedThreads(pid_t pid) {
  std::vector<std::string> bad;
  std::error_code ec;
  for (const auto& entry :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::string status = ReadSmall(entry.path().string() + "/status");
    std::istringstream lines(status);
    std::string line, state, tracer;
    while (std::getline(lines, line)) {
      if (line.rfind("State:", 0) == 0) state = line.substr(6);
      if (line.rfind("TracerPid:", 0) == 0) tracer = line.substr(10);
    }
    auto trim = [](std::string s) {
      s.erase(0, s.find_first_not_of(" \t"));
      return s;
    };
    state = trim(state);
    tracer = trim(tracer);
    if ((!state.empty() && (state[0] == 't' || state[0] == 'T')) ||
        (!tracer.empty() && tracer != "0")) {
      bad.push_back("tid " + entry.path().filename().string() + " state " + state +
                    " tracer " + tracer);
    }
  }
  return bad;
}

CpuHogs::CpuHogs() {
  const unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < 2 * cpus; ++i) {
    hogs_.emplace_back([this] {
      while (!done_.load(std::memory_order_relaxed)) {
      }
    });
  }
}

CpuHogs::~CpuHogs() {
  done_.store(true);
  for (auto& hog : hogs_) hog.join();
}

}  // namespace parkscope::e2e
