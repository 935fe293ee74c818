// What a dump of fixture_all_waits shows with the agent preloaded: one
// thread per hooked primitive, each with the agent's reason and object kind,
// its SITE line, a blocked duration inside the dump's window and a creation
// stack. Shared by the plain build's test (agent_test.cc) and the hostile
// builds and preload orders (hostile_agent_test.cc), so they hold every
// variant to the same list.
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace parkscope::e2e {

struct AllWaitsWant {
  const char* name;         // thread name, and SITE "aw-<name>"
  const char* reason;       // wait.reason
  const char* object_kind;  // wait.object_kind
};

// Every parked thread of all_waits (mq kinds included: the fixture skips
// only where POSIX message queues are missing, which fails the check).
const std::vector<AllWaitsWant>& AllWaitsWants();

// Blocked durations (seconds) a thread parked before READY may show.
struct BlockedWindow {
  double lo_s;
  double hi_s;
};

// Checks `snap`, a dump of all_waits (pid `pid`), against AllWaitsWants():
// reason, object kind, blocked_source "agent", SITE line, blocked duration
// within `window`, created by `pid` at SITE aw-create. `label` prefixes
// every failure message (the variant under test).
void ExpectAllWaitsFromAgent(const nlohmann::json& snap, pid_t pid, BlockedWindow window,
                             const std::string& label);

}  // namespace parkscope::e2e
