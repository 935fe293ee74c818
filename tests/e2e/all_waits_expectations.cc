#include "all_waits_expectations.h"

#include <gtest/gtest.h>

#include "e2e_support.h"

namespace parkscope::e2e {
namespace {

using nlohmann::json;

// The innermost non-runtime frame of the creation stack.
json CreatorFrame(const json& thread) {
  for (const auto& f : thread["created_by"]["frames"]) {
    if (!f["runtime"].get<bool>()) return f;
  }
  return json();
}

}  // namespace

const std::vector<AllWaitsWant>& AllWaitsWants() {
  static const std::vector<AllWaitsWant> wants = {
      {"mutex", "mutex lock", "mutex"},         {"timed-mutex", "mutex lock", "mutex"},
      {"recursive", "mutex lock", "mutex"},     {"rw-read", "rwlock read", "rwlock"},
      {"rw-write", "rwlock write", "rwlock"},   {"cond", "cond wait", "cond"},
      {"cond-any", "cond wait", "cond"},        {"sem", "sem wait", "sem"},
      {"future", "futex wait", "futex"},        {"atomic", "futex wait", "futex"},
      {"latch", "futex wait", "futex"},         {"counting", "futex wait", "futex"},
      {"barrier", "barrier", "barrier"},        {"read", "io wait", "fd"},
      {"recv", "io wait", "fd"},                {"accept", "io wait", "fd"},
      {"poll", "poll", "pollfds"},              {"select", "poll", "pollfds"},
      {"epoll", "epoll wait", "fd"},            {"sleep", "sleep", "duration_ns"},
      {"usleep", "sleep", "duration_ns"},       {"sigwait", "signal wait", "sigset"},
      {"waitpid", "waitpid", "pid"},            {"join", "join", "pthread"},
      {"mq-recv", "queue recv", "mqd"},         {"mq-send", "queue send", "mqd"},
  };
  return wants;
}

void ExpectAllWaitsFromAgent(const json& snap, pid_t pid, BlockedWindow window,
                             const std::string& label) {
  EXPECT_TRUE(snap.value("agent_present", false)) << label;
  const int create_line = MarkerLine("all_waits.cc", "aw-create");
  for (const AllWaitsWant& want : AllWaitsWants()) {
    const std::string who = label + " " + want.name;
    auto threads = ThreadsNamed(snap, want.name);
    ASSERT_EQ(threads.size(), 1u) << who;
    const json& t = threads[0];
    EXPECT_EQ(t["wait"]["reason"], want.reason) << who;
    EXPECT_EQ(t["wait"]["object_kind"], want.object_kind) << who;
    EXPECT_TRUE(t["wait"]["object"].is_number()) << who;
    EXPECT_EQ(t["wait"]["blocked_source"], "agent") << who;
    EXPECT_EQ(t["site"]["line"], MarkerLine("all_waits.cc", std::string("aw-") + want.name))
        << who << " " << t["site"];
    const double blocked_s = t["wait"]["blocked_ns"].get<double>() / 1e9;
    EXPECT_GE(blocked_s, window.lo_s) << who;
    EXPECT_LE(blocked_s, window.hi_s) << who;
    ASSERT_TRUE(t["created_by"].is_object()) << who;
    EXPECT_EQ(t["created_by"]["tid"], pid) << who;
    if (std::string(want.name) != "join") {
      EXPECT_EQ(CreatorFrame(t)["line"], create_line) << who;
    }
  }
  EXPECT_EQ(ThreadsNamed(snap, "read")[0]["wait"]["fd_kind"], "pipe") << label;
  EXPECT_EQ(ThreadsNamed(snap, "recv")[0]["wait"]["fd_kind"], "socket") << label;
  EXPECT_EQ(ThreadsNamed(snap, "epoll")[0]["wait"]["fd_kind"], "epoll") << label;
  ASSERT_EQ(ThreadsNamed(snap, "join-target").size(), 1u) << label;
  EXPECT_EQ(ThreadsNamed(snap, "join")[0]["wait"]["owner_tid"],
            ThreadsNamed(snap, "join-target")[0]["tid"])
      << label;
  // The main thread holds the plain mutex the "mutex" thread waits for.
  EXPECT_EQ(ThreadsNamed(snap, "mutex")[0]["wait"]["owner_tid"], pid) << label;
}

}  // namespace parkscope::e2e
