// PathInTargetRoot: the two shapes /proc/PID/maps gives a container's paths.
#include <gtest/gtest.h>

#include "proc/mapped_file.h"

namespace parkscope {
namespace {

TEST(PathInTargetRoot, CutsTheRootWeSeeFromAChrootsPaths) {
  EXPECT_EQ(PathInTargetRoot("/srv/ct", "/srv/ct/lib/libc.so.6"), "/lib/libc.so.6");
  EXPECT_EQ(PathInTargetRoot("/srv/ct/", "/srv/ct/lib/libc.so.6"), "/lib/libc.so.6");
}

TEST(PathInTargetRoot, KeepsPathsAlreadyInTheTargetsView) {
  // Same root as ours, unreadable root, a pivot_root'ed container.
  EXPECT_EQ(PathInTargetRoot("/", "/lib/libc.so.6"), "/lib/libc.so.6");
  EXPECT_EQ(PathInTargetRoot("", "/lib/libc.so.6"), "/lib/libc.so.6");
  EXPECT_EQ(PathInTargetRoot("/srv/ct", "/usr/bin/app"), "/usr/bin/app");
  // A prefix of a name is not a directory: /srv/ct2 is not under /srv/ct.
  EXPECT_EQ(PathInTargetRoot("/srv/ct", "/srv/ct2/bin/app"), "/srv/ct2/bin/app");
  // The root itself is no file.
  EXPECT_EQ(PathInTargetRoot("/srv/ct", "/srv/ct"), "/srv/ct");
}

}  // namespace
}  // namespace parkscope
