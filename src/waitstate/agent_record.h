// One thread's record from the preload agent's registry, after validation:
// every field here has been bounds-checked, nothing points into the target.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/snapshot.h"

namespace parkscope {

struct AgentRecord {
  Tid tid = 0;
  bool parked = false;
  std::optional<WaitReason> reason;  // set when parked; nullopt = annotated
  std::string annotation;            // the user's reason when annotated
  uint64_t annotation_site = 0;      // return address into the annotating code
  uint64_t object = 0;
  int64_t since_ns = 0;    // CLOCK_MONOTONIC start of the wait
  Tid creator_tid = 0;     // 0: not created through the agent
  int64_t created_ns = 0;
  std::vector<uint64_t> creation_pcs;  // return addresses, innermost first
  uint64_t pthread_self = 0;
  std::string test_name;
};

struct AgentRegistry {
  bool found = false;        // the agent is loaded in the target
  std::string problem;       // why the registry was rejected or partly read
  int64_t agent_start_ns = 0;
  int64_t read_at_ns = 0;    // our CLOCK_MONOTONIC when the slots were read
  size_t torn_slots = 0;     // slots that kept changing while read
  std::vector<AgentRecord> records;
};

}  // namespace parkscope
