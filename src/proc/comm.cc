#include "proc/comm.h"

#include <algorithm>

#include "proc/proc_files.h"

namespace parkscope {
namespace {

// TASK_COMM_LEN is 16; workqueue workers can show longer names in comm, and
// 64 covers them with room to spare.
constexpr size_t kMaxCommBytes = 64;
// Enough to recognise a command line; whole argument lists can be megabytes.
constexpr size_t kMaxCmdlineBytes = 4096;

std::string ReadComm(const std::string& path) {
  ReadResult read = ReadProcFile(path, kMaxCommBytes);
  if (!read.ok()) return "";
  if (!read.text.empty() && read.text.back() == '\n') read.text.pop_back();
  return read.text;
}

}  // namespace

std::string ReadThreadName(Pid pid, Tid tid) {
  return ReadComm(TaskPath(pid, tid, "comm"));
}

std::string ReadCommand(Pid pid) {
  ReadResult read = ReadProcFile(ProcPath(pid, "cmdline"), kMaxCmdlineBytes);
  std::string command = read.ok() ? std::move(read.text) : std::string();
  std::replace(command.begin(), command.end(), '\0', ' ');
  while (!command.empty() && command.back() == ' ') command.pop_back();
  if (!command.empty()) return command;
  return ReadComm(ProcPath(pid, "comm"));
}

}  // namespace parkscope
