// The target of bench/watch_bench.sh: N threads parked D frames deep (a
// condition variable nobody notifies), B busy workers doing fixed units of
// arithmetic as fast as they can, and a reporter parked in sigwait. `kill
// -USR1 <pid>` prints
//   UNITS <units done so far> <CLOCK_MONOTONIC ns>
// so the script measures throughput over any window without disturbing
// the workers. Built by the script (g++ -O2), not by CMake: it is a
// benchmark input, not a fixture the tests share.
// Flags: --threads N (1000) --depth D (25) --busy B (1). Prints
// READY <pid> once every parked thread is about to block.
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <latch>
#include <mutex>

namespace {

std::mutex mu;
std::condition_variable never;
std::latch* parked = nullptr;
std::atomic<uint64_t> units{0};

__attribute__((noinline)) void Park() {
  std::unique_lock lock(mu);
  parked->count_down();
  for (;;) never.wait(lock);
}

__attribute__((noinline)) int Descend(int depth) {
  if (depth <= 0) {
    Park();
  } else {
    Descend(depth - 1);
  }
  asm volatile("" ::: "memory");
  return depth;
}

void* Parked(void* depth) {
  pthread_setname_np(pthread_self(), "parked");
  Descend(static_cast<int>(reinterpret_cast<intptr_t>(depth)));
  return nullptr;
}

// One unit: 20,000 rounds of xorshift, about 20 us; the counter is touched
// once per unit so the measurement costs nothing.
__attribute__((noinline)) uint64_t Unit(uint64_t x) {
  for (int i = 0; i < 20000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
  }
  return x;
}

void* Busy(void*) {
  pthread_setname_np(pthread_self(), "busy");
  uint64_t x = 88172645463325252ull;
  for (;;) {
    x = Unit(x);
    units.fetch_add(1 + (x == 0), std::memory_order_relaxed);
  }
  return nullptr;
}

void* Reporter(void*) {
  pthread_setname_np(pthread_self(), "reporter");
  sigset_t usr1;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  for (;;) {
    int sig = 0;
    if (sigwait(&usr1, &sig) != 0) continue;
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    std::printf("UNITS %llu %lld\n", static_cast<unsigned long long>(units.load()),
                static_cast<long long>(now.tv_sec) * 1000000000 + now.tv_nsec);
    std::fflush(stdout);
  }
}

void Start(void* (*entry)(void*), void* arg) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_t t;
  if (pthread_create(&t, &attr, entry, arg) != 0) {
    std::fprintf(stderr, "pthread_create failed\n");
    std::exit(77);
  }
  pthread_attr_destroy(&attr);
}

}  // namespace

int main(int argc, char** argv) {
  long threads = 1000, depth = 25, busy = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    long v = std::atol(argv[i + 1]);
    if (!std::strcmp(argv[i], "--threads")) threads = v;
    if (!std::strcmp(argv[i], "--depth")) depth = v;
    if (!std::strcmp(argv[i], "--busy")) busy = v;
  }
  sigset_t usr1;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &usr1, nullptr);  // inherited: only sigwait takes it
  parked = new std::latch(threads);
  for (long i = 0; i < threads; ++i) Start(Parked, reinterpret_cast<void*>(intptr_t{depth}));
  parked->wait();
  Start(Reporter, nullptr);
  for (long i = 0; i < busy; ++i) Start(Busy, nullptr);
  std::printf("READY %d %ld\n", getpid(), threads);
  std::fflush(stdout);
  for (;;) pause();
}
