// parkscope on a process in a container: its own pid and mount namespaces
// (unshare) and a private root (chroot) holding copies of a fixture and the
// libraries it needs. The copy lives at a path that does not exist on the
// host and under a name no host file has, so a symbol that resolves came
// from the target's own files; tids are checked against the kernel's NSpid.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "e2e_support.h"
#include "proc/mapped_file.h"

namespace parkscope::e2e {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// Inside the container only: the host has no such directory (checked).
constexpr const char* kBinDir = "/parkscope-container-only";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string CommandOutput(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  pclose(pipe);
  return out;
}

// The innermost NSpid of a thread, as the kernel prints it; 0 if unreadable.
int KernelNsTid(pid_t pid, int tid) {
  std::istringstream lines(
      ReadAll("/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid) + "/status"));
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("NSpid:", 0) != 0) continue;
    std::istringstream fields(line.substr(6));
    int value = 0, last = 0;
    while (fields >> value) last = value;
    return last;
  }
  return 0;
}

// A fixture running as pid 1 of its own pid namespace, chrooted into a
// private root. The destructor kills it (which ends the namespace and so
// unshare) and removes the root.
class Container {
 public:
  explicit Container(const std::string& fixture) : fixture_(fixture) {
    static int serial = 0;
    // Canonical, like the paths /proc/PID/maps prints (TempDir() ends in '/').
    root_ = (fs::path(::testing::TempDir()) /
             ("parkscope-root-" + std::to_string(getpid()) + "-" + std::to_string(++serial)))
                .lexically_normal()
                .string();
    // A name no file on the host has: the module name in the dump proves
    // where the symbols came from.
    bin_in_root_ = std::string(kBinDir) + "/" + fixture + "-in-container-" +
                   std::to_string(getpid());
  }

  ~Container() {
    if (host_pid_ > 0) kill(host_pid_, SIGKILL);
    if (unshare_pid_ > 0) {
      kill(unshare_pid_, SIGKILL);
      waitpid(unshare_pid_, nullptr, 0);
    }
    if (out_fd_ >= 0) close(out_fd_);
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  // Builds the root and starts the fixture. On false, why() says why; a
  // why() starting with "SKIP" means the environment cannot do this.
  bool Start() {
    unshare_ = FindTool("unshare");
    chroot_ = FindTool("chroot");
    if (unshare_.empty() || chroot_.empty()) {
      why_ = "SKIP: unshare (util-linux) or chroot (coreutils) not installed";
      return false;
    }
    if (access(kBinDir, F_OK) == 0) {
      why_ = std::string(kBinDir) + " exists on the host: the test could not tell "
             "the container's files from the host's";
      return false;
    }
    if (!BuildRoot()) return false;
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
      why_ = "pipe failed";
      return false;
    }
    unshare_pid_ = fork();
    if (unshare_pid_ == 0) {
      dup2(out[1], 1);
      dup2(err[1], 2);
      // --fork: the fixture becomes pid 1 of the new namespace (chroot
      // execs it in place). --mount: mounts made inside stay inside.
      execl(unshare_.c_str(), "unshare", "--pid", "--mount", "--fork", chroot_.c_str(),
            root_.c_str(), bin_in_root_.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    close(out[1]);
    close(err[1]);
    out_fd_ = out[0];
    std::string line = ReadLine(out_fd_, 20);
    if (line.rfind("READY", 0) != 0) {
      std::string err_text = ReadLine(err[0], 2);
      close(err[0]);
      // "unshare: unshare failed: Operation not permitted": the machine
      // cannot make namespaces for us. Anything else (chroot or the
      // fixture failing in the root we built) is this test's failure.
      const bool cannot_unshare = err_text.rfind("unshare:", 0) == 0;
      why_ = std::string(cannot_unshare ? "SKIP: " : "") +
             "unshare --pid --mount --fork + chroot did not start the fixture" +
             (cannot_unshare ? " (not root, or no namespaces here): " : ": ") + line +
             err_text;
      return false;
    }
    close(err[0]);
    std::istringstream fields(line);
    std::string word;
    fields >> word >> ready_pid_ >> expected_parked_;
    host_pid_ = ChildOf(unshare_pid_);
    if (host_pid_ <= 0) {
      why_ = "no child of unshare " + std::to_string(unshare_pid_);
      return false;
    }
    if (!WaitParked(host_pid_, expected_parked_)) {
      why_ = "threads did not park within the timeout";
      return false;
    }
    return true;
  }

  pid_t host_pid() const { return host_pid_; }
  // What the fixture printed: its pid in its own namespace.
  pid_t ready_pid() const { return ready_pid_; }
  const std::string& root() const { return root_; }
  // The fixture's path as the container sees it.
  const std::string& bin_in_root() const { return bin_in_root_; }
  std::string bin_on_host() const { return root_ + bin_in_root_; }
  const std::string& why() const { return why_; }

 private:
  bool Copy(const std::string& from, const std::string& to) {
    std::error_code ec;
    fs::create_directories(fs::path(to).parent_path(), ec);
    // Follows symlinks: /lib64/ld-linux-x86-64.so.2 becomes a real file.
    fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
    if (ec) why_ = "copy " + from + ": " + ec.message();
    return !ec;
  }

  bool BuildRoot() {
    const std::string fixture = FixturePath(fixture_);
    if (!Copy(fixture, bin_on_host())) return false;
    // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" and
    // "/lib64/ld-linux-x86-64.so.2 (0x...)": every absolute path.
    std::istringstream lines(CommandOutput("ldd " + fixture));
    std::string line;
    int copied = 0;
    while (std::getline(lines, line)) {
      std::istringstream words(line);
      std::string word;
      while (words >> word) {
        if (word[0] != '/') continue;
        if (!Copy(word, root_ + word)) return false;
        ++copied;
        break;
      }
    }
    if (copied < 2) {
      why_ = "ldd named no libraries for " + fixture;
      return false;
    }
    return true;
  }

  // chroot lives in /usr/sbin, which a test's PATH may lack.
  static std::string FindTool(const std::string& name) {
    std::string dirs = getenv("PATH") != nullptr ? getenv("PATH") : "";
    dirs += ":/usr/sbin:/usr/bin:/sbin:/bin";
    std::istringstream parts(dirs);
    std::string dir;
    while (std::getline(parts, dir, ':')) {
      if (dir.empty()) continue;
      const std::string path = dir + "/" + name;
      if (access(path.c_str(), X_OK) == 0) return path;
    }
    return "";
  }

  static std::string ReadLine(int fd, double timeout_s) {
    std::string line;
    const double deadline = MonotonicSeconds() + timeout_s;
    while (MonotonicSeconds() < deadline) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      char c;
      if (read(fd, &c, 1) != 1 || c == '\n') break;
      line += c;
    }
    return line;
  }

  static pid_t ChildOf(pid_t parent) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/proc", ec)) {
      pid_t pid = std::atoi(entry.path().filename().c_str());
      if (pid <= 0) continue;
      std::istringstream lines(ReadAll(entry.path().string() + "/status"));
      std::string line;
      while (std::getline(lines, line)) {
        if (line.rfind("PPid:", 0) == 0) {
          if (std::atoi(line.c_str() + 5) == parent) return pid;
          break;
        }
      }
    }
    return -1;
  }

  std::string fixture_;
  std::string unshare_, chroot_;
  std::string root_, bin_in_root_;
  pid_t unshare_pid_ = -1, host_pid_ = -1, ready_pid_ = -1;
  int expected_parked_ = 0;
  int out_fd_ = -1;
  std::string why_;
};

#define START_CONTAINER(var, fixture)                                 \
  Container var(fixture);                                             \
  if (!var.Start()) {                                                 \
    if (var.why().rfind("SKIP", 0) == 0) GTEST_SKIP() << var.why();   \
    FAIL() << fixture << ": " << var.why();                           \
  }

// The thread's wait site is fixtures/<file> at the marker's line, in a
// function whose name contains function, in the container's binary.
::testing::AssertionResult SiteIn(const json& thread, const std::string& file,
                                  const std::string& marker, const std::string& function,
                                  const std::string& module) {
  const int line = MarkerLine(file, marker);
  if (line == 0) return ::testing::AssertionFailure() << "no marker " << marker;
  if (thread["site"].is_null()) {
    return ::testing::AssertionFailure() << "thread " << thread["tid"] << " has no site: "
                                         << thread["frames"].dump();
  }
  const json& site = thread["site"];
  const std::string got_file = BaseName(site["file"].get<std::string>());
  const std::string got_function = site["function"].get<std::string>();
  bool in_module = false;
  for (const json& f : thread["frames"]) {
    in_module |= f["function"] == got_function && f["module"] == module;
  }
  if (got_file == file && site["line"] == line &&
      got_function.find(function) != std::string::npos && in_module) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "thread " << thread["tid"] << " site " << got_file << ":" << site["line"] << " in "
         << got_function << ", expected " << file << ":" << line << " in " << function
         << " of module " << module << "; frames " << thread["frames"].dump();
}

const json* ThreadWithNsTid(const json& snapshot, int ns_tid) {
  for (const json& t : snapshot["threads"]) {
    if (t["ns_tid"] == ns_tid) return &t;
  }
  return nullptr;
}

TEST(Container, SymbolsFromTheTargetsFilesAndBothTids) {
  START_CONTAINER(ct, "pipe_read");
  // The fixture is pid 1 of its own namespace, and not 1 on the host.
  ASSERT_EQ(ct.ready_pid(), 1);
  ASSERT_NE(ct.host_pid(), 1);
  const std::string module = BaseName(ct.bin_in_root());

  RunResult raw;
  json snap = DumpJson(ct.host_pid(), {}, &raw);
  EXPECT_EQ(raw.exit_code, 0) << raw.err;
  EXPECT_EQ(snap["pid"], ct.host_pid());
  ASSERT_EQ(snap["threads"].size(), 3u) << snap.dump();

  std::set<int> ns_tids;
  for (const json& t : snap["threads"]) {
    const int tid = t["tid"].get<int>();
    ASSERT_TRUE(t["ns_tid"].is_number()) << t.dump();
    EXPECT_EQ(t["ns_tid"].get<int>(), KernelNsTid(ct.host_pid(), tid)) << "tid " << tid;
    EXPECT_NE(t["ns_tid"].get<int>(), tid);
    ns_tids.insert(t["ns_tid"].get<int>());
    // Stopped, or for a call a stop would disturb unwound from /proc.
    EXPECT_NE(t["capture_method"], "none") << t.dump();
  }
  EXPECT_EQ(ns_tids.size(), 3u);
  const json* main_thread = ThreadWithNsTid(snap, 1);
  ASSERT_NE(main_thread, nullptr);
  EXPECT_EQ((*main_thread)["tid"], ct.host_pid());
  EXPECT_TRUE(SiteIn(*main_thread, "pipe_read.cc", "pipe-main", "ParkMainForever", module));

  auto pipe_readers = ThreadsNamed(snap, "pipe-reader");
  auto sock_readers = ThreadsNamed(snap, "sock-reader");
  ASSERT_EQ(pipe_readers.size(), 1u);
  ASSERT_EQ(sock_readers.size(), 1u);
  EXPECT_TRUE(SiteIn(pipe_readers[0], "pipe_read.cc", "pipe-read", "PipeReader", module));
  EXPECT_TRUE(SiteIn(sock_readers[0], "pipe_read.cc", "socket-recv", "SocketReader", module));
  // The fd kind is read through /proc/PID/fd of the container's process.
  EXPECT_EQ(pipe_readers[0]["wait"]["fd_kind"], "pipe");

  // The text report carries both numbers too.
  RunResult text = RunParkscope({"dump", "-p", std::to_string(ct.host_pid())});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("tid: " + std::to_string(ct.host_pid()) + " (ns 1) "),
            std::string::npos)
      << text.out;
  EXPECT_TRUE(StoppedOrTracedThreads(ct.host_pid()).empty());
}

TEST(Container, LockOwnersAndTheCycleAreHostTids) {
  // glibc writes the owner's tid into the mutex as the container numbers
  // it; the dump must report our number for that thread.
  START_CONTAINER(ct, "deadlock_abba");
  json snap = DumpJson(ct.host_pid());
  auto a = ThreadsNamed(snap, "locker-a");
  auto b = ThreadsNamed(snap, "locker-b");
  auto bystander = ThreadsNamed(snap, "bystander");
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  ASSERT_EQ(bystander.size(), 1u);
  ASSERT_NE(a[0]["tid"], a[0]["ns_tid"]);
  EXPECT_EQ(a[0]["wait"]["owner_tid"], b[0]["tid"]);
  EXPECT_EQ(b[0]["wait"]["owner_tid"], a[0]["tid"]);
  EXPECT_EQ(bystander[0]["wait"]["owner_tid"], a[0]["tid"]);
  ASSERT_EQ(snap["deadlocks"].size(), 1u) << snap["deadlocks"].dump();
  std::set<int> cycle(snap["deadlocks"][0]["tids"].begin(), snap["deadlocks"][0]["tids"].end());
  EXPECT_EQ(cycle, (std::set<int>{a[0]["tid"].get<int>(), b[0]["tid"].get<int>()}));
  // main joins locker-a: pthread_join's word is the container's tid too.
  const json* main_thread = ThreadWithNsTid(snap, 1);
  ASSERT_NE(main_thread, nullptr);
  EXPECT_EQ((*main_thread)["wait"]["owner_tid"], a[0]["tid"]);
  EXPECT_TRUE(StoppedOrTracedThreads(ct.host_pid()).empty());
}

TEST(Container, FilesAreTheMappedOnesNotPathsInTheRoot) {
  START_CONTAINER(ct, "sleep_for");
  const std::string module = BaseName(ct.bin_in_root());
  // Replace the binary in the container's root by another program with
  // DWARF of its own (pipe_read): a dump that opened the path, in the
  // container or on the host, would resolve sleep_for's pcs in pipe_read's
  // line table. Only the mapped file (/proc/PID/map_files) gives the sites.
  ASSERT_EQ(unlink(ct.bin_on_host().c_str()), 0);
  std::error_code ec;
  fs::copy_file(FixturePath("pipe_read"), ct.bin_on_host(), ec);
  ASSERT_FALSE(ec) << ec.message();

  json snap = DumpJson(ct.host_pid());
  auto sleepers = ThreadsNamed(snap, "sleeper");
  auto nanosleepers = ThreadsNamed(snap, "nanosleeper");
  ASSERT_EQ(sleepers.size(), 1u) << snap.dump();
  ASSERT_EQ(nanosleepers.size(), 1u);
  EXPECT_TRUE(SiteIn(sleepers[0], "sleep_for.cc", "sleep-for", "Sleeper", module));
  EXPECT_TRUE(SiteIn(nanosleepers[0], "sleep_for.cc", "nanosleep", "Nanosleeper", module));
  const json* main_thread = ThreadWithNsTid(snap, 1);
  ASSERT_NE(main_thread, nullptr);
  EXPECT_TRUE(SiteIn(*main_thread, "sleep_for.cc", "sleep-main", "ParkMainForever", module));

  // Without map_files (a mapping that is not there: 0-0), the path is
  // resolved inside the target's root: the replacement, not a host file.
  // Both shapes of path /proc/PID/maps can print: the target's own view
  // (a pivot_root'ed container) and ours (a chroot, as here).
  struct stat replacement {};
  ASSERT_EQ(stat(ct.bin_on_host().c_str(), &replacement), 0);
  for (const std::string& path : {ct.bin_in_root(), ct.bin_on_host()}) {
    SCOPED_TRACE(path);
    int fd = OpenMappedFile(ct.host_pid(), 0, 0, path);
    ASSERT_GE(fd, 0) << strerror(errno);
    struct stat opened {};
    fstat(fd, &opened);
    close(fd);
    EXPECT_EQ(opened.st_ino, replacement.st_ino);
    EXPECT_EQ(opened.st_dev, replacement.st_dev);
  }

  // A symlink the target planted, and a path climbing out with "..": both
  // stay inside its root and find its decoy, never the host's file.
  const std::string decoy = "container decoy\n";
  ASSERT_TRUE(fs::create_directories(ct.root() + "/etc", ec) || !ec);
  std::ofstream(ct.root() + "/etc/hostname") << decoy;
  fs::create_symlink("/etc/hostname", ct.root() + "/planted", ec);
  ASSERT_FALSE(ec) << ec.message();
  for (const std::string path : {"/planted", "/../../../../../etc/hostname"}) {
    SCOPED_TRACE(path);
    int planted = OpenMappedFile(ct.host_pid(), 0, 0, path);
    ASSERT_GE(planted, 0) << strerror(errno);
    char buf[64] = {};
    ssize_t n = read(planted, buf, sizeof buf - 1);
    close(planted);
    EXPECT_EQ(std::string(buf, n > 0 ? static_cast<size_t>(n) : 0), decoy);
  }
  EXPECT_TRUE(StoppedOrTracedThreads(ct.host_pid()).empty());
}

}  // namespace
}  // namespace parkscope::e2e
