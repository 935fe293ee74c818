#include <gtest/gtest.h>

#include "../golden/synthetic_snapshots.h"
#include "analyze/site.h"

namespace parkscope {
namespace {

Frame InModule(std::string module) {
  Frame f;
  f.function = "f";
  f.module = std::move(module);
  return f;
}

TEST(RuntimeFrameFilter, RuntimeModulesByFileName) {
  for (const char* module : {
           "/usr/lib/x86_64-linux-gnu/libc.so.6", "/lib64/libc-2.17.so",
           "/lib/x86_64-linux-gnu/libpthread.so.0",
           "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
           "/lib/x86_64-linux-gnu/libgcc_s.so.1", "/lib64/ld-linux-x86-64.so.2",
           "/lib/ld-2.31.so", "/lib/ld-musl-x86_64.so.1",
           "/lib/x86_64-linux-gnu/libm.so.6",
           "/usr/lib/parkscope/libparkscope_agent.so", "linux-vdso.so.1",
           "[vdso]",
           "libc.so.6",  // no directory
       }) {
    EXPECT_TRUE(RuntimeFrameFilter().IsRuntime(InModule(module))) << module;
  }
}

TEST(RuntimeFrameFilter, UserModulesAreNotRuntime) {
  for (const char* module : {
           "/opt/app/bin/app",
           "/usr/lib/x86_64-linux-gnu/libcrypto.so.3",  // "libc" prefix only
           "/usr/lib/libcustom.so",
           "/usr/lib/libmvec.so.1",  // libm.so* needs "libm.so"
           "/srv/libc.so.6/app",     // only the file name counts
           "/opt/ld.so.conf.d-tool",
           "vdso",
           "",
       }) {
    EXPECT_FALSE(RuntimeFrameFilter().IsRuntime(InModule(module))) << module;
  }
}

TEST(RuntimeFrameFilter, SystemHeadersAreRuntimeEvenInUserModules) {
  Frame f = InModule("/opt/app/bin/app");
  f.function = "std::mutex::lock()";
  f.file = "/usr/include/c++/12/bits/std_mutex.h";
  f.inlined = true;
  EXPECT_TRUE(RuntimeFrameFilter().IsRuntime(f));
  f.file = "/usr/includes/mine.h";
  EXPECT_FALSE(RuntimeFrameFilter().IsRuntime(f));
  f.file = "/src/usr/include/mine.h";
  EXPECT_FALSE(RuntimeFrameFilter().IsRuntime(f));
}

TEST(MarkRuntimeFrames, InlinedLibstdcxxLockSitsAtTheUsersLine) {
  ThreadSnapshot t;
  t.frames = testing::MutexWaitFrames("LockAThenB(void*)", 30, 0x22b3);
  MarkRuntimeFrames(t, RuntimeFrameFilter());
  ASSERT_EQ(t.site_frame, 6);
  EXPECT_EQ(t.Site(),
            (WaitSite{"LockAThenB(void*)", "/src/fixtures/deadlock.cc", 30}));
  for (int i = 0; i < 6; ++i) EXPECT_TRUE(t.frames[i].is_runtime) << i;
  EXPECT_FALSE(t.frames[6].is_runtime);
  EXPECT_TRUE(t.frames[7].is_runtime);  // start_thread
}

TEST(MarkRuntimeFrames, UserRegexMovesTheSiteToTheCaller) {
  ProcessSnapshot s = testing::FanoutSnapshot(1);
  ThreadSnapshot worker = s.threads[1];
  MarkRuntimeFrames(worker, RuntimeFrameFilter());
  EXPECT_EQ(worker.Site().function, "Channel::Send(int)");
  EXPECT_EQ(worker.Site().line, 40);

  MarkRuntimeFrames(worker, testing::FanoutFilter());
  EXPECT_EQ(worker.Site(),
            (WaitSite{"worker(Channel&)", "/src/fanout/fetch.cc", 88}));
  EXPECT_TRUE(worker.frames[4].is_runtime);  // Channel::Send, marked by regex
}

TEST(MarkRuntimeFrames, RegexIsSearchedNotAnchored) {
  std::string error;
  auto filter = RuntimeFrameFilter::WithUserRegexes({"Send"}, &error);
  ASSERT_TRUE(filter.has_value()) << error;
  Frame f = InModule("/opt/app");
  f.function = "Channel::Send(int)";
  EXPECT_TRUE(filter->IsRuntime(f));
  f.function = "Channel::Recv(int)";
  EXPECT_FALSE(filter->IsRuntime(f));
}

TEST(MarkRuntimeFrames, InvalidRegexIsAnErrorNotAnException) {
  std::string error;
  auto filter =
      RuntimeFrameFilter::WithUserRegexes({"ok", "(unclosed"}, &error);
  EXPECT_FALSE(filter.has_value());
  EXPECT_NE(error.find("(unclosed"), std::string::npos) << error;
  EXPECT_FALSE(RuntimeFrameFilter::WithUserRegexes({"["}, nullptr).has_value());
}

TEST(MarkRuntimeFrames, HugeNamesAreNotMatchedAndDoNotCrash) {
  auto filter = RuntimeFrameFilter::WithUserRegexes({"(a|b)*c"}, nullptr);
  ASSERT_TRUE(filter.has_value());
  Frame f = InModule("/opt/app");
  f.function = std::string(100'000, 'a') + "c";
  EXPECT_FALSE(filter->IsRuntime(f));
  f.function = std::string(1000, 'a') + "c";
  EXPECT_TRUE(filter->IsRuntime(f));
  f.function = std::string(1100, 'a') + "c";
  EXPECT_FALSE(filter->IsRuntime(f));
}

TEST(MarkRuntimeFrames, NoUserFrameMeansNoSite) {
  ThreadSnapshot t;
  t.frames = {InModule("/usr/lib/x86_64-linux-gnu/libc.so.6"),
              InModule("[vdso]")};
  MarkRuntimeFrames(t, RuntimeFrameFilter());
  EXPECT_EQ(t.site_frame, -1);
  EXPECT_EQ(t.Site(), WaitSite{});

  ThreadSnapshot empty;
  empty.site_frame = 3;
  MarkRuntimeFrames(empty, RuntimeFrameFilter());
  EXPECT_EQ(empty.site_frame, -1);
}

TEST(MarkRuntimeFrames, UnknownFramesAreUserCode) {
  // A pc in no module (JIT code, a bad unwind) is not ours to hide.
  ThreadSnapshot t;
  t.frames = {InModule("/usr/lib/x86_64-linux-gnu/libc.so.6"), Frame{}};
  t.frames[1].pc = 0x1234;
  MarkRuntimeFrames(t, RuntimeFrameFilter());
  EXPECT_EQ(t.site_frame, 1);
}

}  // namespace
}  // namespace parkscope
