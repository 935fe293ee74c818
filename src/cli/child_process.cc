#include "cli/child_process.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>

namespace parkscope {

Child LaunchChild(const ChildLaunch& launch) {
  Child child;
  int sockets[2] = {-1, -1};
  if (launch.exit_check &&
      socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets) != 0) {
    child.error = errno;
    return child;
  }
  child.pid = fork();
  if (child.pid < 0) {
    child.error = errno;
    return child;
  }
  if (child.pid == 0) {
    std::string preload = launch.agent_path;
    if (const char* old = std::getenv("LD_PRELOAD"); old != nullptr && *old != '\0') {
      preload += ":" + std::string(old);
    }
    setenv("LD_PRELOAD", preload.c_str(), 1);
    if (launch.exit_check) {
      // The agent checks only in this very process: a forked child that
      // inherits the socket and the variables stays silent.
      int fd = dup(sockets[1]);  // without CLOEXEC, so exec keeps it
      setenv("PARKSCOPE_CHECK_FD", std::to_string(fd).c_str(), 1);
      setenv("PARKSCOPE_CHECK_PID", std::to_string(getpid()).c_str(), 1);
    }
    // SIG_IGN survives exec: a Ctrl-\\ that reaches the whole process
    // group dumps instead of killing the program. A handler the program
    // installs itself still wins. Documented in the README.
    signal(launch.dump_signal, SIG_IGN);
    sigprocmask(SIG_SETMASK, &launch.child_mask, nullptr);
    std::vector<char*> argv;
    for (const auto& arg : launch.command) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    std::cerr << "parkscope: cannot run " << launch.command[0] << ": " << std::strerror(errno)
              << "\n";
    _exit(127);
  }
  if (launch.exit_check) {
    close(sockets[1]);
    child.check_fd = sockets[0];
  }
  return child;
}

}  // namespace parkscope
