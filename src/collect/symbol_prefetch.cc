#include "collect/symbol_prefetch.h"

#include <pthread.h>
#include <sched.h>

#include <set>

#include "proc/proc_files.h"
#include "proc/syscall_parser.h"
#include "proc/task_list.h"

namespace parkscope {
namespace {

constexpr size_t kMapsMax = 64 << 20;
// Threads whose syscall pc is looked at: parked threads of one process
// mostly wait in the same module, so a few name it.
constexpr size_t kThreadsSampled = 8;

}  // namespace

SymbolPrefetch::SymbolPrefetch(Pid pid) : pid_(pid) {
  auto maps_file = ReadProcFile(ProcPath(pid, "maps"), kMapsMax);
  if (!maps_file.ok() || maps_file.text.empty()) return;  // gone, or a zombie leader
  std::vector<MapEntry> maps = ParseMaps(maps_file.text).entries;
  TaskList tasks = ListTasks(pid);
  std::vector<uint64_t> pcs;
  for (size_t i = 0; i < tasks.tids.size() && i < kThreadsSampled; ++i) {
    auto file = ReadProcFile(TaskPath(pid, tasks.tids[i], "syscall"), 512);
    if (!file.ok()) continue;
    auto syscall = ParseSyscall(file.text);
    if (syscall && syscall->kind == SyscallState::Kind::kInSyscall) pcs.push_back(syscall->pc);
  }
  if (pcs.empty()) return;
  modules_key_ = ModulesKey(maps);
  thread_ = std::thread(&SymbolPrefetch::Load, this, std::move(maps), std::move(pcs));
}

SymbolPrefetch::~SymbolPrefetch() {
  if (thread_.joinable()) thread_.join();
}

void SymbolPrefetch::Load(std::vector<MapEntry> maps, std::vector<uint64_t> pcs) {
  // SCHED_IDLE: this thread runs only on a CPU nobody else wants. At normal
  // priority it took the second CPU of a 2-CPU machine from the threads being
  // stopped, and the longest stop grew from about 0.3 ms to 1.5 to 5 ms.
  sched_param idle{};
  pthread_setschedparam(pthread_self(), SCHED_IDLE, &idle);
  std::string error;
  loaded_.session = ModuleSession::Create(pid_, pid_, maps, &error);
  if (!loaded_.session) return;
  loaded_.symbolizer = std::make_unique<Symbolizer>(*loaded_.session);
  std::set<uint64_t> distinct(pcs.begin(), pcs.end());
  // A syscall pc is the innermost frame's: an activation, looked up as is.
  for (uint64_t pc : distinct) loaded_.symbolizer->Symbolize(pc, true);
}

PrefetchedSymbols SymbolPrefetch::Finish(Tid memory_tid, const std::vector<MapEntry>& maps) {
  if (thread_.joinable()) thread_.join();
  if (!loaded_.session || memory_tid != pid_ || ModulesKey(maps) != modules_key_) return {};
  return std::move(loaded_);
}

}  // namespace parkscope
