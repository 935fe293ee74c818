// Starts the command of `parkscope run`: the agent preloaded, the dump
// signal ignored in the child, and (for test checks) one end of a socket the
// agent uses to say "about to exit" and wait for our snapshot.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <string>
#include <vector>

namespace parkscope {

struct ChildLaunch {
  std::vector<std::string> command;
  std::string agent_path;
  int dump_signal = SIGQUIT;
  bool exit_check = false;  // pass PARKSCOPE_CHECK_FD to the agent
  sigset_t child_mask;      // the signal mask the command starts with
};

struct Child {
  pid_t pid = -1;
  int check_fd = -1;  // our end of the exit-check socket, -1 when unused
  int error = 0;      // errno when fork failed
};

// The child prints "parkscope: cannot run CMD: why" and exits 127 when
// exec fails.
Child LaunchChild(const ChildLaunch& launch);

}  // namespace parkscope
