// The interface of libparkscope_test_interposer.so, a second LD_PRELOAD
// library that interposes the functions the agent hooks most (mutex lock
// and trylock, cond wait and timedwait, nanosleep, read, pthread_create),
// forwards each through dlsym(RTLD_NEXT) and counts the calls made by the
// threads that asked to be counted. preload_mix_test.cc finds these
// functions with dlsym(RTLD_DEFAULT), in either preload order.
#pragma once

#include <stdint.h>

struct parkscope_test_interposer_counts {
  uint64_t mutex_lock_calls;
  uint64_t mutex_acquisitions;  // lock or trylock that returned 0
  uint64_t cond_wait_calls;
  uint64_t cond_timedwait_calls;
  uint64_t cond_timedwait_timeouts;  // returned ETIMEDOUT
  uint64_t nanosleep_calls;
  uint64_t read_calls;
  uint64_t read_bytes;  // sum of positive results
  uint64_t pthread_create_calls;
};

extern "C" {
// Counts the calling thread's calls from now on (threads it creates are
// not counted unless they call this too).
using ParkscopeTestInterposerCountMe = void (*)();
// A snapshot of the totals (relaxed loads).
using ParkscopeTestInterposerSnapshot = parkscope_test_interposer_counts (*)();
}

#define PARKSCOPE_TEST_INTERPOSER_COUNT_ME "parkscope_test_interposer_count_me"
#define PARKSCOPE_TEST_INTERPOSER_SNAPSHOT "parkscope_test_interposer_snapshot"
