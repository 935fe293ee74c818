// parkscope: where every thread of a process is parked, and for how long.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/dump_command.h"
#include "cli/exit_codes.h"
#include "cli/record_command.h"
#include "cli/run_command.h"
#include "cli/watch_command.h"

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
