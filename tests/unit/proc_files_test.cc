#include "proc/proc_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <string>

namespace parkscope {
namespace {

std::string TempFileWith(const std::string& content) {
  char path[] = "/tmp/parkscope_proc_files_XXXXXX";
  int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  if (fd >= 0) {
    EXPECT_EQ(write(fd, content.data(), content.size()),
              static_cast<ssize_t>(content.size()));
    close(fd);
  }
  return path;
}

TEST(ProcFiles, PathsFollowProcLayout) {
  EXPECT_EQ(ProcPath(42, "status"), "/proc/42/status");
  EXPECT_EQ(ProcPath(42, "fd/7"), "/proc/42/fd/7");
  EXPECT_EQ(ProcPath(42, ""), "/proc/42");
  EXPECT_EQ(TaskPath(42, 43, "syscall"), "/proc/42/task/43/syscall");
  EXPECT_EQ(TaskPath(42, 43, ""), "/proc/42/task/43");
}

TEST(ProcFiles, ReadsWholeProcFile) {
  ReadResult read = ReadProcFile(ProcPath(getpid(), "status"));
  ASSERT_TRUE(read.ok()) << read.err;
  EXPECT_FALSE(read.truncated);
  EXPECT_NE(read.text.find("Tgid:\t" + std::to_string(getpid()) + "\n"),
            std::string::npos);
}

TEST(ProcFiles, ReadsFileLargerThanOneChunk) {
  std::string content(100'000, 'x');
  content.back() = '\n';
  std::string path = TempFileWith(content);
  ReadResult read = ReadProcFile(path);
  unlink(path.c_str());
  ASSERT_TRUE(read.ok());
  EXPECT_FALSE(read.truncated);
  EXPECT_EQ(read.text, content);
}

TEST(ProcFiles, StopsAtMaxBytesAndSaysSo) {
  std::string path = TempFileWith("0123456789");
  ReadResult cut = ReadProcFile(path, 4);
  ReadResult exact = ReadProcFile(path, 10);
  ReadResult none = ReadProcFile(path, 0);
  unlink(path.c_str());
  ASSERT_TRUE(cut.ok());
  EXPECT_EQ(cut.text, "0123");
  EXPECT_TRUE(cut.truncated);
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact.text, "0123456789");
  EXPECT_FALSE(exact.truncated);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none.text, "");
  EXPECT_TRUE(none.truncated);
}

TEST(ProcFiles, CapsAnEndlessFile) {
  // /dev/zero never reaches EOF: only the cap ends the read.
  ReadResult read = ReadProcFile("/dev/zero", 10'000);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read.text.size(), 10'000u);
  EXPECT_TRUE(read.truncated);
}

TEST(ProcFiles, MissingFileReportsErrno) {
  ReadResult read = ReadProcFile("/proc/self/no_such_leaf");
  EXPECT_FALSE(read.ok());
  EXPECT_EQ(read.err, ENOENT);
  EXPECT_EQ(read.text, "");
}

TEST(ProcFiles, ReadingADirectoryFails) {
  ReadResult read = ReadProcFile("/proc/self/task");
  EXPECT_FALSE(read.ok());
  EXPECT_EQ(read.err, EISDIR);
}

TEST(ProcFiles, ReadLinkOfProcExe) {
  std::optional<std::string> exe = ReadLink("/proc/self/exe");
  ASSERT_TRUE(exe.has_value());
  ASSERT_FALSE(exe->empty());
  EXPECT_EQ(exe->front(), '/');
  EXPECT_EQ(exe->find('\0'), std::string::npos);
}

TEST(ProcFiles, ReadLinkOfNonLinkOrMissingIsNullopt) {
  EXPECT_FALSE(ReadLink("/proc/self/status").has_value());
  EXPECT_FALSE(ReadLink("/proc/self/fd/999999").has_value());
  EXPECT_FALSE(ReadLink("").has_value());
}

}  // namespace
}  // namespace parkscope
