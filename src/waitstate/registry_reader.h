// Finds the preload agent in a target and copies its registry out with
// process_vm_readv: the target is not stopped and nothing is written.
// The agent is found by its exported symbol `parkscope_registry`, looked up
// in the .dynsym of the agent's own mapped file (opened through
// /proc/PID/map_files), so no file, socket or shared memory is involved.
#pragma once

#include <vector>

#include "model/snapshot.h"
#include "proc/maps_parser.h"
#include "waitstate/agent_record.h"

namespace parkscope {

// registry.found is false when no agent is mapped. memory_tid: a live thread.
AgentRegistry ReadAgentRegistry(Pid pid, Tid memory_tid, const std::vector<MapEntry>& maps);

}  // namespace parkscope
