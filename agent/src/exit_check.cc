// Test mode's exit check (`parkscope run --check-leaks`): when the program is
// about to exit normally, tell the parkscope that started it and wait until
// it has taken its snapshot, so leaked threads are seen still alive.
//
// "About to exit normally" is two places: return from main, caught by
// wrapping main through __libc_start_main (before atexit handlers and static
// destructors run, so the threads are as the program left them), and an
// explicit exit() call, caught by interposing exit. _exit, a crash or the
// last thread calling pthread_exit send nothing; parkscope sees the child
// end without a check and says so, nothing hangs.
//
// Protocol, over the socket parkscope passed in PARKSCOPE_CHECK_FD: one line
// "EXIT <tid> <status>\n", then block until one byte comes back (or the
// socket closes: a parkscope that died must not hold the program). Only the
// process whose pid is PARKSCOPE_CHECK_PID speaks: a forked child inherits
// the socket and the variables, and stays silent.
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>

#include "export.h"

namespace {

using MainFn = int (*)(int, char**, char**);
using StartMainFn = int (*)(MainFn, int, char**, void (*)(), void (*)(), void (*)(), void*);
using ExitFn = void (*)(int);

MainFn real_main = nullptr;
int check_fd = -1;
long check_pid = -1;
std::atomic<bool> checked{false};

long ParseLong(const char* text) {
  if (text == nullptr || *text == '\0') return -1;
  char* end = nullptr;
  long value = strtol(text, &end, 10);
  return (end != nullptr && *end == '\0' && value >= 0) ? value : -1;
}

// Raw syscalls: the agent's own read/write hooks would record this wait.
long RawWrite(int fd, const char* data, size_t size) {
  return syscall(SYS_write, fd, data, size);
}

void ExitCheck(int status) {
  if (check_fd < 0 || static_cast<long>(getpid()) != check_pid) return;
  if (checked.exchange(true)) return;
  char line[64];
  int n = snprintf(line, sizeof line, "EXIT %ld %d\n", static_cast<long>(syscall(SYS_gettid)),
                   status);
  for (int written = 0; written < n;) {
    long r = RawWrite(check_fd, line + written, static_cast<size_t>(n - written));
    if (r > 0) {
      written += static_cast<int>(r);
    } else if (r < 0 && errno == EINTR) {
      continue;
    } else {
      return;
    }
  }
  char ack = 0;
  while (syscall(SYS_read, check_fd, &ack, 1) < 0 && errno == EINTR) {
  }
}

int MainWithExitCheck(int argc, char** argv, char** envp) {
  int status = real_main(argc, argv, envp);
  ExitCheck(status);
  return status;
}

}  // namespace

extern "C" PARKSCOPE_EXPORT int __libc_start_main(MainFn main, int argc, char** argv,
                                                  void (*init)(), void (*fini)(),
                                                  void (*rtld_fini)(), void* stack_end) {
  auto real = reinterpret_cast<StartMainFn>(dlsym(RTLD_NEXT, "__libc_start_main"));
  if (real == nullptr) abort();  // no libc to start with: nothing else could work
  check_fd = static_cast<int>(ParseLong(getenv("PARKSCOPE_CHECK_FD")));
  check_pid = ParseLong(getenv("PARKSCOPE_CHECK_PID"));
  if (check_fd < 0 || static_cast<long>(getpid()) != check_pid) {
    return real(main, argc, argv, init, fini, rtld_fini, stack_end);
  }
  real_main = main;
  return real(MainWithExitCheck, argc, argv, init, fini, rtld_fini, stack_end);
}

extern "C" PARKSCOPE_EXPORT void exit(int status) {
  static ExitFn real_exit = reinterpret_cast<ExitFn>(dlsym(RTLD_NEXT, "exit"));
  ExitCheck(status);
  if (real_exit == nullptr) _exit(status);
  real_exit(status);
  __builtin_unreachable();
}
