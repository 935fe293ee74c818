#include "proc/task_files.h"

#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "proc/sched_parser.h"

namespace parkscope {
namespace {

Tid OurTid() { return static_cast<Tid>(syscall(SYS_gettid)); }

TEST(TaskFiles, ReadsAThreadsFilesRelativeToItsTaskDirectory) {
  TaskFiles files(getpid());
  ReadResult stat = files.Read(OurTid(), "stat", 4096);
  ASSERT_TRUE(stat.ok()) << "errno " << stat.err;
  EXPECT_EQ(stat.text.rfind(std::to_string(OurTid()) + " (", 0), 0u) << stat.text;
  ReadResult cut = files.Read(OurTid(), "stat", 8);
  EXPECT_TRUE(cut.truncated);
  EXPECT_EQ(cut.text.size(), 8u);
}

TEST(TaskFiles, MissingThreadOrProcessIsAnErrno) {
  TaskFiles files(getpid());
  ReadResult missing = files.Read(0x7ffffff0, "stat", 4096);
  EXPECT_EQ(missing.err, ENOENT);
  TaskFiles gone(0x7ffffff0);  // no such process: every read fails, none crashes
  EXPECT_FALSE(gone.Read(OurTid(), "stat", 4096).ok());
  KeptRecord kept;
  EXPECT_FALSE(gone.ReadAndKeep(OurTid(), "syscall", 512, &kept).ok());
  EXPECT_FALSE(kept.open());
  EXPECT_EQ(kept.ReadAgain(512).err, EBADF);
}

// A kept file read again is written afresh by the kernel: our own run time
// grows between two reads of schedstat from one descriptor.
TEST(KeptRecord, ReadAgainGivesTheRecordAsItIsNow) {
  TaskFiles files(getpid());
  KeptRecord kept;
  ReadResult first = files.ReadAndKeep(OurTid(), "schedstat", 256, &kept);
  ASSERT_TRUE(first.ok()) << "errno " << first.err;
  auto before = ParseSchedstatRunNs(first.text);
  ASSERT_TRUE(before);
  volatile uint64_t spin = 0;
  for (int i = 0; i < 20'000'000; ++i) spin = spin + i;
  sched_yield();  // the run time is charged when we leave the CPU
  ReadResult second = kept.ReadAgain(256);
  ASSERT_TRUE(second.ok());
  auto after = ParseSchedstatRunNs(second.text);
  ASSERT_TRUE(after);
  EXPECT_GT(*after, *before);
}

}  // namespace
}  // namespace parkscope
