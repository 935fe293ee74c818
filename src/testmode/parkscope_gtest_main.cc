// main() for test binaries that want per-test thread attribution without
// writing their own: GoogleTest's, plus parkscope's listener.
#include <gtest/gtest.h>

#include "testmode/parkscope_gtest.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  parkscope::InstallTestListener();
  return RUN_ALL_TESTS();
}
