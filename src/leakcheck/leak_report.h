// The test-mode verdict as people and CI tools read it: leaked threads
// grouped by where (and in which test) they were created, each with its
// stack, wait reason and blocked duration; threads parked too long.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "leakcheck/leak_check.h"
#include "model/snapshot.h"

namespace parkscope {

struct LeakVerdict {
  std::string when;  // "at exit", "at check 5s"
  Tid exiting_tid = 0;
  int64_t settled_ns = 0;  // how long the settle policy waited
  std::vector<const ThreadSnapshot*> leaked;
  std::vector<const ThreadSnapshot*> blocked_too_long;
  int64_t blocked_limit_ns = 0;
  bool failed() const { return !leaked.empty() || !blocked_too_long.empty(); }
};

void WriteLeakReportText(const ProcessSnapshot& snapshot, const LeakVerdict& verdict,
                         std::ostream& out);

// {"schema": "parkscope.leakcheck/1", "when", "failed", "leaks": [{"test",
// "created_at": {function, file, line}, "count", "tids"}], "blocked_too_long":
// [tids], "blocked_limit_ns", "snapshot": <parkscope.snapshot/1>}
void WriteLeakReportJson(const ProcessSnapshot& snapshot, const LeakVerdict& verdict,
                         std::ostream& out);

}  // namespace parkscope
