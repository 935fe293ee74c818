// The snapshot of one process: every thread, what it is parked on, its stack,
// and the groups and deadlocks derived from them. Every other stage reads or
// fills these types; they depend on nothing but the standard library.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/wait_reason.h"

namespace parkscope {

using Pid = int;
using Tid = int;

// Where a thread's blocked duration came from. Reports print it so a reader
// knows how far to trust the number.
enum class BlockedSource {
  kUnknown,  // no source could tell; blocked_ns is empty
  kSched,    // /proc/PID/task/TID/sched se.exec_start: time since it last ran
  kAgent,    // the preload agent's own record: exact start of the wait
  kObserved  // the watch daemon saw it parked since an earlier sample
};
const char* BlockedSourceName(BlockedSource source);

struct WaitState {
  WaitReason reason = WaitReason::kUnknown;
  // A user-chosen reason from the annotation API ("chan send"); when set it
  // replaces the reason's name in reports.
  std::string annotation;
  // The function that called parkscope_wait_begin (the wrapper, e.g. a
  // channel's send); the wait site is its caller.
  std::string annotation_function;
  // The futex word, file descriptor, or other thing waited on.
  std::optional<uint64_t> object;
  // What object is: "futex", "fd", "pid", "mqd".
  std::string object_kind;
  // For io waits: socket, pipe, file, eventfd, ... from /proc/PID/fd.
  std::string fd_kind;
  // The syscall the thread sits in, -1 when not in a syscall.
  int syscall_nr = -1;
  std::optional<int64_t> blocked_ns;
  BlockedSource blocked_source = BlockedSource::kUnknown;
  // The thread that holds the lock (mutex) or that is waited for (join).
  std::optional<Tid> owner_tid;

  // The reason as printed: the annotation when present, else the name.
  std::string Label() const;
};

// One logical frame. Inlined calls are frames of their own that share the pc
// of the physical frame they were inlined into (like gdb).
struct Frame {
  uint64_t pc = 0;             // raw pc or return address, as unwound
  bool is_activation = false;  // pc is exact (innermost or signal frame)
  std::string function;        // demangled, without version or clone noise
  std::string symbol;          // the raw symbol name, empty when unknown
  uint64_t function_offset = 0;  // pc minus the symbol's start
  std::string file;
  int line = 0;
  bool inlined = false;
  std::string module;           // file name of the module, or "" if none
  uint64_t module_offset = 0;   // pc relative to the module's load bias
  bool is_runtime = false;      // libc, libstdc++, ld.so, agent, system headers
};

// Where a group of threads is parked: the innermost frame that is not runtime.
struct WaitSite {
  std::string function;
  std::string file;
  int line = 0;
  bool operator==(const WaitSite&) const = default;
};

enum class CaptureMethod {
  kNone,       // no stack: the thread could not be captured
  kPtraceStop, // stopped briefly, registers and stack copied, resumed
  kNoStop      // never stopped: sp/pc from /proc/PID/task/TID/syscall
};
const char* CaptureMethodName(CaptureMethod method);

struct CreatedBy {
  Tid tid = 0;
  std::vector<Frame> frames;
  // The test running when the thread was created (parkscope_test_begin),
  // "" outside tests.
  std::string test_name;
  int64_t created_ns = 0;  // CLOCK_MONOTONIC, 0 when unknown
};

struct ThreadSnapshot {
  Tid tid = 0;  // as parkscope sees it (its own pid namespace)
  // The same thread's id in the target's own pid namespace (a container's
  // view: what its logs, its gettid() and its futex owner words say);
  // equal to tid outside containers, nullopt when NSpid could not be read.
  std::optional<Tid> ns_tid;
  std::string name;
  char state = '?';  // the letter from /proc/PID/task/TID/stat
  WaitState wait;
  std::vector<Frame> frames;  // innermost first
  // Index into frames of the wait site, -1 when every frame is runtime.
  int site_frame = -1;
  CaptureMethod method = CaptureMethod::kNone;
  // Why the stack is missing or partial; empty when complete.
  std::string stack_note;
  // Why this thread could not be captured; empty on success.
  std::string capture_error;
  uint64_t stopped_us = 0;  // how long this thread was kept stopped
  std::optional<CreatedBy> created_by;

  WaitSite Site() const;
};

struct StackGroup {
  std::string reason;  // WaitState::Label() of its threads
  WaitSite site;
  std::vector<Tid> tids;  // ascending
  std::optional<int64_t> max_blocked_ns;
  std::optional<int64_t> min_blocked_ns;
  size_t representative = 0;  // index into ProcessSnapshot::threads
  bool in_deadlock = false;
};

struct Deadlock {
  std::vector<Tid> tids;  // the cycle, each waiting for the next
};

struct CaptureStats {
  uint64_t wall_us = 0;
  uint64_t threads_stopped_total_us = 0;
  uint64_t longest_stop_us = 0;
  Tid longest_stop_tid = 0;
  int passes = 0;  // task list scans until no new thread appeared
  bool complete = false;
  bool consistent = false;  // every thread frozen at once (--consistent)
};

struct ProcessSnapshot {
  Pid pid = 0;
  std::string command;
  int64_t taken_at_unix_ns = 0;
  std::vector<ThreadSnapshot> threads;  // ascending tid
  std::vector<StackGroup> groups;       // deadlocked first, then longest blocked
  std::vector<Deadlock> deadlocks;
  CaptureStats capture;
  bool agent_present = false;

  const ThreadSnapshot* FindThread(Tid tid) const;
  size_t ParkedCount() const;
};

}  // namespace parkscope
