// Synthetic snapshots for the report golden tests and the report unit tests.
// Each models one situation the reports must show well; the values are
// shaped like real captures (glibc 2.36 / libstdc++ 12 function names and
// paths) but are made up, so the goldens never change with the machine.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analyze/analyze.h"
#include "analyze/site.h"
#include "model/snapshot.h"

namespace parkscope::testing {

inline constexpr char kLibc[] = "/usr/lib/x86_64-linux-gnu/libc.so.6";
inline constexpr char kLibstdcxx[] = "/usr/lib/x86_64-linux-gnu/libstdc++.so.6";
inline constexpr char kAgent[] = "/usr/lib/parkscope/libparkscope_agent.so";

// A frame at module_base + module_offset; function_offset is pc minus the
// symbol's start.
inline Frame MakeFrame(std::string function, std::string file, int line,
                       std::string module, uint64_t module_base,
                       uint64_t module_offset, uint64_t function_offset,
                       bool inlined = false) {
  Frame f;
  f.pc = module_base + module_offset;
  f.function = function;
  f.symbol = inlined ? "" : function;
  f.function_offset = inlined ? 0 : function_offset;
  f.file = std::move(file);
  f.line = line;
  f.inlined = inlined;
  f.module = std::move(module);
  f.module_offset = module_offset;
  return f;
}

inline Frame Inlined(std::string function, std::string file, int line,
                     const Frame& host) {
  return MakeFrame(std::move(function), std::move(file), line, host.module,
                   host.pc - host.module_offset, host.module_offset, 0, true);
}

inline Frame Activation(Frame f) {
  f.is_activation = true;
  return f;
}

// --- fanout: 80 workers leaked on a channel nobody reads -------------------
// pid 1234 (fanout --leak): main joins the first worker; 80 workers park in
// Channel::Send (a cond wait annotated "chan send"), inlined into worker() at
// fetch.cc:88, created by gather() at fetch.cc:85; a running thread; an
// epoll loop in a stripped vendor library with no known duration; a thread
// whose capture failed; a sleeper whose duration comes from sched.
// Analyze it with FanoutFilter(): "^Channel::" makes the site the caller.
// Fewer workers keep the per-thread goldens (debug2, JSON) readable.
inline constexpr uint64_t kFanoutLibc = 0x7f3a12c00000;
inline constexpr uint64_t kFanoutStdcxx = 0x7f3a12e00000;
inline constexpr uint64_t kFanoutExe = 0x55d0c0a00000;
inline constexpr uint64_t kFanoutVendor = 0x7f3a13000000;
inline constexpr uint64_t kFanoutAgent = 0x7f3a13200000;
inline constexpr char kFanoutBin[] = "/opt/fanout/bin/fanout";
inline constexpr char kVendorLib[] = "/opt/vendor/lib/libevloop.so";

inline RuntimeFrameFilter FanoutFilter() {
  return *RuntimeFrameFilter::WithUserRegexes({"^Channel::"}, nullptr);
}

inline std::vector<Frame> ThreadTail(uint64_t libc, uint64_t stdcxx) {
  return {
      MakeFrame("execute_native_thread_routine", "", 0, kLibstdcxx, stdcxx,
                0xd94a3, 0x13),
      MakeFrame("start_thread", "./nptl/pthread_create.c", 442, kLibc, libc,
                0x911f5, 0x2e5),
      MakeFrame("clone3", "../sysdeps/unix/sysv/linux/x86_64/clone3.S", 81,
                kLibc, libc, 0x1118ec, 0x2c),
  };
}

inline std::vector<Frame> MainTail(uint64_t libc, const char* exe,
                                   uint64_t exe_base) {
  return {
      MakeFrame("__libc_start_call_main",
                "../sysdeps/nptl/libc_start_call_main.h", 58, kLibc, libc,
                0x2724a, 0x7a),
      MakeFrame("__libc_start_main_impl", "../csu/libc-start.c", 360, kLibc,
                libc, 0x27305, 0x85),
      MakeFrame("_start", "", 0, exe, exe_base, 0x12a1, 0x21),
  };
}

inline ThreadSnapshot Parked(Tid tid, std::string name, WaitReason reason) {
  ThreadSnapshot t;
  t.tid = tid;
  t.name = std::move(name);
  t.state = 'S';
  t.wait.reason = reason;
  t.method = CaptureMethod::kPtraceStop;
  t.stopped_us = 25;
  return t;
}

inline void Append(std::vector<Frame>& frames, const std::vector<Frame>& more) {
  frames.insert(frames.end(), more.begin(), more.end());
}

inline ProcessSnapshot FanoutSnapshot(int workers = 80) {
  const uint64_t libc = kFanoutLibc, cxx = kFanoutStdcxx, exe = kFanoutExe;
  ProcessSnapshot s;
  s.pid = 1234;
  s.command = "fanout --leak";
  s.taken_at_unix_ns = 1760000000123456789;
  s.agent_present = true;
  s.capture = {12345, 2104, 45, 1320, 2, false, false};

  ThreadSnapshot main = Parked(1234, "fanout", WaitReason::kJoin);
  main.wait.object = 0x7f3a11bff990;
  main.wait.object_kind = "futex";
  main.wait.syscall_nr = 202;
  main.wait.blocked_ns = 590'000'000'000;
  main.wait.blocked_source = BlockedSource::kAgent;
  main.wait.owner_tid = 1240;
  main.frames = {
      Activation(MakeFrame("__futex_abstimed_wait_common",
                           "./nptl/futex-internal.c", 57, kLibc, libc, 0x8e117,
                           0x147)),
      MakeFrame("__pthread_clockjoin_ex", "./nptl/pthread_join_common.c", 105,
                kLibc, libc, 0x93cd3, 0xc3),
      MakeFrame("main", "/src/fanout/fanout.cc", 120, kFanoutBin, exe, 0x1c3e,
                0x8e),
  };
  Append(main.frames, MainTail(libc, kFanoutBin, exe));
  s.threads.push_back(main);

  Frame worker_fn = MakeFrame("worker(Channel&)", "/src/fanout/fetch.cc", 88,
                              kFanoutBin, exe, 0x152e, 0x4e);
  Frame cond_wait =
      MakeFrame("___pthread_cond_wait", "./nptl/pthread_cond_wait.c", 618,
                kLibc, libc, 0x90a09, 0x229);
  Frame run = MakeFrame(
      "std::thread::_State_impl<std::thread::_Invoker<std::tuple<void "
      "(*)(Channel&), std::reference_wrapper<Channel> > > >::_M_run()",
      "/usr/include/c++/12/bits/std_thread.h", 211, kFanoutBin, exe, 0x1f9b,
      0x1b);
  std::vector<Frame> worker_frames = {
      Activation(MakeFrame("__futex_abstimed_wait_common",
                           "./nptl/futex-internal.c", 57, kLibc, libc, 0x8e117,
                           0x147)),
      Inlined("__pthread_cond_wait_common", "./nptl/pthread_cond_wait.c", 503,
              cond_wait),
      cond_wait,
      MakeFrame("std::condition_variable::wait(std::unique_lock<std::mutex>&)",
                "", 0, kLibstdcxx, cxx, 0xd82d0, 0x10),
      Inlined("Channel::Send(int)", "/src/fanout/channel.h", 40, worker_fn),
      worker_fn,
      Inlined("std::__invoke_impl<void, void (*)(Channel&), "
              "std::reference_wrapper<Channel> >(std::__invoke_other, void "
              "(*&&)(Channel&), std::reference_wrapper<Channel>&&)",
              "/usr/include/c++/12/bits/invoke.h", 61, run),
      run,
  };
  Append(worker_frames, ThreadTail(libc, cxx));
  Frame gather = MakeFrame("gather()", "/src/fanout/fetch.cc", 85, kFanoutBin,
                           exe, 0x1891, 0x91);
  CreatedBy by_gather{
      1234,
      {
          MakeFrame("pthread_create", "", 0, kAgent, kFanoutAgent, 0xa10, 0x40),
          MakeFrame("std::thread::_M_start_thread(std::unique_"
                    "ptr<std::thread::_State, std::default_"
                    "delete<std::thread::_State> >, void (*)())",
                    "", 0, kLibstdcxx, cxx, 0xd9578, 0x28),
          Inlined("std::thread::thread<void (&)(Channel&), "
                  "std::reference_wrapper<Channel>, void>(void "
                  "(&)(Channel&), "
                  "std::reference_wrapper<Channel>&&)",
                  "/usr/include/c++/12/bits/std_thread.h", 143, gather),
          gather,
          MakeFrame("main", "/src/fanout/fanout.cc", 117, kFanoutBin, exe,
                    0x1c1a, 0x6a),
      }};
  for (int i = 0; i < workers; ++i) {
    ThreadSnapshot w = Parked(1240 + i, "worker", WaitReason::kCondWait);
    w.wait.annotation = "chan send";
    w.wait.object = 0x55d0c0a05128;
    w.wait.object_kind = "futex";
    w.wait.syscall_nr = 202;
    w.wait.blocked_ns = 580'000'000'000 - int64_t{i} * 350'000'000;
    w.wait.blocked_source = BlockedSource::kAgent;
    w.frames = worker_frames;
    w.created_by = by_gather;
    s.threads.push_back(w);
  }

  ThreadSnapshot metrics = Parked(1320, "metrics", WaitReason::kRunning);
  metrics.state = 'R';
  metrics.stopped_us = 45;
  metrics.frames = {
      Activation(MakeFrame(
          "Accumulate(std::vector<double, std::allocator<double> > const&)",
          "/src/fanout/metrics.cc", 57, kFanoutBin, exe, 0x2310, 0x30)),
      MakeFrame("MetricsLoop()", "/src/fanout/metrics.cc", 30, kFanoutBin, exe,
                0x23a8, 0x48),
  };
  Append(metrics.frames, ThreadTail(libc, cxx));
  s.threads.push_back(metrics);

  ThreadSnapshot poller = Parked(1321, "poller", WaitReason::kEpollWait);
  poller.wait.object = 5;
  poller.wait.object_kind = "fd";
  poller.wait.fd_kind = "eventpoll";
  poller.wait.syscall_nr = 232;
  poller.frames = {
      Activation(MakeFrame("epoll_wait@@GLIBC_2.3.2",
                           "../sysdeps/unix/sysv/linux/epoll_wait.c", 30, kLibc,
                           libc, 0x112f46, 0x56)),
      MakeFrame("", "", 0, kVendorLib, kFanoutVendor, 0x1a2b0, 0),
      MakeFrame("", "", 0, kVendorLib, kFanoutVendor, 0x19f7c, 0),
  };
  poller.stack_note = "unwind stopped: no CFI for libevloop.so+0x19f7c";
  s.threads.push_back(poller);

  ThreadSnapshot loader = Parked(1322, "loader", WaitReason::kIoWait);
  loader.wait.object = 7;
  loader.wait.object_kind = "fd";
  loader.wait.fd_kind = "pipe";
  loader.wait.syscall_nr = 0;
  loader.wait.blocked_ns = 3'204'000'000;
  loader.wait.blocked_source = BlockedSource::kSched;
  loader.method = CaptureMethod::kNone;
  loader.stopped_us = 0;
  loader.capture_error =
      "PTRACE_SEIZE: Operation not permitted (thread changed credentials?)";
  s.threads.push_back(loader);

  Frame flush =
      MakeFrame("Flusher::Run() [clone .isra.0]", "/src/fanout/flusher.cc", 22,
                kFanoutBin, exe, 0x2a57, 0x37);
  ThreadSnapshot flusher = Parked(1323, "flusher", WaitReason::kSleep);
  flusher.wait.syscall_nr = 230;
  flusher.wait.blocked_ns = 12'345'000'000;
  flusher.wait.blocked_source = BlockedSource::kSched;
  flusher.frames = {
      Activation(MakeFrame("__GI___clock_nanosleep",
                           "../sysdeps/unix/sysv/linux/clock_nanosleep.c", 78,
                           kLibc, libc, 0xe5b15, 0x95)),
      MakeFrame("__GI___nanosleep", "../sysdeps/unix/sysv/linux/nanosleep.c",
                25, kLibc, libc, 0xea4e3, 0x13),
      Inlined("std::this_thread::sleep_for<long, std::ratio<1l, 1l> "
              ">(std::chrono::duration<long, std::ratio<1l, 1l> > const&)",
              "/usr/include/c++/12/bits/this_thread_sleep.h", 80, flush),
      flush,
  };
  Append(flusher.frames, ThreadTail(libc, cxx));
  flusher.created_by = CreatedBy{
      1234,
      {MakeFrame("pthread_create", "", 0, kAgent, kFanoutAgent, 0xa10, 0x40),
       MakeFrame("Flusher::Start()", "/src/fanout/flusher.cc", 12, kFanoutBin,
                 exe, 0x2b10, 0x30),
       MakeFrame("main", "/src/fanout/fanout.cc", 110, kFanoutBin, exe, 0x1bd0,
                 0x20)}};
  s.threads.push_back(flusher);
  // Same pid namespace as the collector: ns_tid equals tid and reports
  // print only one number. (DeepSnapshot leaves it unknown.)
  for (ThreadSnapshot& t : s.threads) t.ns_tid = t.tid;
  return s;
}

// --- deadlock: AB/BA over two mutexes, owners known ------------------------
// pid 4000: locker-a holds A and waits for B (held by locker-b), locker-b
// holds B and waits for A; main joins locker-a; "waiter" waits for A (a
// chain into the cycle, not in it); two "pool" threads wait at the same line
// for different owners. Captured with --consistent.
inline constexpr uint64_t kDeadlockLibc = 0x7f00dd400000;
inline constexpr uint64_t kDeadlockExe = 0x5612a0e00000;
inline constexpr char kDeadlockBin[] = "/opt/fixtures/deadlock_fixture";

inline std::vector<Frame> MutexWaitFrames(std::string function, int line,
                                          uint64_t offset) {
  const uint64_t libc = kDeadlockLibc;
  Frame lock = MakeFrame("___pthread_mutex_lock", "./nptl/pthread_mutex_lock.c",
                         93, kLibc, libc, 0xa0482, 0x42);
  Frame user = MakeFrame(std::move(function), "/src/fixtures/deadlock.cc", line,
                         kDeadlockBin, kDeadlockExe, offset, 0x53);
  std::vector<Frame> frames = {
      Activation(MakeFrame("__GI___lll_lock_wait", "./nptl/lowlevellock.c", 49,
                           kLibc, libc, 0x9a12b, 0x2b)),
      Inlined("lll_mutex_lock_optimized", "./nptl/pthread_mutex_lock.c", 48,
              lock),
      lock,
      Inlined("__gthread_mutex_lock(pthread_mutex_t*)",
              "/usr/include/x86_64-linux-gnu/c++/12/bits/gthr-default.h", 749,
              user),
      Inlined("std::mutex::lock()", "/usr/include/c++/12/bits/std_mutex.h", 100,
              user),
      Inlined("std::lock_guard<std::mutex>::lock_guard(std::mutex&)",
              "/usr/include/c++/12/bits/std_mutex.h", 229, user),
      user,
      MakeFrame("start_thread", "./nptl/pthread_create.c", 442, kLibc, libc,
                0x911f5, 0x2e5),
      MakeFrame("clone3", "../sysdeps/unix/sysv/linux/x86_64/clone3.S", 81,
                kLibc, libc, 0x1118ec, 0x2c),
  };
  return frames;
}

inline ThreadSnapshot MutexWaiter(Tid tid, std::string name, Tid owner,
                                  uint64_t mutex, int64_t blocked_ns,
                                  std::string function, int line,
                                  uint64_t offset) {
  ThreadSnapshot t = Parked(tid, std::move(name), WaitReason::kMutexLock);
  t.wait.object = mutex;
  t.wait.object_kind = "futex";
  t.wait.syscall_nr = 202;
  t.wait.blocked_ns = blocked_ns;
  t.wait.blocked_source = BlockedSource::kAgent;
  t.wait.owner_tid = owner;
  t.stopped_us = 2900;
  t.frames = MutexWaitFrames(std::move(function), line, offset);
  t.created_by = CreatedBy{
      4000,
      {MakeFrame("pthread_create", "", 0, kAgent, 0x7f00dd800000, 0xa10, 0x40),
       MakeFrame("main", "/src/fixtures/deadlock.cc", 55, kDeadlockBin,
                 kDeadlockExe, 0x2480, 0x90)}};
  return t;
}

inline ProcessSnapshot DeadlockSnapshot() {
  const uint64_t mutex_a = 0x5612a0e05040, mutex_b = 0x5612a0e05080;
  ProcessSnapshot s;
  s.pid = 4000;
  s.command = "deadlock_fixture --ab-ba";
  s.taken_at_unix_ns = 1760000100000000000;
  s.agent_present = true;
  s.capture = {3100, 14500, 2900, 4001, 1, true, true};

  ThreadSnapshot main = Parked(4000, "deadlock_fixtur", WaitReason::kJoin);
  main.wait.syscall_nr = 202;
  main.wait.blocked_ns = 5'200'000'000;
  main.wait.blocked_source = BlockedSource::kAgent;
  main.wait.owner_tid = 4001;
  main.stopped_us = 2900;
  main.frames = {
      Activation(MakeFrame("__futex_abstimed_wait_common",
                           "./nptl/futex-internal.c", 57, kLibc, kDeadlockLibc,
                           0x8e117, 0x147)),
      MakeFrame("__pthread_clockjoin_ex", "./nptl/pthread_join_common.c", 105,
                kLibc, kDeadlockLibc, 0x93cd3, 0xc3),
      MakeFrame("main", "/src/fixtures/deadlock.cc", 60, kDeadlockBin,
                kDeadlockExe, 0x24f0, 0x100),
  };
  Append(main.frames, MainTail(kDeadlockLibc, kDeadlockBin, kDeadlockExe));
  // Deliberately out of tid order: GroupAndSort sorts.
  s.threads.push_back(MutexWaiter(4002, "locker-b", 4001, mutex_a,
                                  5'100'000'000, "LockBThenA(void*)", 41,
                                  0x2333));
  s.threads.push_back(main);
  s.threads.push_back(MutexWaiter(4001, "locker-a", 4002, mutex_b,
                                  5'100'000'000, "LockAThenB(void*)", 30,
                                  0x22b3));
  s.threads.push_back(MutexWaiter(4003, "waiter", 4001, mutex_a, 4'000'000'000,
                                  "WaitForA(void*)", 50, 0x23b3));
  s.threads.push_back(MutexWaiter(4005, "pool", 4001, mutex_a, 1'500'000'000,
                                  "PoolTask(void*)", 70, 0x2433));
  s.threads.push_back(MutexWaiter(4006, "pool", 4002, mutex_b, 2'500'000'000,
                                  "PoolTask(void*)", 70, 0x2433));
  // A container's process: the target numbers its threads 1, 2, ... in its
  // own pid namespace (4000 is its pid 1), so reports show both numbers.
  for (ThreadSnapshot& t : s.threads) t.ns_tid = t.tid - 3999;
  return s;
}

// --- deep: a recursion deeper than 100 frames, and a zombie ----------------
// pid 777: one thread parked on a semaphore under 130 frames of Recurse(int)
// for 75 s (Go prints "1 minutes"), durations from sched; a zombie thread
// with no stack. No agent.
inline ProcessSnapshot DeepSnapshot() {
  const uint64_t libc = 0x7fb000000000, exe = 0x563000000000;
  const char* bin = "/opt/fixtures/recurse";
  ProcessSnapshot s;
  s.pid = 777;
  s.command = "recurse 130";
  s.taken_at_unix_ns = 1760000200000000000;
  s.capture = {900, 60, 60, 777, 1, true, false};

  ThreadSnapshot t = Parked(777, "recurse", WaitReason::kSemWait);
  t.wait.object = 0x563000004010;
  t.wait.object_kind = "futex";
  t.wait.syscall_nr = 202;
  t.wait.blocked_ns = 75'000'000'000;
  t.wait.blocked_source = BlockedSource::kSched;
  t.stopped_us = 60;
  t.frames = {
      Activation(MakeFrame("__futex_abstimed_wait_common",
                           "./nptl/futex-internal.c", 57, kLibc, libc, 0x8e117,
                           0x147)),
      MakeFrame("__new_sem_wait_slow64", "./nptl/sem_waitcommon.c", 293, kLibc,
                libc, 0x9c5e2, 0xa2),
      MakeFrame("Recurse(int)", "/src/fixtures/recurse.cc", 9, bin, exe, 0x1150,
                0x20),
  };
  for (int i = 0; i < 129; ++i) {
    t.frames.push_back(MakeFrame("Recurse(int)", "/src/fixtures/recurse.cc", 12,
                                 bin, exe, 0x1171, 0x41));
  }
  t.frames.push_back(MakeFrame("main", "/src/fixtures/recurse.cc", 20, bin, exe,
                               0x11c0, 0x30));
  Append(t.frames, MainTail(libc, bin, exe));
  s.threads.push_back(t);

  ThreadSnapshot zombie;
  zombie.tid = 778;
  zombie.name = "exited";
  zombie.state = 'Z';
  zombie.wait.reason = WaitReason::kZombie;
  zombie.method = CaptureMethod::kNoStop;
  zombie.stack_note = "zombie: no user stack";
  s.threads.push_back(zombie);
  return s;
}

// The snapshots as the golden test analyzes them.
inline ProcessSnapshot Analyzed(ProcessSnapshot s,
                                const RuntimeFrameFilter& filter) {
  Analyze(s, filter);
  return s;
}

}  // namespace parkscope::testing
