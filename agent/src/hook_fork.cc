// fork(): the child has one thread, the one that called fork, but its copy
// of the registry still lists every parent thread under parent tids. The
// child handler frees those slots so the collector does not report threads
// that do not exist, and gives the surviving slot the child's tid.
//
// Not a hook on fork() itself: pthread_atfork's child handler runs inside
// fork() in the child before it returns, for fork() and for glibc-internal
// callers alike. _Fork(), vfork() and posix_spawn run no handlers; vfork and
// posix_spawn children share the parent's memory until exec and must leave
// it alone anyway.
#include <pthread.h>

#include "creation_handoff.h"
#include "fork_handler.h"
#include "test_name.h"
#include "thread_slot.h"

namespace parkscope::agent {
namespace {

void AfterForkInChild() {
  ResetThreadSlotsAfterFork();
  ResetCreationHandoffsAfterFork();
  ResetTestNameAfterFork();
}

}  // namespace

void InstallForkHandler() {
  pthread_atfork(nullptr, nullptr, AfterForkInChild);
}

}  // namespace parkscope::agent
