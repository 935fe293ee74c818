// Loads the debug information of the modules a process is parked in on a
// second thread while the capture runs, so a dump's cold DWARF load (libdw
// inflates every compressed debug section of a module when it opens it:
// about 90 ms for Debian's libc6-dbg, most of a 1,000-thread dump) overlaps
// the capture and the unwinding instead of following them.
//
// Which modules: those holding the pc of a few threads that /proc shows in
// a system call before the capture begins, which for a parked process is
// libc. Everything else stays lazy, loaded only if a stack touches it.
// Rejected: loading every mapped module up front (most never appear in a
// stack), and a pipeline that symbolizes each thread as it is copied
// (libdwfl is not thread-safe, so it would need one session per stage and
// would load the same DWARF twice).
//
// The session belongs to the loading thread until Finish returns it; the
// caller touches neither before. Meanwhile the two threads have CPUs of
// their own: the caller is pinned to the CPU it is on, the loader to the
// others, at idle priority (the constructor says why); Finish, or the
// destructor, gives the caller back its affinity and the loader every CPU
// at normal priority, so a loader starved on a busy machine catches up at
// once. On a single CPU nothing is prefetched.
#pragma once

#include <sched.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "model/snapshot.h"
#include "proc/maps_parser.h"
#include "symbolize/module_session.h"
#include "symbolize/symbolizer.h"

namespace parkscope {

struct PrefetchedSymbols {
  std::unique_ptr<ModuleSession> session;
  std::unique_ptr<Symbolizer> symbolizer;  // bound to session, cache warm
};

class SymbolPrefetch {
 public:
  // Starts the loading thread, which reads the maps and a few syscall lines
  // of pid, then loads.
  explicit SymbolPrefetch(Pid pid);
  ~SymbolPrefetch();  // joins the loading thread, unpins the caller
  SymbolPrefetch(const SymbolPrefetch&) = delete;
  SymbolPrefetch& operator=(const SymbolPrefetch&) = delete;

  // Waits for the loading thread. Returns the session and its symbolizer if
  // they describe the same modules as `maps` (the capture's) and were opened
  // through `memory_tid`'s process; otherwise empty (a module was loaded or
  // unloaded meanwhile, or the leader died): the caller makes its own.
  PrefetchedSymbols Finish(Tid memory_tid, const std::vector<MapEntry>& maps);
  // Whether Finish would return at once: the loading is over, or was
  // never started.
  bool Done() const { return !thread_.joinable() || done_.load(std::memory_order_acquire); }

 private:
  void Load();
  void Join();

  Pid pid_;
  std::string modules_key_;  // written by the loading thread, read after Join
  PrefetchedSymbols loaded_;
  std::atomic<bool> done_{false};
  std::thread thread_;
  cpu_set_t caller_affinity_{};
  bool caller_pinned_ = false;
};

}  // namespace parkscope
