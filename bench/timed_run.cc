// Runs one command and reports its wall time and peak RSS, for
// scripts/bench:
//   timed_run STDOUT_FILE STDERR_FILE -- COMMAND [ARGS...]
// prints "<wall us> <peak RSS KiB>" on stdout and exits with the command's
// status. The clock starts right before fork and stops when wait4 returns,
// so what is timed is the command alone: measured through `bash -c` under
// GNU time, as the script did before, every tool's wall time carried 3 to 5
// ms of shell and date start-ups, a tenth of parkscope's own.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace {

long long MonotonicUs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<long long>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

int OpenOutput(const char* path) {
  return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5 || std::strcmp(argv[3], "--") != 0) {
    std::fprintf(stderr, "usage: timed_run STDOUT_FILE STDERR_FILE -- COMMAND [ARGS...]\n");
    return 64;
  }
  const int out = OpenOutput(argv[1]);
  const int err = OpenOutput(argv[2]);
  if (out < 0 || err < 0) {
    std::perror("timed_run: cannot open an output file");
    return 64;
  }
  const long long began = MonotonicUs();
  const pid_t child = fork();
  if (child < 0) {
    std::perror("timed_run: fork");
    return 70;
  }
  if (child == 0) {
    dup2(out, STDOUT_FILENO);
    dup2(err, STDERR_FILENO);
    execvp(argv[4], argv + 4);
    std::perror("timed_run: exec");
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  while (wait4(child, &status, 0, &usage) < 0 && errno == EINTR) {
  }
  const long long wall = MonotonicUs() - began;
  std::printf("%lld %ld\n", wall, usage.ru_maxrss);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
