// fork() support: the child keeps only the forking thread's slot.
#pragma once

namespace parkscope::agent {

// Registers the pthread_atfork child handler. Called once at
// initialisation.
void InstallForkHandler();

}  // namespace parkscope::agent
