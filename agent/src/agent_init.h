// One-time initialisation of the agent.
//
// Runs from the agent's ELF constructor, or earlier from the first
// pthread_create if another library's constructor creates a thread before
// ours ran (ELF runs a preloaded library's initialiser after those of the
// program's other dependencies). Hooks that merely record waits never
// initialise: until the registry is ready they forward without recording.
#pragma once

namespace parkscope::agent {

// Initialises the agent if nobody has; if another thread is initialising,
// waits until it is done. Returns at once when called again by the
// initialising thread itself. Not async-signal-safe.
void EnsureAgentInitialized();

}  // namespace parkscope::agent
