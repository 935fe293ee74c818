// GoogleTest integration for parkscope's test mode.
//
// Link `parkscope_gtest` and install the listener (or link
// `parkscope_gtest_main`, which does it in its main()), and run the test
// binary under `parkscope run --check-leaks -- ./my_tests`. Every thread is
// then tagged with the test that was running when it was created, so a
// thread leaked by a helper called from one test is blamed on that test,
// even when later tests run before the process exits, and in every shard.
//
//   TEST(Pool, ShutsDown) {
//     Pool pool(4);
//     pool.Stop();
//     parkscope::VerifyNoLeaks();  // like goleak.VerifyNone(t)
//   }
//
// Without the agent (the binary not run under parkscope or LD_PRELOAD),
// the listener does nothing and VerifyNoLeaks passes with a note.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace parkscope {

// Tags threads with the running test (parkscope_test_begin/_end).
class TestListener : public ::testing::EmptyTestEventListener {
 public:
  void OnTestStart(const ::testing::TestInfo& info) override;
  void OnTestEnd(const ::testing::TestInfo& info) override;

 private:
  std::string current_;
};

// Appends a TestListener to GoogleTest's listeners (once).
void InstallTestListener();

// Fails the current test if threads it created are still alive once
// `settle` has passed (polled with backoff, like the exit check). The
// failure lists each thread: tid, name, what it is parked on, for how long,
// and where it was created.
void VerifyNoLeaks(std::chrono::milliseconds settle = std::chrono::milliseconds(500));

}  // namespace parkscope

// The spelling the issue and goleak users expect.
inline void ParkscopeVerifyNoLeaks() { parkscope::VerifyNoLeaks(); }
