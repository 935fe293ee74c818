// libparkscope_test_interposer.so: see test_interposer.h. It behaves like
// the interposers real programs preload (profilers, lock tracers, fault
// injectors): each hook finds the next definition with dlsym(RTLD_NEXT)
// on first use, counts, and forwards arguments, return value and errno
// untouched. It resolves everything in its constructor as well, so the
// lazy path runs only if a hook is reached before that.
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "test_interposer.h"

#define EXPORT extern "C" __attribute__((visibility("default")))

namespace {

parkscope_test_interposer_counts g_counts;
__thread bool tls_counting __attribute__((tls_model("initial-exec")));

void Add(uint64_t& counter, uint64_t amount = 1) {
  if (tls_counting) __atomic_fetch_add(&counter, amount, __ATOMIC_RELAXED);
}

template <typename Fn>
Fn Next(Fn& cache, const char* name) {
  Fn fn = __atomic_load_n(&cache, __ATOMIC_ACQUIRE);
  if (fn == nullptr) {
    fn = reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
    __atomic_store_n(&cache, fn, __ATOMIC_RELEASE);
  }
  return fn;
}

decltype(&pthread_mutex_lock) next_mutex_lock;
decltype(&pthread_mutex_trylock) next_mutex_trylock;
decltype(&pthread_cond_wait) next_cond_wait;
decltype(&pthread_cond_timedwait) next_cond_timedwait;
decltype(&nanosleep) next_nanosleep;
decltype(&read) next_read;
decltype(&pthread_create) next_pthread_create;

__attribute__((constructor)) void ResolveAll() {
  Next(next_mutex_lock, "pthread_mutex_lock");
  Next(next_mutex_trylock, "pthread_mutex_trylock");
  Next(next_cond_wait, "pthread_cond_wait");
  Next(next_cond_timedwait, "pthread_cond_timedwait");
  Next(next_nanosleep, "nanosleep");
  Next(next_read, "read");
  Next(next_pthread_create, "pthread_create");
}

}  // namespace

EXPORT void parkscope_test_interposer_count_me() { tls_counting = true; }

EXPORT parkscope_test_interposer_counts parkscope_test_interposer_snapshot() {
  parkscope_test_interposer_counts copy;
  const auto* from = reinterpret_cast<const uint64_t*>(&g_counts);
  auto* to = reinterpret_cast<uint64_t*>(&copy);
  for (size_t i = 0; i < sizeof(copy) / sizeof(uint64_t); ++i)
    to[i] = __atomic_load_n(&from[i], __ATOMIC_RELAXED);
  return copy;
}

EXPORT int pthread_mutex_lock(pthread_mutex_t* mutex) noexcept {
  Add(g_counts.mutex_lock_calls);
  const int result = Next(next_mutex_lock, "pthread_mutex_lock")(mutex);
  if (result == 0) Add(g_counts.mutex_acquisitions);
  return result;
}

EXPORT int pthread_mutex_trylock(pthread_mutex_t* mutex) noexcept {
  const int result = Next(next_mutex_trylock, "pthread_mutex_trylock")(mutex);
  if (result == 0) Add(g_counts.mutex_acquisitions);
  return result;
}

EXPORT int pthread_cond_wait(pthread_cond_t* cond, pthread_mutex_t* mutex) {
  Add(g_counts.cond_wait_calls);
  return Next(next_cond_wait, "pthread_cond_wait")(cond, mutex);
}

EXPORT int pthread_cond_timedwait(pthread_cond_t* cond, pthread_mutex_t* mutex,
                                  const struct timespec* abstime) {
  Add(g_counts.cond_timedwait_calls);
  const int result = Next(next_cond_timedwait, "pthread_cond_timedwait")(cond, mutex, abstime);
  if (result == ETIMEDOUT) Add(g_counts.cond_timedwait_timeouts);
  return result;
}

EXPORT int nanosleep(const struct timespec* duration, struct timespec* remaining) {
  Add(g_counts.nanosleep_calls);
  return Next(next_nanosleep, "nanosleep")(duration, remaining);
}

EXPORT ssize_t read(int fd, void* buffer, size_t size) {
  Add(g_counts.read_calls);
  const ssize_t result = Next(next_read, "read")(fd, buffer, size);
  if (result > 0) Add(g_counts.read_bytes, static_cast<uint64_t>(result));
  return result;
}

EXPORT int pthread_create(pthread_t* thread, const pthread_attr_t* attr,
                          void* (*start_routine)(void*), void* arg) noexcept {
  Add(g_counts.pthread_create_calls);
  return Next(next_pthread_create, "pthread_create")(thread, attr, start_routine, arg);
}
