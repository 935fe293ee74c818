/*
 * parkscope annotation API.
 *
 * Lets a program say why a thread is about to wait, in its own words
 * ("chan send", "waiting for work"), so a parkscope dump shows that instead
 * of the primitive underneath (a condition variable, a futex).
 *
 * NO LINK DEPENDENCY
 *   Every function here is declared weak. A program that includes this
 *   header needs neither -lparkscope_agent nor the agent at run time: when
 *   libparkscope_agent.so is not loaded, the symbols resolve to null and the
 *   inline wrappers (PARKSCOPE_WAIT_BEGIN, parkscope::WaitAnnotation, ...) do
 *   nothing beyond one well-predicted null check. When the agent is
 *   LD_PRELOADed, the same binary's calls reach it. Call the upper-case
 *   wrappers, or test the function pointer yourself before calling a
 *   lower-case function: calling a null weak function crashes.
 *
 * SIGNAL SAFETY
 *   parkscope_wait_begin and parkscope_wait_end are async-signal-safe and do
 *   not allocate, lock or make system calls other than clock_gettime.
 */
#ifndef PARKSCOPE_ANNOTATE_H_
#define PARKSCOPE_ANNOTATE_H_

#ifdef __cplusplus
extern "C" {
#endif

/* The agent defines this as plain default visibility before including the
 * header; everyone else gets weak references. */
#ifndef PARKSCOPE_ANNOTATE_LINKAGE
#define PARKSCOPE_ANNOTATE_LINKAGE __attribute__((weak, visibility("default")))
#endif

/*
 * parkscope_wait_begin(reason, object)
 *   Marks the calling thread as parked for `reason` on `object` from now
 *   until the matching parkscope_wait_end(). A dump shows `reason` as the
 *   thread's wait reason, `object` as the object it waits on, and the time
 *   since this call as the blocked duration.
 *
 *   reason  NUL-terminated text, copied (the caller may free it right after
 *           the call). Truncated to 31 bytes. NULL is recorded as "".
 *   object  any address that identifies what the thread waits for (a
 *           channel, a queue); recorded, never dereferenced. May be NULL.
 *
 *   Blocking calls made inside the region (a condition variable wait, a
 *   futex, a read) do not replace the annotation: the annotation is the
 *   more meaningful, outer reason. They are recorded again as soon as the
 *   region ends.
 *
 *   Regions nest: an inner begin replaces the reason until its end, which
 *   restores the outer one. The agent records up to 4 levels; deeper
 *   begin/end pairs are counted and otherwise ignored. An end without a
 *   begin is ignored.
 *
 *   Also records the return address into the caller as the annotation site,
 *   so the dump can name the line that started the wait.
 */
PARKSCOPE_ANNOTATE_LINKAGE void parkscope_wait_begin(const char* reason,
                                                     const void* object);

/*
 * parkscope_wait_end()
 *   Ends the innermost region opened by parkscope_wait_begin on this thread
 *   and restores what the thread showed before it (running, or the outer
 *   region).
 */
PARKSCOPE_ANNOTATE_LINKAGE void parkscope_wait_end(void);

/*
 * parkscope_test_begin(name)
 *   Tells the agent that the test `name` (for example "Suite.Case") is now
 *   running. Every thread created until parkscope_test_end() carries the
 *   name in its registry slot, so a dump of a leaked or hung thread names
 *   the test that started it. Process-wide, not per thread: a later begin
 *   replaces the name. Copied; truncated to 63 bytes. Not async-signal-safe
 *   with respect to itself: call begin/end from one thread at a time (a test
 *   runner's main thread).
 *
 * parkscope_test_end(name)
 *   Clears the current test name. `name` is informational; the current name
 *   is cleared whatever it is.
 */
PARKSCOPE_ANNOTATE_LINKAGE void parkscope_test_begin(const char* name);
PARKSCOPE_ANNOTATE_LINKAGE void parkscope_test_end(const char* name);

/* The agent itself (which defines the functions, so they are never null)
 * sets PARKSCOPE_ANNOTATE_DECLARATIONS_ONLY and skips the wrappers. */
#ifndef PARKSCOPE_ANNOTATE_DECLARATIONS_ONLY

/* Wrappers that do nothing when the agent is absent. always_inline keeps the
 * annotation site inside the caller even at -O0. */
static inline __attribute__((always_inline)) void PARKSCOPE_WAIT_BEGIN(
    const char* reason, const void* object) {
  if (parkscope_wait_begin) parkscope_wait_begin(reason, object);
}

static inline __attribute__((always_inline)) void PARKSCOPE_WAIT_END(void) {
  if (parkscope_wait_end) parkscope_wait_end();
}

static inline __attribute__((always_inline)) void PARKSCOPE_TEST_BEGIN(
    const char* name) {
  if (parkscope_test_begin) parkscope_test_begin(name);
}

static inline __attribute__((always_inline)) void PARKSCOPE_TEST_END(
    const char* name) {
  if (parkscope_test_end) parkscope_test_end(name);
}

/* Nonzero when the agent is loaded into this process. */
static inline int PARKSCOPE_AGENT_PRESENT(void) {
  return parkscope_wait_begin != 0;
}

#endif /* PARKSCOPE_ANNOTATE_DECLARATIONS_ONLY */

#ifdef __cplusplus
} /* extern "C" */

#ifndef PARKSCOPE_ANNOTATE_DECLARATIONS_ONLY
namespace parkscope {

// Annotates the enclosing scope:
//
//   {
//     parkscope::WaitAnnotation parked("chan send", &channel);
//     channel.cv.wait(lock, [&] { return channel.has_room(); });
//   }
//
// The thread shows "chan send" on &channel while the object lives.
class WaitAnnotation {
 public:
  __attribute__((always_inline)) explicit WaitAnnotation(
      const char* reason, const void* object = nullptr) noexcept {
    PARKSCOPE_WAIT_BEGIN(reason, object);
  }
  __attribute__((always_inline)) ~WaitAnnotation() { PARKSCOPE_WAIT_END(); }

  WaitAnnotation(const WaitAnnotation&) = delete;
  WaitAnnotation& operator=(const WaitAnnotation&) = delete;
};

// Names the running test for every thread created while the object lives.
class TestAnnotation {
 public:
  explicit TestAnnotation(const char* name) noexcept : name_(name) {
    PARKSCOPE_TEST_BEGIN(name_);
  }
  ~TestAnnotation() { PARKSCOPE_TEST_END(name_); }

  TestAnnotation(const TestAnnotation&) = delete;
  TestAnnotation& operator=(const TestAnnotation&) = delete;

 private:
  const char* name_;
};

}  // namespace parkscope
#endif /* PARKSCOPE_ANNOTATE_DECLARATIONS_ONLY */
#endif /* __cplusplus */

#endif /* PARKSCOPE_ANNOTATE_H_ */
