// What test mode fails a program for: threads still alive when it exits
// (leaks), and threads parked longer than a limit. Both read one analyzed
// snapshot; the settle policy that retries them lives with the caller.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "leakcheck/function_pattern.h"
#include "model/snapshot.h"

namespace parkscope {

// goleak's options, with its meanings.
struct IgnoreRules {
  std::vector<FunctionPattern> top;         // the thread's wait-site function
  std::vector<FunctionPattern> any;         // any frame of its stack
  std::vector<FunctionPattern> created_by;  // the creator's site function
  std::set<Tid> tids;                       // alive at the first check
  // --ignore-current also covers threads that existed before the agent
  // loaded (it saw no pthread_create for them).
  bool ignore_uncreated = false;

  bool Ignores(const ThreadSnapshot& thread) const;
};

// Leaked: alive, not the main thread, not the thread that is exiting, not
// ignored. Zombies (already exited, not yet reaped) are not leaks.
std::vector<const ThreadSnapshot*> FindLeaks(const ProcessSnapshot& snapshot, Tid exiting_tid,
                                             const IgnoreRules& rules);

// Parked (any wait reason) for longer than limit_ns, and not ignored.
std::vector<const ThreadSnapshot*> FindBlockedLongerThan(const ProcessSnapshot& snapshot,
                                                         int64_t limit_ns,
                                                         const IgnoreRules& rules);

// Threads created at the same place in the same test, for the report.
struct CreationGroup {
  std::string test_name;  // "" when not created during a tagged test
  WaitSite creation_site;  // the creator's innermost non-runtime frame
  std::vector<const ThreadSnapshot*> threads;  // ascending tid
};
std::vector<CreationGroup> GroupByCreation(const std::vector<const ThreadSnapshot*>& threads);

}  // namespace parkscope
