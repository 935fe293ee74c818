// Helpers for the `parkscope watch` and `record` end-to-end tests: a
// running daemon whose JSON-lines log is read back, a minimal HTTP client,
// and a runner for the external tools used as oracles (go tool pprof,
// promtool, chromium). Header-only: tests/e2e builds every *_test.cc plus
// e2e_support.cc.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "e2e_support.h"

namespace parkscope::e2e {

inline std::string ReadWhole(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A fresh directory under /tmp, removed by the destructor.
class TempDir {
 public:
  TempDir() {
    char name[] = "/tmp/parkscope_e2e_XXXXXX";
    path_ = mkdtemp(name) != nullptr ? name : "/tmp";
  }
  ~TempDir() {
    std::error_code ec;
    if (path_ != "/tmp") std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// The absolute path of a tool on PATH, or "" (the test then skips).
inline std::string Which(const std::string& tool) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const std::string candidate = dir + "/" + tool;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

// Runs argv with env additions, stdin from /dev/null; kills it after timeout_s.
inline RunResult RunTool(const std::vector<std::string>& argv,
                         const std::map<std::string, std::string>& env = {}, double timeout_s = 60,
                         const std::string& stdin_text = "") {
  TempDir dir;
  const std::string out = dir.File("out"), err = dir.File("err"), in = dir.File("in");
  { std::ofstream(in) << stdin_text; }
  pid_t pid = fork();
  if (pid == 0) {
    int i = open(in.c_str(), O_RDONLY), o = open(out.c_str(), O_WRONLY | O_CREAT, 0600),
        e = open(err.c_str(), O_WRONLY | O_CREAT, 0600);
    dup2(i, 0);
    dup2(o, 1);
    dup2(e, 2);
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  RunResult result;
  const double deadline = MonotonicSeconds() + timeout_s;
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) != pid) {
    if (MonotonicSeconds() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = ReadWhole(out);
  result.err = ReadWhole(err);
  return result;
}

struct HttpResponse {
  int status = 0;  // 0: no response
  std::string headers;
  std::string body;
};

// GET (or another method) over HTTP/1.0 on 127.0.0.1, reading to EOF.
inline HttpResponse HttpRequest(int port, const std::string& target, double timeout_s = 20,
                                const std::string& method = "GET") {
  HttpResponse response;
  const double deadline = MonotonicSeconds() + timeout_s;
  // Non-blocking connect: a server whose backlog is full leaves a blocking
  // connect waiting on SYN retries far longer than timeout_s.
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    pollfd p{fd, POLLOUT, 0};
    int err = 0;
    socklen_t len = sizeof err;
    if (errno != EINPROGRESS || poll(&p, 1, static_cast<int>(timeout_s * 1000)) <= 0 ||
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
      close(fd);
      return response;
    }
  }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  const std::string request =
      method + " " + target + " HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n";
  if (write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
    close(fd);
    return response;
  }
  std::string raw;
  for (;;) {
    const double left = deadline - MonotonicSeconds();
    pollfd p{fd, POLLIN, 0};
    if (left <= 0 || poll(&p, 1, static_cast<int>(left * 1000) + 1) <= 0) break;
    char chunk[65536];
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n <= 0) break;
    raw.append(chunk, static_cast<size_t>(n));
  }
  close(fd);
  const size_t split = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.", 0) != 0 || split == std::string::npos) return response;
  response.status = std::atoi(raw.c_str() + 9);
  response.headers = raw.substr(0, split);
  response.body = raw.substr(split + 4);
  return response;
}

// `parkscope watch -p PID --listen 127.0.0.1:0 --log FILE [args]` running
// in the background. The destructor kills (SIGKILL) and reaps it.
class WatchDaemon {
 public:
  WatchDaemon(pid_t target, std::vector<std::string> args) {
    std::vector<std::string> argv{PARKSCOPE_BIN,          "watch", "-p",
                                  std::to_string(target), "--log", dir_.File("log")};
    bool has_listen = false;
    for (const auto& a : args) has_listen |= a == "--listen";
    if (!has_listen) argv.insert(argv.end(), {"--listen", "127.0.0.1:0"});
    argv.insert(argv.end(), args.begin(), args.end());
    pid_ = fork();
    if (pid_ == 0) {
      int o = open(dir_.File("out").c_str(), O_WRONLY | O_CREAT, 0600);
      int e = open(dir_.File("err").c_str(), O_WRONLY | O_CREAT, 0600);
      dup2(o, 1);
      dup2(e, 2);
      std::vector<char*> c;
      for (const auto& a : argv) c.push_back(const_cast<char*>(a.c_str()));
      c.push_back(nullptr);
      execv(c[0], c.data());
      _exit(127);
    }
  }
  ~WatchDaemon() {
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  WatchDaemon(const WatchDaemon&) = delete;
  WatchDaemon& operator=(const WatchDaemon&) = delete;

  pid_t pid() const { return pid_; }
  std::vector<nlohmann::json> Events() const {
    std::vector<nlohmann::json> events;
    std::istringstream lines(ReadWhole(dir_.File("log")));
    std::string line;
    while (std::getline(lines, line)) {
      auto event = nlohmann::json::parse(line, nullptr, false);
      EXPECT_FALSE(event.is_discarded()) << "not a JSON line: " << line;
      if (!event.is_discarded()) events.push_back(std::move(event));
    }
    return events;
  }
  std::vector<nlohmann::json> EventsNamed(const std::string& name) const {
    std::vector<nlohmann::json> named;
    for (auto& e : Events()) {
      if (e["event"] == name) named.push_back(e);
    }
    return named;
  }
  // The first event named `name` that satisfies `match`, waiting for it.
  std::optional<nlohmann::json> WaitFor(
      const std::string& name, double timeout_s,
      const std::function<bool(const nlohmann::json&)>& match = nullptr) {
    const double deadline = MonotonicSeconds() + timeout_s;
    do {
      for (auto& e : EventsNamed(name)) {
        if (!match || match(e)) return e;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    } while (MonotonicSeconds() < deadline && Running());
    for (auto& e : EventsNamed(name)) {
      if (!match || match(e)) return e;
    }
    return std::nullopt;
  }
  // Waits for the "start" event; the port it names, or 0.
  int Port(double timeout_s = 30) {
    if (port_ == 0) {
      auto start = WaitFor("start", timeout_s);
      if (start) port_ = (*start)["port"].get<int>();
    }
    return port_;
  }
  bool Running() {
    if (reaped_) return false;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      reaped_ = true;
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return false;
    }
    return true;
  }
  // Sends sig (0: none) and waits for the exit; the exit code or -1.
  int Stop(int sig, double timeout_s = 20) {
    if (sig != 0 && !reaped_) kill(pid_, sig);
    const double deadline = MonotonicSeconds() + timeout_s;
    while (Running() && MonotonicSeconds() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return reaped_ ? exit_code_ : -1;
  }
  std::string Stdout() const { return ReadWhole(dir_.File("out")); }
  std::string Stderr() const { return ReadWhole(dir_.File("err")); }

 private:
  TempDir dir_;
  pid_t pid_ = -1;
  bool reaped_ = false;
  int exit_code_ = -1;
  int port_ = 0;
};

// The run count the scheduler keeps for a thread (schedstat, third field):
// it moves whenever the thread is put on a CPU, by us or anyone.
inline long RunCount(pid_t pid, pid_t tid) {
  std::istringstream in(
      ReadWhole("/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid) + "/schedstat"));
  long runtime = -1, wait = -1, count = -1;
  in >> runtime >> wait >> count;
  return count;
}

}  // namespace parkscope::e2e
