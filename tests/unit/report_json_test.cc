#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "../golden/synthetic_snapshots.h"
#include "report/json.h"

namespace parkscope {
namespace {

std::string ToJson(const ProcessSnapshot& s) {
  std::ostringstream out;
  WriteJson(s, out);
  return out.str();
}

void ExpectFramesEqual(const std::vector<Frame>& a,
                       const std::vector<Frame>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].pc, b[i].pc) << i;
    EXPECT_EQ(a[i].function, b[i].function) << i;
    EXPECT_EQ(a[i].symbol, b[i].symbol) << i;
    EXPECT_EQ(a[i].file, b[i].file) << i;
    EXPECT_EQ(a[i].line, b[i].line) << i;
    EXPECT_EQ(a[i].inlined, b[i].inlined) << i;
    EXPECT_EQ(a[i].module, b[i].module) << i;
    EXPECT_EQ(a[i].module_offset, b[i].module_offset) << i;
    EXPECT_EQ(a[i].is_runtime, b[i].is_runtime) << i;
  }
}

TEST(JsonSnapshot, RoundTripKeepsEveryFieldOfTheSchema) {
  for (ProcessSnapshot s :
       {testing::Analyzed(testing::FanoutSnapshot(4), testing::FanoutFilter()),
        testing::Analyzed(testing::DeadlockSnapshot(), RuntimeFrameFilter()),
        testing::Analyzed(testing::DeepSnapshot(), RuntimeFrameFilter())}) {
    std::optional<ProcessSnapshot> read = ReadJsonSnapshot(ToJson(s));
    ASSERT_TRUE(read.has_value());
    EXPECT_EQ(read->pid, s.pid);
    EXPECT_EQ(read->command, s.command);
    EXPECT_EQ(read->taken_at_unix_ns, s.taken_at_unix_ns);
    EXPECT_EQ(read->agent_present, s.agent_present);
    ASSERT_EQ(read->threads.size(), s.threads.size());
    for (size_t i = 0; i < s.threads.size(); ++i) {
      const ThreadSnapshot& a = s.threads[i];
      const ThreadSnapshot& b = read->threads[i];
      SCOPED_TRACE(a.tid);
      EXPECT_EQ(b.tid, a.tid);
      EXPECT_EQ(b.ns_tid, a.ns_tid);
      EXPECT_EQ(b.name, a.name);
      EXPECT_EQ(b.state, a.state);
      EXPECT_EQ(b.wait.Label(), a.wait.Label());
      EXPECT_EQ(IsParked(b.wait.reason), IsParked(a.wait.reason));
      if (a.wait.annotation.empty()) {
        EXPECT_EQ(b.wait.reason, a.wait.reason);
      }
      EXPECT_EQ(b.wait.object, a.wait.object);
      EXPECT_EQ(b.wait.object_kind, a.wait.object_kind);
      EXPECT_EQ(b.wait.fd_kind, a.wait.fd_kind);
      EXPECT_EQ(b.wait.syscall_nr, a.wait.syscall_nr);
      EXPECT_EQ(b.wait.blocked_ns, a.wait.blocked_ns);
      EXPECT_EQ(b.wait.blocked_source, a.wait.blocked_source);
      EXPECT_EQ(b.wait.owner_tid, a.wait.owner_tid);
      EXPECT_EQ(b.site_frame, a.site_frame);
      EXPECT_EQ(b.method, a.method);
      EXPECT_EQ(b.stack_note, a.stack_note);
      EXPECT_EQ(b.capture_error, a.capture_error);
      EXPECT_EQ(b.stopped_us, a.stopped_us);
      ExpectFramesEqual(b.frames, a.frames);
      ASSERT_EQ(b.created_by.has_value(), a.created_by.has_value());
      if (a.created_by) {
        EXPECT_EQ(b.created_by->tid, a.created_by->tid);
        ExpectFramesEqual(b.created_by->frames, a.created_by->frames);
      }
    }
    ASSERT_EQ(read->groups.size(), s.groups.size());
    for (size_t i = 0; i < s.groups.size(); ++i) {
      EXPECT_EQ(read->groups[i].reason, s.groups[i].reason);
      EXPECT_EQ(read->groups[i].site, s.groups[i].site);
      EXPECT_EQ(read->groups[i].tids, s.groups[i].tids);
      EXPECT_EQ(read->groups[i].max_blocked_ns, s.groups[i].max_blocked_ns);
      EXPECT_EQ(read->groups[i].min_blocked_ns, s.groups[i].min_blocked_ns);
      EXPECT_EQ(read->groups[i].in_deadlock, s.groups[i].in_deadlock);
      EXPECT_EQ(read->groups[i].representative, s.groups[i].representative);
    }
    ASSERT_EQ(read->deadlocks.size(), s.deadlocks.size());
    for (size_t i = 0; i < s.deadlocks.size(); ++i) {
      EXPECT_EQ(read->deadlocks[i].tids, s.deadlocks[i].tids);
    }
    const CaptureStats& c = s.capture;
    const CaptureStats& rc = read->capture;
    EXPECT_EQ(rc.wall_us, c.wall_us);
    EXPECT_EQ(rc.threads_stopped_total_us, c.threads_stopped_total_us);
    EXPECT_EQ(rc.longest_stop_us, c.longest_stop_us);
    EXPECT_EQ(rc.longest_stop_tid, c.longest_stop_tid);
    EXPECT_EQ(rc.passes, c.passes);
    EXPECT_EQ(rc.complete, c.complete);
    EXPECT_EQ(rc.consistent, c.consistent);
    EXPECT_EQ(ToJson(*read), ToJson(s));
  }
}

TEST(JsonSnapshot, OtherSyscallAndExtremeValuesRoundTrip) {
  ProcessSnapshot s;
  s.pid = 1;
  ThreadSnapshot t;
  t.tid = 2;
  t.wait.reason = WaitReason::kOtherSyscall;
  t.wait.syscall_nr = 7;
  t.wait.object = UINT64_MAX;
  t.wait.blocked_ns = INT64_MAX;
  Frame f;
  f.pc = UINT64_MAX;
  f.module_offset = UINT64_MAX;
  t.frames = {f};
  s.threads = {t};
  std::optional<ProcessSnapshot> read = ReadJsonSnapshot(ToJson(s));
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->threads[0].wait.reason, WaitReason::kOtherSyscall);
  EXPECT_EQ(read->threads[0].wait.Label(), "other syscall 7");
  EXPECT_EQ(read->threads[0].wait.object, UINT64_MAX);
  EXPECT_EQ(read->threads[0].wait.blocked_ns, INT64_MAX);
  EXPECT_EQ(read->threads[0].frames[0].pc, UINT64_MAX);
  EXPECT_EQ(read->threads[0].site_frame, -1);  // "site": null
}

TEST(JsonSnapshot, InvalidUtf8IsReplacedNotThrown) {
  ProcessSnapshot s;
  ThreadSnapshot t;
  t.name = "bad\xff\xfename";
  t.state = '\xff';
  s.threads = {t};
  std::string json = ToJson(s);
  EXPECT_NE(json.find("bad\xEF\xBF\xBD"), std::string::npos);  // U+FFFD
  EXPECT_TRUE(ReadJsonSnapshot(json).has_value());
}

TEST(JsonSnapshot, GarbageIsNulloptNotAnException) {
  const std::string valid = ToJson(
      testing::Analyzed(testing::FanoutSnapshot(1), testing::FanoutFilter()));
  ASSERT_TRUE(ReadJsonSnapshot(valid).has_value());
  auto replaced = [&](const std::string& from, const std::string& to) {
    std::string text = valid;
    size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return at == std::string::npos ? text : text.replace(at, from.size(), to);
  };
  for (const std::string& text : {
           std::string(),
           std::string("null"),
           std::string("[]"),
           std::string("{"),
           std::string("{}"),
           std::string("\x00\x01\x02", 3),
           std::string(100'000, '['),
           valid.substr(0, valid.size() / 2),
           replaced("parkscope.snapshot/1", "parkscope.snapshot/2"),
           replaced("\"pid\": 1234", "\"pid\": \"1234\""),
           replaced("\"pid\": 1234", "\"pid\": 1e300"),
           replaced("\"pid\": 1234", "\"pid\": 99999999999"),
           replaced("\"tid\": 1234", "\"tid\": -99999999999"),
           replaced("\"line\": 57", "\"line\": 57.5"),
           replaced("\"pc\": ", "\"pc\": -"),
           replaced("\"stopped_us\": 25", "\"stopped_us\": -1"),
           replaced("\"blocked_source\": \"agent\"",
                    "\"blocked_source\": \"psychic\""),
           replaced("\"capture_method\": \"ptrace\"", "\"capture_method\": 1"),
           replaced("\"inlined\": false", "\"inlined\": 0"),
           replaced("\"frames\": [", "\"frames\": {\"x\": ["),
           replaced("\"count\": 1,", "\"count\": 2,"),
           replaced("\"tids\": [\n        1234", "\"tids\": [\n        4242"),
           replaced("\"schema\"", "\"scheme\""),
           replaced("\"syscall\": 202", "\"syscall\": -2"),
       }) {
    EXPECT_FALSE(ReadJsonSnapshot(text).has_value()) << text.substr(0, 200);
  }
}

}  // namespace
}  // namespace parkscope
