#include "testmode/parkscope_gtest.h"

#include <dlfcn.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cstring>
#include <set>
#include <sstream>
#include <thread>

#include "parkscope/annotate.h"
#include "parkscope/registry_abi.h"
#include "proc/comm.h"
#include "proc/maps_parser.h"
#include "proc/proc_files.h"
#include "proc/task_list.h"
#include "report/duration_format.h"
#include "symbolize/module_session.h"
#include "symbolize/symbolizer.h"
#include "waitstate/registry_parser.h"

namespace parkscope {
namespace {

std::string FullName(const ::testing::TestInfo& info) {
  return std::string(info.test_suite_name()) + "." + info.name();
}

int64_t Now() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1'000'000'000LL + ts.tv_nsec;
}

// The agent's registry, read in this very process: two copies of the slot
// array, so the seqlock check of ParseRegistrySlots applies as for a remote
// read.
std::optional<AgentRegistry> ReadOwnRegistry() {
  const void* header = dlsym(RTLD_DEFAULT, PARKSCOPE_REGISTRY_SYMBOL);
  if (header == nullptr) return std::nullopt;
  std::vector<uint8_t> header_bytes(sizeof(parkscope_registry_header));
  std::memcpy(header_bytes.data(), header, header_bytes.size());
  AgentRegistry registry;
  registry.found = true;
  auto layout = ParseRegistryHeader(header_bytes, &registry.problem);
  if (!layout) return registry;
  const size_t bytes = size_t{layout->slots_to_read} * sizeof(parkscope_slot);
  const auto* slots = reinterpret_cast<const uint8_t*>(layout->slots_address);
  std::vector<uint8_t> first(slots, slots + bytes);
  std::vector<uint8_t> second(slots, slots + bytes);
  registry.read_at_ns = Now();
  ParseRegistrySlots(first, second, &registry);
  return registry;
}

std::vector<AgentRecord> AliveFrom(const AgentRegistry& registry, const std::string& test) {
  const long self = syscall(SYS_gettid);
  std::vector<AgentRecord> alive;
  for (const AgentRecord& r : registry.records) {
    if (r.test_name == test && r.tid != self) alive.push_back(r);
  }
  return alive;
}

std::string CreationSite(const AgentRecord& record, Symbolizer* symbolizer) {
  if (symbolizer == nullptr) return "?";
  for (uint64_t pc : record.creation_pcs) {
    for (const Frame& f : symbolizer->Symbolize(pc, false)) {
      if (f.file.empty() || f.file.rfind("/usr/include/", 0) == 0) continue;
      if (f.module.rfind("libc.so", 0) == 0 || f.module.rfind("libstdc++", 0) == 0) continue;
      size_t slash = f.file.rfind('/');
      return f.function + " at " + f.file.substr(slash + 1) + ":" + std::to_string(f.line);
    }
  }
  return "?";
}

std::string Describe(const std::vector<AgentRecord>& leaked, const AgentRegistry& registry) {
  std::vector<MapEntry> maps = ParseMaps(ReadProcFile("/proc/self/maps", 64 << 20).text).entries;
  std::string error;
  auto session = ModuleSession::Create(getpid(), static_cast<Tid>(syscall(SYS_gettid)), maps,
                                       &error);
  std::optional<Symbolizer> symbolizer;
  if (session) symbolizer.emplace(*session);
  std::ostringstream out;
  out << leaked.size() << " thread(s) created by this test are still alive:\n";
  for (const AgentRecord& r : leaked) {
    out << "  thread " << r.tid << " \"" << ReadThreadName(getpid(), r.tid) << "\" [";
    if (r.parked) {
      out << (r.reason ? std::string(WaitReasonName(*r.reason)) : r.annotation) << ", blocked "
          << FormatDuration(registry.read_at_ns - r.since_ns);
    } else {
      out << "running";
    }
    out << "] created by " << CreationSite(r, symbolizer ? &*symbolizer : nullptr)
        << " in thread " << r.creator_tid << "\n";
  }
  return out.str();
}

// A thread claims its registry slot when it first runs, a moment after
// pthread_create returned. Until every thread of the process has a record
// (or kClaimGraceNs passed: threads older than the agent may never get
// one), a thread just created by the test could be missed.
constexpr int64_t kClaimGraceNs = 50'000'000;

void WaitForSlotClaims() {
  const long self = syscall(SYS_gettid);
  const int64_t deadline = Now() + kClaimGraceNs;
  while (Now() < deadline) {
    std::optional<AgentRegistry> registry = ReadOwnRegistry();
    if (!registry) return;
    std::set<Tid> recorded;
    for (const AgentRecord& r : registry->records) recorded.insert(r.tid);
    TaskList tasks = ListTasks(getpid());
    bool all = true;
    for (Tid tid : tasks.tids) all = all && (tid == self || tid == getpid() || recorded.count(tid));
    if (all) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace

void TestListener::OnTestStart(const ::testing::TestInfo& info) {
  current_ = FullName(info);
  PARKSCOPE_TEST_BEGIN(current_.c_str());
}

void TestListener::OnTestEnd(const ::testing::TestInfo&) {
  PARKSCOPE_TEST_END(current_.c_str());
}

void InstallTestListener() {
  static bool installed = false;
  if (installed) return;
  installed = true;
  ::testing::UnitTest::GetInstance()->listeners().Append(new TestListener);
}

void VerifyNoLeaks(std::chrono::milliseconds settle) {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  if (info == nullptr) return;
  const std::string test = FullName(*info);
  if (!ReadOwnRegistry()) {
    std::fprintf(stderr, "parkscope: VerifyNoLeaks: agent not loaded, nothing checked "
                         "(run under `parkscope run`)\n");
    return;
  }
  WaitForSlotClaims();
  const int64_t deadline = Now() + settle.count() * 1'000'000LL;
  auto backoff = std::chrono::milliseconds(1);
  for (;;) {
    std::optional<AgentRegistry> registry = ReadOwnRegistry();
    std::vector<AgentRecord> leaked = AliveFrom(*registry, test);
    if (leaked.empty()) return;
    if (Now() >= deadline) {
      ADD_FAILURE() << "parkscope: " << Describe(leaked, *registry);
      return;
    }
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(100));
  }
}

}  // namespace parkscope
