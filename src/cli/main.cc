// parkscope: where every thread of a process is parked, and for how long.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <string_view>

#include "cli/dump_command.h"
#include "cli/exit_codes.h"
#include "cli/record_command.h"
#include "cli/run_command.h"
#include "cli/watch_command.h"
#include "ptrace/cpu_yield.h"

namespace {

// dump gives the CPU to its target (ptrace/cpu_yield.h) from before main to
// its exit, not only while it takes the snapshot: the start-up (about 1.3
// ms here) and the report of 1,000 threads take milliseconds too, and so
// does the kernel's teardown of our memory at exit. A heartbeat thread in
// the target saw a median longest gap of 1.5 ms with the yield starting at
// main, and 1.15 ms with the whole process under `chrt -i 0`, from exec on
// (idle: 1.0 ms). A constructor is the earliest point of our own: glibc
// passes it argc and argv.
//
// It ends in an exit handler, which runs before those registered earlier:
// what comes after is the kernel's teardown (20 to 60 us for 1,000 threads)
// and, in sanitizer builds, LeakSanitizer's check, which stops every thread
// of ours with ptrace, the starvation watchdog too, from a task that
// inherited SCHED_IDLE: beside two spinning threads per CPU that took 2.8
// and 5.0 s in CI with nothing left to return it to normal priority.
parkscope::CpuYieldScope* dump_yields = nullptr;

void EndYield() {
  delete dump_yields;
  dump_yields = nullptr;
}

__attribute__((constructor(101))) void YieldIfDumping(int argc, char** argv, char**) {
  if (argc > 1 && std::string_view(argv[1]) == "dump") {
    dump_yields = new parkscope::CpuYieldScope;
    std::atexit(EndYield);
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"parkscope: show where every thread of a process is parked"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "parkscope 0.1.0");
  std::vector<std::function<int()>> commands;
  commands.push_back(parkscope::AddDumpCommand(app));
  commands.push_back(parkscope::AddRunCommand(app));
  commands.push_back(parkscope::AddWatchCommand(app));
  commands.push_back(parkscope::AddRecordCommand(app));
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // One line: what is wrong and where to look.
    std::cerr << "parkscope: " << e.what() << " (see parkscope --help)\n";
    return parkscope::kExitUsage;
  }
  for (auto& command : commands) {
    int code = command();
    if (code >= 0) return code;
  }
  return parkscope::kExitUsage;
}
