#include <gtest/gtest.h>

#include "report/names.h"

namespace parkscope {
namespace {

TEST(CleanFunctionName, RemovesCloneAnnotations) {
  EXPECT_EQ(CleanFunctionName("Flusher::Run() [clone .isra.0]"),
            "Flusher::Run()");
  EXPECT_EQ(CleanFunctionName("f(int) [clone .constprop.0] [clone .cold]"),
            "f(int)");
  EXPECT_EQ(CleanFunctionName("g() [clone .part.0] const"), "g() const");
  EXPECT_EQ(CleanFunctionName("h() [clone .cold"),
            "h() [clone .cold");  // unclosed
  EXPECT_EQ(CleanFunctionName("S::operator()(int) const"),
            "S::operator()(int) const");
}

TEST(CleanFunctionName, RemovesCSuffixes) {
  EXPECT_EQ(CleanFunctionName("locker.cold"), "locker");
  EXPECT_EQ(CleanFunctionName("f.isra.0"), "f");
  EXPECT_EQ(CleanFunctionName("f.constprop.0.isra.0"), "f");
  EXPECT_EQ(CleanFunctionName("f.part.12.cold"), "f");
  EXPECT_EQ(CleanFunctionName("f.lto_priv.3"), "f");
  EXPECT_EQ(CleanFunctionName("f.localalias"), "f");
  // Not clone suffixes: left alone.
  EXPECT_EQ(CleanFunctionName("f.12"), "f.12");
  EXPECT_EQ(CleanFunctionName("f.isra"), "f.isra");
  EXPECT_EQ(CleanFunctionName(".cold"), ".cold");
  EXPECT_EQ(CleanFunctionName("printf(char const*, ...)"),
            "printf(char const*, ...)");
}

TEST(CleanFunctionName, RemovesSymbolVersions) {
  EXPECT_EQ(CleanFunctionName("pthread_mutex_lock@GLIBC_2.2.5"),
            "pthread_mutex_lock");
  EXPECT_EQ(CleanFunctionName("epoll_wait@@GLIBC_2.3.2"), "epoll_wait");
  EXPECT_EQ(CleanFunctionName("pthread_cond_wait@@GLIBC_2.3.2.cold"),
            "pthread_cond_wait");
  EXPECT_EQ(CleanFunctionName("@GLIBC_2.2.5"), "@GLIBC_2.2.5");  // nothing left
  EXPECT_EQ(CleanFunctionName("f@"), "f@");
  EXPECT_EQ(CleanFunctionName("a@b c"), "a@b c");  // not a version
}

TEST(CleanFunctionName, LeavesOrdinaryNames) {
  EXPECT_EQ(CleanFunctionName(""), "");
  EXPECT_EQ(CleanFunctionName("worker(Channel&)"), "worker(Channel&)");
  EXPECT_EQ(
      CleanFunctionName("std::vector<int, std::allocator<int> >::size() const"),
      "std::vector<int, std::allocator<int> >::size() const");
  EXPECT_EQ(CleanFunctionName("main::{lambda()#1}::operator()() const"),
            "main::{lambda()#1}::operator()() const");
}

TEST(ShortenName, KeepsStartAndEnd) {
  EXPECT_EQ(ShortenName("short"), "short");
  std::string exact(120, 'x');
  EXPECT_EQ(ShortenName(exact), exact);
  std::string name =
      "std::thread::_State_impl<" + std::string(200, 'T') + ">::_M_run()";
  std::string shortened = ShortenName(name);
  EXPECT_EQ(shortened.rfind("std::thread::_State_impl<", 0), 0u);
  EXPECT_EQ(shortened.substr(shortened.size() - 11), ">::_M_run()");
  EXPECT_NE(shortened.find("…"), std::string::npos);
  EXPECT_EQ(shortened.size(), 119u + std::string("…").size());
  EXPECT_EQ(ShortenName("abcdefghij", 5), "ab…ij");
}

TEST(ShortenName, NeverSplitsUtf8) {
  std::string name;
  for (int i = 0; i < 100; ++i) name += "é";      // 2 bytes each
  std::string shortened = ShortenName(name, 23);  // odd cut points
  // Valid UTF-8: every lead byte is followed by its continuation byte.
  for (size_t i = 0; i < shortened.size();) {
    unsigned char c = static_cast<unsigned char>(shortened[i]);
    size_t len = c < 0x80 ? 1 : c >= 0xE0 ? 3 : 2;
    ASSERT_LE(i + len, shortened.size());
    for (size_t k = 1; k < len; ++k) {
      ASSERT_EQ(static_cast<unsigned char>(shortened[i + k]) & 0xC0, 0x80);
    }
    i += len;
  }
}

TEST(Names, BasenameAndHex) {
  EXPECT_EQ(Basename("/src/app/fetch.cc"), "fetch.cc");
  EXPECT_EQ(Basename("fetch.cc"), "fetch.cc");
  EXPECT_EQ(Basename("/dir/"), "");
  EXPECT_EQ(Hex(0), "0x0");
  EXPECT_EQ(Hex(0x7f3a12c8e117), "0x7f3a12c8e117");
  EXPECT_EQ(Hex(UINT64_MAX), "0xffffffffffffffff");
}

}  // namespace
}  // namespace parkscope
