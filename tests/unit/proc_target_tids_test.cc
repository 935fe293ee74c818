// TargetTids: our tids against the ones a container's process sees.
#include <gtest/gtest.h>

#include <unistd.h>

#include "proc/target_tids.h"

namespace parkscope {
namespace {

TEST(TargetTids, SameNamespaceIsTheIdentity) {
  TargetTids same;
  EXPECT_FALSE(same.foreign());
  EXPECT_EQ(same.InTarget(4321), 4321);
  EXPECT_EQ(same.OnHost(7), 7);
}

TEST(TargetTids, ForeignMapsOnlyWhatWasAdded) {
  TargetTids tids;
  tids.SetForeign();
  tids.Add(5000, 1);
  tids.Add(5003, 2);
  EXPECT_EQ(tids.InTarget(5000), 1);
  EXPECT_EQ(tids.InTarget(5003), 2);
  EXPECT_EQ(tids.OnHost(2), 5003);
  // A number nobody mapped is no thread: not the host's 3, not the host's 5000.
  EXPECT_FALSE(tids.OnHost(3).has_value());
  EXPECT_FALSE(tids.OnHost(5000).has_value());
  EXPECT_FALSE(tids.InTarget(1).has_value());
}

TEST(InnermostNsTid, TakesTheLastLevel) {
  const std::string head = "Name:\tw\nState:\tS (sleeping)\nTgid:\t4000\n";
  EXPECT_EQ(InnermostNsTid(head + "NSpid:\t4000\t17\t1\n"), 1);
  EXPECT_EQ(InnermostNsTid(head + "NSpid:\t4000\n"), 4000);
  EXPECT_FALSE(InnermostNsTid(head).has_value());  // before Linux 4.1
  EXPECT_FALSE(InnermostNsTid(head + "NSpid:\t4000\tx\n").has_value());
  EXPECT_FALSE(InnermostNsTid("not a status file").has_value());
}

TEST(ReadTargetTids, OurOwnProcessSharesOurNamespace) {
  const Tid self = static_cast<Tid>(gettid());
  TargetTids tids = ReadTargetTids(getpid(), {self});
  EXPECT_FALSE(tids.foreign());
  EXPECT_EQ(tids.InTarget(self), self);
}

}  // namespace
}  // namespace parkscope
