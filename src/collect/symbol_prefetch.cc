#include "collect/symbol_prefetch.h"

#include <pthread.h>
#include <sched.h>

#include <set>

#include "proc/proc_files.h"
#include "proc/syscall_parser.h"
#include "proc/task_list.h"
#include "ptrace/cpu_yield.h"
#include "ptrace/helper_thread.h"

namespace parkscope {
namespace {

constexpr size_t kMapsMax = 64 << 20;
// Threads whose syscall pc is looked at: parked threads of one process
// mostly wait in the same module, so a few name it.
constexpr size_t kThreadsSampled = 8;

}  // namespace

SymbolPrefetch::SymbolPrefetch(Pid pid) : pid_(pid) {
  // Needs a CPU of its own: with one, loading would only delay the capture.
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0 || CPU_COUNT(&allowed) < 2) return;
  const int here = sched_getcpu();
  if (here < 0 || here >= CPU_SETSIZE || !CPU_ISSET(here, &allowed)) return;
  cpu_set_t only_here, elsewhere = allowed;
  CPU_ZERO(&only_here);
  CPU_SET(here, &only_here);
  CPU_CLR(here, &elsewhere);
  // The loader starts with every signal blocked: the capture's SIGCHLD stop
  // notices (ptrace/stop_notice.h) and the SIGINT/SIGTERM it holds until
  // every thread is released (ptrace/signal_guard.h) are the capture
  // thread's; delivered here, SIGINT would end the process mid-capture.
  thread_ = StartWithSignalsBlocked([this] {
    Load();
    done_.store(true, std::memory_order_release);
  });
  // Set from here rather than by the loader itself, so that Join, which
  // undoes it, always comes after.
  //
  // SCHED_IDLE, so a target thread woken on the loader's CPU to take its
  // stop preempts the loader at once (at normal priority the loader took
  // the second CPU of a 2-CPU machine from them: longest stop 0.3 -> 1.5-5
  // ms). And never on the capture thread's CPU: when the capture thread is
  // runnable but not waking (after a target thread preempted it), the
  // scheduler (EEVDF) may pick an idle-policy thread first and let it run a
  // whole slice, 0.7-2 ms measured with sched_switch tracing, while the
  // capture holds three threads stopped.
  pthread_setaffinity_np(thread_.native_handle(), sizeof elsewhere, &elsewhere);
  ApplyHelperPolicy(thread_.native_handle());
  caller_affinity_ = allowed;
  caller_pinned_ = sched_setaffinity(0, sizeof only_here, &only_here) == 0;
}

SymbolPrefetch::~SymbolPrefetch() { Join(); }

void SymbolPrefetch::Join() {
  if (caller_pinned_) sched_setaffinity(0, sizeof caller_affinity_, &caller_affinity_);
  caller_pinned_ = false;
  if (!thread_.joinable()) return;
  // The capture is over and nothing is held stopped: the loader may now
  // have every CPU, ours included, at the priority we work at (normal, or
  // SCHED_IDLE while we yield to the target, ptrace/cpu_yield.h). Left
  // SCHED_IDLE on a busy machine while we waited for it at normal priority,
  // it waited 3 to 22 s for a CPU.
  pthread_setaffinity_np(thread_.native_handle(), sizeof caller_affinity_, &caller_affinity_);
  ApplyWorkPolicy(thread_.native_handle());
  thread_.join();
}

// Here rather than in the constructor: reading the maps of a process with
// 1,000 thread stacks and listing its tasks took 2.5 ms, which the capture
// thread no longer waits for.
void SymbolPrefetch::Load() {
  auto maps_file = ReadProcFile(ProcPath(pid_, "maps"), kMapsMax);
  if (!maps_file.ok() || maps_file.text.empty()) return;  // gone, or a zombie leader
  std::vector<MapEntry> maps = ParseMaps(maps_file.text).entries;
  // A few tids only: listing all 1,000 tasks of a process costs 2 to 3 ms
  // of kernel time, and a listing stops once it has as many as asked (the
  // first the kernel lists, in the order threads were created).
  TaskList tasks = ListTasks(pid_, kThreadsSampled);
  std::vector<uint64_t> pcs;
  for (Tid tid : tasks.tids) {
    auto file = ReadProcFile(TaskPath(pid_, tid, "syscall"), 512);
    if (!file.ok()) continue;
    auto syscall = ParseSyscall(file.text);
    if (syscall && syscall->kind == SyscallState::Kind::kInSyscall) pcs.push_back(syscall->pc);
  }
  if (pcs.empty()) return;
  modules_key_ = ModulesKey(maps);
  std::string error;
  loaded_.session = ModuleSession::Create(pid_, pid_, maps, &error);
  if (!loaded_.session) return;
  loaded_.symbolizer = std::make_unique<Symbolizer>(*loaded_.session);
  std::set<uint64_t> distinct(pcs.begin(), pcs.end());
  // A syscall pc is the innermost frame's: an activation, looked up as is.
  for (uint64_t pc : distinct) loaded_.symbolizer->Symbolize(pc, true);
}

PrefetchedSymbols SymbolPrefetch::Finish(Tid memory_tid, const std::vector<MapEntry>& maps) {
  Join();
  if (!loaded_.session || memory_tid != pid_ || ModulesKey(maps) != modules_key_) return {};
  return std::move(loaded_);
}

}  // namespace parkscope
