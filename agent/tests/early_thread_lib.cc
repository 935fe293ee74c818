// A library whose constructor locks a mutex and starts a thread. The ELF
// loader runs it before the preloaded agent's constructor (a preloaded
// library is initialised after the program's other dependencies), so the
// agent sees hooks and a pthread_create before its own initialisation:
// early_init_main.cc checks that it copes.
#include <pthread.h>
#include <unistd.h>

extern "C" {
__attribute__((visibility("default"))) pthread_t early_thread;
__attribute__((visibility("default"))) int early_pipe[2] = {-1, -1};
__attribute__((visibility("default"))) volatile pid_t early_thread_tid;
__attribute__((visibility("default"))) int early_constructor_status = -1;
}

namespace {

pthread_mutex_t early_mutex = PTHREAD_MUTEX_INITIALIZER;

void* EarlyThread(void*) {
  early_thread_tid = gettid();
  char byte;
  // Parks until main writes.
  return read(early_pipe[0], &byte, 1) == 1 ? nullptr : &early_mutex;
}

__attribute__((constructor)) void StartEarlyThread() {
  if (pthread_mutex_lock(&early_mutex) != 0) return;
  pthread_mutex_unlock(&early_mutex);
  if (pipe(early_pipe) != 0) return;
  early_constructor_status =
      pthread_create(&early_thread, nullptr, EarlyThread, nullptr);
}

}  // namespace
