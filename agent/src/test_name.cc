// parkscope_test_begin / parkscope_test_end and the name they keep.
//
// The name lives in one static buffer under a seqlock; pthread_create
// copies it with CopyCurrentTestName. Rejected: an atomic pointer to one of
// two static buffers, swapped on each begin. A creator still copying the
// old buffer could see it rewritten two tests later, and nothing tells it;
// the seqlock does.
#include "test_name.h"

#include <sched.h>

#include "export.h"
#include "registry_sigsafe.h"

#define PARKSCOPE_ANNOTATE_LINKAGE PARKSCOPE_EXPORT
#define PARKSCOPE_ANNOTATE_DECLARATIONS_ONLY
#include "parkscope/annotate.h"

namespace parkscope::agent {
namespace {

char g_test_name[PARKSCOPE_TEST_NAME_MAX];
uint32_t g_test_name_seq;     // odd while a writer copies
uint32_t g_test_name_writer;  // 1 while a writer holds the buffer

// Writers are test runners, rare and never in signal handlers; spinning
// here is acceptable, readers never wait for it.
void SetTestName(const char* name) {
  uint32_t expected = 0;
  while (!__atomic_compare_exchange_n(&g_test_name_writer, &expected, 1, false,
                                      __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
    expected = 0;
    sched_yield();
  }
  const uint32_t seq = __atomic_load_n(&g_test_name_seq, __ATOMIC_RELAXED);
  __atomic_store_n(&g_test_name_seq, seq + 1, __ATOMIC_RELAXED);
  __atomic_thread_fence(__ATOMIC_RELEASE);
  CopyBoundedString(g_test_name, sizeof(g_test_name), name);
  __atomic_store_n(&g_test_name_seq, seq + 2, __ATOMIC_RELEASE);
  __atomic_store_n(&g_test_name_writer, 0, __ATOMIC_RELEASE);
}

}  // namespace

void CopyCurrentTestName(char (&out)[PARKSCOPE_TEST_NAME_MAX]) {
  constexpr int kAttempts = 16;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    const uint32_t before = __atomic_load_n(&g_test_name_seq, __ATOMIC_ACQUIRE);
    if ((before & 1u) != 0) continue;
    for (int i = 0; i < PARKSCOPE_TEST_NAME_MAX; ++i)
      out[i] = __atomic_load_n(&g_test_name[i], __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (__atomic_load_n(&g_test_name_seq, __ATOMIC_RELAXED) == before) {
      out[PARKSCOPE_TEST_NAME_MAX - 1] = '\0';
      return;
    }
  }
  out[0] = '\0';
}

void ResetTestNameAfterFork() {
  const uint32_t seq = __atomic_load_n(&g_test_name_seq, __ATOMIC_RELAXED);
  if ((seq & 1u) != 0) {
    g_test_name[0] = '\0';
    __atomic_store_n(&g_test_name_seq, seq + 1, __ATOMIC_RELEASE);
  }
  __atomic_store_n(&g_test_name_writer, 0, __ATOMIC_RELEASE);
}

}  // namespace parkscope::agent

extern "C" void parkscope_test_begin(const char* name) {
  parkscope::agent::SetTestName(name);
}

extern "C" void parkscope_test_end(const char*) {
  parkscope::agent::SetTestName("");
}
