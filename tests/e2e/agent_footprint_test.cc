// The agent's footprint on the program it is preloaded into: its registry is
// private memory of that process (readable by others only with ptrace
// permission, through process_vm_readv), and it creates nothing on disk, no
// shared mapping and no descriptor. Checked by running the same fixture with
// and without the agent and comparing what the kernel shows of each.
#include <dirent.h>
#include <gtest/gtest.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "e2e_support.h"

namespace parkscope::e2e {
namespace {

using nlohmann::json;

struct Mapping {
  std::string perms;
  std::string path;  // empty for anonymous memory
};

std::vector<Mapping> MappingsOf(pid_t pid) {
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  std::vector<Mapping> out;
  std::string line;
  while (std::getline(maps, line)) {
    std::istringstream fields(line);
    std::string range, perms, offset, dev, inode, path;
    fields >> range >> perms >> offset >> dev >> inode;
    std::getline(fields >> std::ws, path);
    out.push_back({perms, path});
  }
  return out;
}

// Each open descriptor as its kind ("pipe", "socket", "anon_inode:[eventfd]")
// or path, counted: inode numbers differ between two runs, kinds do not.
std::map<std::string, int> DescriptorKinds(pid_t pid) {
  const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  std::map<std::string, int> kinds;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return kinds;
  while (dirent* entry = readdir(d)) {
    if (entry->d_name[0] == '.') continue;
    char target[PATH_MAX] = {};
    const ssize_t n = readlink((dir + "/" + entry->d_name).c_str(), target, sizeof target - 1);
    if (n <= 0) continue;
    std::string kind(target, static_cast<size_t>(n));
    if (auto colon = kind.find(":["); colon != std::string::npos && kind[0] != '/') {
      kind = kind.substr(0, colon);  // pipe:[123] -> pipe
    }
    ++kinds[kind];
  }
  closedir(d);
  return kinds;
}

std::set<std::string> Entries(const std::string& dir) {
  std::set<std::string> names;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* entry = readdir(d)) names.insert(entry->d_name);
    closedir(d);
  }
  return names;
}

std::string RealPath(const std::string& path) {
  char resolved[PATH_MAX];
  return realpath(path.c_str(), resolved) != nullptr ? resolved : path;
}

// What a run of `fixture` shows: mappings, descriptors, and the files that
// appeared in its working directory, its TMPDIR and /dev/shm.
struct Footprint {
  std::vector<Mapping> mappings;
  std::map<std::string, int> descriptors;
  std::set<std::string> new_files;
  json snapshot;
};

Footprint RunAndLook(const std::string& fixture, Launch launch) {
  Footprint seen;
  char dir_template[] = "/tmp/parkscope-footprint-XXXXXX";
  const std::string scratch = mkdtemp(dir_template);
  const std::set<std::string> shm_before = Entries("/dev/shm");
  char old_cwd[PATH_MAX];
  EXPECT_NE(getcwd(old_cwd, sizeof old_cwd), nullptr);
  const char* old_tmpdir = getenv("TMPDIR");
  const std::string saved_tmpdir = old_tmpdir != nullptr ? old_tmpdir : "";
  // The fixture inherits both: a file the agent made "somewhere local"
  // lands in the scratch directory.
  EXPECT_EQ(chdir(scratch.c_str()), 0);
  setenv("TMPDIR", scratch.c_str(), 1);
  {
    Fixture fx(fixture, {}, launch);
    EXPECT_EQ(chdir(old_cwd), 0);
    if (old_tmpdir != nullptr) {
      setenv("TMPDIR", saved_tmpdir.c_str(), 1);
    } else {
      unsetenv("TMPDIR");
    }
    EXPECT_TRUE(fx.WaitReady()) << fx.why();
    seen.snapshot = DumpJson(fx.pid());
    seen.mappings = MappingsOf(fx.pid());
    seen.descriptors = DescriptorKinds(fx.pid());
  }
  for (const auto& name : Entries(scratch)) {
    if (name != "." && name != "..") seen.new_files.insert(scratch + "/" + name);
  }
  for (const auto& name : Entries("/dev/shm")) {
    if (!shm_before.count(name)) seen.new_files.insert("/dev/shm/" + name);
  }
  for (const auto& file : seen.new_files) unlink(file.c_str());
  rmdir(scratch.c_str());
  return seen;
}

TEST(AgentFootprint, RegistryIsPrivateMemoryAndNothingIsCreated) {
  if (AgentPath().empty()) GTEST_SKIP() << "the agent was not built";
  const Footprint plain = RunAndLook("pipe_read", Launch::kDirect);
  const Footprint preloaded = RunAndLook("pipe_read", Launch::kPreload);

  // The dump read the agent's registry: the agent was live.
  const auto readers = ThreadsNamed(preloaded.snapshot, "pipe-reader");
  ASSERT_EQ(readers.size(), 1u);
  EXPECT_EQ(readers[0]["wait"]["blocked_source"], "agent") << readers[0].dump(2);

  EXPECT_TRUE(preloaded.new_files.empty())
      << "created " << *preloaded.new_files.begin();
  EXPECT_EQ(preloaded.descriptors, plain.descriptors);

  // The only files mapped in addition are the agent itself; no mapping of
  // the preloaded run is shared ('s') unless the plain run has it too.
  std::set<std::string> plain_files, plain_shared;
  for (const auto& m : plain.mappings) {
    if (!m.path.empty()) plain_files.insert(m.path);
    if (m.perms.size() == 4 && m.perms[3] == 's') plain_shared.insert(m.path);
  }
  const std::string agent = RealPath(AgentPath());
  bool agent_mapped = false;
  for (const auto& m : preloaded.mappings) {
    if (m.perms.size() == 4 && m.perms[3] == 's') {
      EXPECT_TRUE(plain_shared.count(m.path)) << "shared mapping " << m.perms << " " << m.path;
    }
    if (m.path.empty() || plain_files.count(m.path)) continue;
    if (RealPath(m.path) == agent) {
      agent_mapped = true;
      continue;
    }
    ADD_FAILURE() << "the agent mapped " << m.perms << " " << m.path;
  }
  EXPECT_TRUE(agent_mapped) << "no mapping of " << agent;
}

}  // namespace
}  // namespace parkscope::e2e
