// What libparkscope_agent.so costs the program it is preloaded into.
//
// The binary does not link the agent: bench/run_agent_bench.sh runs it with
// and without LD_PRELOAD and compares. Each benchmark stands for a path the
// agent intercepts:
//   UncontendedMutex      pthread_mutex_lock hook fast path (trylock wins)
//   MutexHandoff          lock hook slow path: record + futex wait/wake
//   CondVarPingPong       pthread_cond_wait hook, always recorded
//   FutureSetGet          syscall(SYS_futex) hook via libstdc++.so
//   SemaphorePostWait     syscall(SYS_futex) hook via inlined __platform_wait
//   PipeWriteRead         write/read hooks, recorded on every call (coarse)
//   ThreadCreateJoin      pthread_create hook: creation stack + slot claim
//
// glibc skips the lock atomics while a process has one thread
// (capture-facts §2: 3.6-4.0 ns instead of about 11 ns per pair), which
// would make the no-agent baseline unrealistically cheap; an idle thread is
// kept alive for the whole run.
#include <benchmark/benchmark.h>
#include <sched.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <semaphore>
#include <thread>

namespace {

class IdleThread {
 public:
  IdleThread() : thread_([this] { stop_.wait(false); }) {}
  ~IdleThread() {
    stop_.store(true);
    stop_.notify_all();
    thread_.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

IdleThread& KeepProcessMultiThreaded() {
  static IdleThread idle;
  return idle;
}

void UncontendedMutex(benchmark::State& state) {
  KeepProcessMultiThreaded();
  std::mutex mutex;
  for (auto _ : state) {
    mutex.lock();
    mutex.unlock();
  }
}
BENCHMARK(UncontendedMutex);

// A contended lock hand-off between two threads: main holds the mutex, the
// partner blocks in lock() (the hook's slow path: trylock fails, record,
// futex wait), main unlocks (futex wake), the partner acquires and
// releases. Threads take turns with sched_yield, so on the one CPU the
// script pins the benchmark to every iteration is the same sequence.
//
// "Is the partner blocked yet?" reads glibc's lock word, __data.__lock at
// offset 0 of pthread_mutex_t: 2 means locked with waiters (capture-facts
// §6). Rejected: a free-running two-thread lock/unlock loop. It measures
// contention dynamics, not the hook: the agent's extra ~30 ns before the
// futex wait changed how often the threads convoyed, and the "agent" side
// came out anywhere from 1.05x slower to 3x faster.
void MutexHandoff(benchmark::State& state) {
  std::mutex mutex;
  const int* lock_word = reinterpret_cast<const int*>(mutex.native_handle());
  std::atomic<int64_t> requested{0};
  std::atomic<int64_t> acquired{0};
  constexpr int64_t kStop = -1;
  std::thread partner([&] {
    int64_t seen = 0;
    for (;;) {
      int64_t request;
      while ((request = requested.load()) == seen) sched_yield();
      if (request == kStop) return;
      seen = request;
      mutex.lock();
      mutex.unlock();
      acquired.store(seen);
    }
  });
  int64_t round = 0;
  for (auto _ : state) {
    mutex.lock();
    requested.store(++round);
    while (__atomic_load_n(lock_word, __ATOMIC_RELAXED) != 2) sched_yield();
    mutex.unlock();
    while (acquired.load() != round) sched_yield();
  }
  requested.store(kStop);
  partner.join();
}
BENCHMARK(MutexHandoff)->UseRealTime();

// One round trip: main hands the turn to the partner and waits to get it
// back; every wait is a pthread_cond_wait.
void CondVarPingPong(benchmark::State& state) {
  std::mutex mutex;
  std::condition_variable cv;
  int turn = 0;  // 0: main's, 1: partner's, 2: stop
  std::thread partner([&] {
    std::unique_lock lock(mutex);
    for (;;) {
      cv.wait(lock, [&] { return turn != 0; });
      if (turn == 2) return;
      turn = 0;
      cv.notify_one();
    }
  });
  for (auto _ : state) {
    std::unique_lock lock(mutex);
    turn = 1;
    cv.notify_one();
    cv.wait(lock, [&] { return turn == 0; });
  }
  {
    std::lock_guard hold(mutex);
    turn = 2;
  }
  cv.notify_one();
  partner.join();
}
BENCHMARK(CondVarPingPong)->UseRealTime();

// One promise per iteration, fulfilled by a partner thread while main blocks
// in future::get. The promise travels through an atomic (wait/notify).
void FutureSetGet(benchmark::State& state) {
  std::atomic<std::promise<int>*> pending{nullptr};
  std::atomic<bool> stop{false};
  std::thread partner([&] {
    for (;;) {
      pending.wait(nullptr);
      std::promise<int>* promise = pending.exchange(nullptr);
      if (stop.load()) return;
      promise->set_value(1);
    }
  });
  for (auto _ : state) {
    std::promise<int> promise;
    std::future<int> future = promise.get_future();
    pending.store(&promise);
    pending.notify_one();
    benchmark::DoNotOptimize(future.get());
  }
  static std::promise<int> sentinel;
  stop.store(true);
  pending.store(&sentinel);
  pending.notify_one();
  partner.join();
}
BENCHMARK(FutureSetGet)->UseRealTime();

// Round trip through two semaphores.
void SemaphorePostWait(benchmark::State& state) {
  std::counting_semaphore<1> to_partner(0);
  std::counting_semaphore<1> to_main(0);
  std::atomic<bool> stop{false};
  std::thread partner([&] {
    for (;;) {
      to_partner.acquire();
      if (stop.load()) return;
      to_main.release();
    }
  });
  for (auto _ : state) {
    to_partner.release();
    to_main.acquire();
  }
  stop.store(true);
  to_partner.release();
  partner.join();
}
BENCHMARK(SemaphorePostWait)->UseRealTime();

// A byte through a pipe in the same thread: both calls are recorded on every
// call with the coarse clock, and neither blocks.
void PipeWriteRead(benchmark::State& state) {
  int fds[2];
  if (pipe(fds) != 0) {
    state.SkipWithError("pipe failed");
    return;
  }
  char byte = 'x';
  for (auto _ : state) {
    benchmark::DoNotOptimize(write(fds[1], &byte, 1));
    benchmark::DoNotOptimize(read(fds[0], &byte, 1));
  }
  close(fds[0]);
  close(fds[1]);
}
BENCHMARK(PipeWriteRead);

void ThreadCreateJoin(benchmark::State& state) {
  for (auto _ : state) {
    std::thread thread([] {});
    thread.join();
  }
}
BENCHMARK(ThreadCreateJoin)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
