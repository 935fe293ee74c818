#include "symbolize/demangle.h"

#include <gtest/gtest.h>

namespace parkscope {
namespace {

TEST(Demangle, CppNames) {
  EXPECT_EQ(Demangle("_Z6workerR7Channel"), "worker(Channel&)");
  EXPECT_EQ(Demangle("_ZNSt6thread4joinEv"), "std::thread::join()");
}

TEST(Demangle, PlainCNamesStayAsTheyAre) {
  // __cxa_demangle would turn "w" into "wchar_t".
  EXPECT_EQ(Demangle("w"), "w");
  EXPECT_EQ(Demangle("main"), "main");
  EXPECT_EQ(Demangle(""), "");
}

TEST(Demangle, VersionSuffixDropped) {
  EXPECT_EQ(Demangle("pthread_cond_wait@@GLIBC_2.3.2"), "pthread_cond_wait");
  EXPECT_EQ(Demangle("memcpy@GLIBC_2.2.5"), "memcpy");
  EXPECT_EQ(StripSymbolVersion("a@@b"), "a");
}

TEST(Demangle, CloneSuffixesDropped) {
  EXPECT_EQ(Demangle("__new_sem_wait_slow64.constprop.0"), "__new_sem_wait_slow64");
  EXPECT_EQ(Demangle("_Z3foov.isra.0"), "foo()");
  EXPECT_EQ(Demangle("_Z3foov.cold"), "foo()");
  EXPECT_EQ(Demangle("main.cold"), "main");
  EXPECT_EQ(StripCloneSuffix("f() [clone .part.0] [clone .cold]"), "f()");
}

TEST(Demangle, GarbageIsReturnedNotCrashed) {
  EXPECT_EQ(Demangle("_Z"), "_Z");
  EXPECT_EQ(Demangle("_ZZZZZZ"), "_ZZZZZZ");
  std::string long_name = "_Z" + std::string(100000, 'N');
  EXPECT_EQ(Demangle(long_name), long_name);
}

}  // namespace
}  // namespace parkscope
