/*
 * parkscope registry ABI, version 1.
 *
 * The agent (libparkscope_agent.so, LD_PRELOADed into a target) keeps one
 * record per thread: which blocking primitive the thread is parked on, on
 * which object, since when, and who created it. The collector reads those
 * records from outside with process_vm_readv. This header is the whole
 * contract between the two; it is C so both sides (and other tools) can use
 * it, and it has no dependencies beyond <stdint.h> and <stddef.h>.
 *
 * FINDING THE REGISTRY
 *   The agent exports one data symbol, `parkscope_registry` (.dynsym, type
 *   OBJECT), of type `struct parkscope_registry_header`. A reader locates the
 *   agent's mapping in /proc/PID/maps, looks the symbol up in the file's
 *   .dynsym and adds the load bias. The header is valid once `magic` reads
 *   PARKSCOPE_REGISTRY_MAGIC; the agent stores `magic` last, after every
 *   other header field. `version`, `header_size` and `slot_size` let a reader
 *   refuse layouts it does not know. The slots are an array of `slot_count`
 *   `struct parkscope_slot` at `slots_address` (an address in the target, in
 *   an anonymous private mapping: nothing is on disk or in shared memory).
 *
 * READING THE SLOTS (treat everything as hostile)
 *   Read slots [0, min(high_water, slot_count)). Every slot is a seqlock: the
 *   owning thread makes `seq` odd, stores the fields, then makes `seq` even.
 *   A remote reader copies the slot range once, copies it again (or re-reads
 *   just the `seq` words), and keeps a slot only if `seq` is even and equal in
 *   both copies; others are re-read a bounded number of times and then
 *   reported as torn. Use a slot only if its `state` is RUNNING or PARKED and
 *   `tid` > 0: a slot being claimed or released briefly shows state != FREE
 *   with tid == 0. Reject `reason` >= PARKSCOPE_REASON_COUNT, clamp
 *   `creation_depth` to PARKSCOPE_CREATION_MAX_PCS, and never trust the
 *   strings to be terminated: they are NUL-terminated when written by the
 *   agent, but a reader must bound them by their array size.
 *
 *   After fork() the child keeps only the forking thread's slot; the others
 *   are freed (and their tids would be the parent's anyway).
 *
 * CLOCKS
 *   All *_ns fields are CLOCK_MONOTONIC nanoseconds, comparable with the
 *   collector's own clock_gettime(CLOCK_MONOTONIC). Waits that are recorded
 *   on every call (IO_WAIT, EPOLL_WAIT, POLL, QUEUE_RECV, QUEUE_SEND) stamp
 *   `since_ns` with CLOCK_MONOTONIC_COARSE, which shares CLOCK_MONOTONIC's
 *   origin but lags it by up to one tick (1-10 ms), to keep the fast path
 *   cheap. Everything else uses CLOCK_MONOTONIC.
 */
#ifndef PARKSCOPE_REGISTRY_ABI_H_
#define PARKSCOPE_REGISTRY_ABI_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* "PSCOPRK1" as a big-endian number (in memory on x86_64: "1KRPOCSP"). */
#define PARKSCOPE_REGISTRY_MAGIC 0x5053434f50524b31ULL
#define PARKSCOPE_REGISTRY_VERSION 1u
#define PARKSCOPE_REGISTRY_SYMBOL "parkscope_registry"

/* Default slot count; the target can override it with the environment
 * variable PARKSCOPE_AGENT_SLOTS (read once, at agent initialisation). */
#define PARKSCOPE_DEFAULT_SLOT_COUNT 16384u
#define PARKSCOPE_MAX_SLOT_COUNT (1u << 20)

#define PARKSCOPE_CREATION_MAX_PCS 32
#define PARKSCOPE_ANNOTATION_MAX 32
#define PARKSCOPE_TEST_NAME_MAX 64

/* parkscope_registry_header.flags */
#define PARKSCOPE_REGISTRY_FLAG_READY 0x1u           /* slots mapped */
#define PARKSCOPE_REGISTRY_FLAG_CREATION_STACKS 0x2u /* creation_pcs filled */
#define PARKSCOPE_REGISTRY_FLAG_FORK_CHILD 0x4u      /* reset by fork() */

/* parkscope_slot.state */
enum parkscope_slot_state {
  PARKSCOPE_SLOT_FREE = 0,
  PARKSCOPE_SLOT_RUNNING = 1, /* owned by a thread that is not parked */
  PARKSCOPE_SLOT_PARKED = 2,  /* reason/object/since_ns describe the wait */
};

/* parkscope_slot.reason, and what parkscope_slot.object holds for each. */
enum parkscope_reason {
  PARKSCOPE_REASON_NONE = 0,     /* not parked */
  PARKSCOPE_REASON_MUTEX_LOCK,   /* pthread_mutex_t* */
  PARKSCOPE_REASON_RWLOCK_READ,  /* pthread_rwlock_t* */
  PARKSCOPE_REASON_RWLOCK_WRITE, /* pthread_rwlock_t* */
  PARKSCOPE_REASON_COND_WAIT,    /* pthread_cond_t* */
  PARKSCOPE_REASON_SEM_WAIT,     /* sem_t*, or the SysV semid for semop */
  PARKSCOPE_REASON_FUTEX_WAIT,   /* futex word address (futex_waitv: the
                                    struct futex_waitv array) */
  PARKSCOPE_REASON_JOIN,         /* pthread_t of the joined thread; match it
                                    against other slots' pthread_self */
  PARKSCOPE_REASON_BARRIER,      /* pthread_barrier_t* */
  PARKSCOPE_REASON_IO_WAIT,      /* file descriptor (read/write/recv/send/
                                    accept/connect/flock) */
  PARKSCOPE_REASON_EPOLL_WAIT,   /* epoll file descriptor */
  PARKSCOPE_REASON_POLL,         /* struct pollfd* (poll/ppoll) or the
                                    readfds fd_set* (select/pselect) */
  PARKSCOPE_REASON_SLEEP,        /* requested duration in ns for sleep() and
                                    usleep(); 0 for nanosleep/clock_nanosleep
                                    (the agent never dereferences user
                                    pointers) */
  PARKSCOPE_REASON_SIGNAL_WAIT,  /* sigset_t* (0 for pause) */
  PARKSCOPE_REASON_WAITPID,      /* pid or id argument, sign-extended
                                    (-1: any child) */
  PARKSCOPE_REASON_QUEUE_RECV,   /* mqd_t or SysV msqid */
  PARKSCOPE_REASON_QUEUE_SEND,   /* mqd_t or SysV msqid */
  PARKSCOPE_REASON_ANNOTATED,    /* user annotation: the text is in
                                    `annotation`, the object is the pointer
                                    passed to parkscope_wait_begin */
  PARKSCOPE_REASON_COUNT
};

/* The offset comments are aligned by hand. */
/* clang-format off */
struct parkscope_registry_header {
  uint64_t magic;           /*  0: PARKSCOPE_REGISTRY_MAGIC, stored last */
  uint32_t version;         /*  8: PARKSCOPE_REGISTRY_VERSION */
  uint32_t header_size;     /* 12: sizeof(struct parkscope_registry_header) */
  uint32_t slot_size;       /* 16: sizeof(struct parkscope_slot) */
  uint32_t slot_count;      /* 20: slots mapped at slots_address */
  uint64_t slots_address;   /* 24: target address of slot 0 */
  uint32_t high_water;      /* 32: slots ever claimed; bound for readers */
  uint32_t flags;           /* 36: PARKSCOPE_REGISTRY_FLAG_* */
  uint64_t agent_start_ns;  /* 40: CLOCK_MONOTONIC at agent initialisation */
  uint32_t slots_exhausted; /* 48: threads that found no free slot */
  uint32_t reserved0;       /* 52 */
  uint64_t reserved[9];     /* 56: zero */
};                          /* 128 bytes */

struct parkscope_slot {
  uint32_t seq;             /*   0: seqlock, odd while the owner writes */
  int32_t tid;              /*   4: kernel thread id; 0 while claimed or
                                    released */
  uint32_t state;           /*   8: enum parkscope_slot_state */
  uint32_t reason;          /*  12: enum parkscope_reason */
  uint64_t object;          /*  16: see enum parkscope_reason */
  uint64_t since_ns;        /*  24: start of the current wait (see CLOCKS) */
  int32_t creator_tid;      /*  32: tid that called pthread_create; 0 if the
                                    thread was not created through the agent
                                    (main thread, threads that existed before
                                    the agent loaded) */
  uint32_t creation_depth;  /*  36: valid entries in creation_pcs */
  uint64_t created_ns;      /*  40: CLOCK_MONOTONIC at pthread_create */
  uint64_t start_routine;   /*  48: start routine passed to pthread_create */
  uint64_t creation_pcs[PARKSCOPE_CREATION_MAX_PCS];
                            /*  56: pthread_create's callers, innermost first,
                                    raw return addresses (symbolize pc - 1);
                                    agent frames are already dropped */
  char annotation[PARKSCOPE_ANNOTATION_MAX];
                            /* 312: parkscope_wait_begin's reason,
                                    NUL-terminated, truncated */
  uint64_t annotation_site; /* 344: return address into the code that called
                                    parkscope_wait_begin */
  uint64_t pthread_self;    /* 352: pthread_self() of the owning thread */
  char test_name[PARKSCOPE_TEST_NAME_MAX];
                            /* 360: parkscope_test_begin's name current when
                                    the thread was created; empty if none */
  uint64_t reserved[4];     /* 424: zero */
};                          /* 456 bytes */

/* clang-format on */

/* The names the collector prints for each reason ("annotated" stands in for
 * the annotation text). Returns NULL for values out of range. */
static inline const char* parkscope_reason_name(uint32_t reason) {
  static const char* const kNames[PARKSCOPE_REASON_COUNT] = {
      "running",    "mutex lock", "rwlock read", "rwlock write", "cond wait",
      "sem wait",   "futex wait", "join",        "barrier",      "io wait",
      "epoll wait", "poll",       "sleep",       "signal wait",  "waitpid",
      "queue recv", "queue send", "annotated",
  };
  return reason < PARKSCOPE_REASON_COUNT ? kNames[reason] : NULL;
}

#ifdef __cplusplus
#define PARKSCOPE_ABI_ASSERT(condition) \
  static_assert(condition, "parkscope registry ABI changed: " #condition)
#else
#define PARKSCOPE_ABI_ASSERT(condition) \
  _Static_assert(condition, "parkscope registry ABI changed: " #condition)
#endif

PARKSCOPE_ABI_ASSERT(sizeof(struct parkscope_registry_header) == 128);
PARKSCOPE_ABI_ASSERT(offsetof(struct parkscope_registry_header, version) == 8);
PARKSCOPE_ABI_ASSERT(offsetof(struct parkscope_registry_header, slot_size) ==
                     16);
PARKSCOPE_ABI_ASSERT(offsetof(struct parkscope_registry_header,
                              slots_address) == 24);
PARKSCOPE_ABI_ASSERT(offsetof(struct parkscope_registry_header, high_water) ==
                     32);
PARKSCOPE_ABI_ASSERT(offsetof(struct parkscope_registry_header,
                              agent_start_ns) == 40);
PARKSCOPE_ABI_ASSERT(offsetof(struct parkscope_registry_header,
                              slots_exhausted) == 48);

PARKSCOPE_ABI_ASSERT(sizeof(struct parkscope_slot) == 456);
PARKSCOPE_ABI_ASSERT(offsetof(struct parkscope_slot, tid) == 4);
PARKSCOPE_ABI_ASSERT(offsetof(struct parkscope_slot, state) == 8);
PARKSCOPE_ABI_ASSERT(offsetof(struct parkscope_slot, reason) == 12);
PARKSCOPE_ABI_ASSERT(offsetof(struct parkscope_slot, object) == 16);
PARKSCOPE_ABI_ASSERT(offsetof(struct parkscope_slot, since_ns) == 24);
PARKSCOPE_ABI_ASSERT(offsetof(struct parkscope_slot, creator_tid) == 32);
PARKSCOPE_ABI_ASSERT(offsetof(struct parkscope_slot, creation_depth) == 36);
PARKSCOPE_ABI_ASSERT(offsetof(struct parkscope_slot, created_ns) == 40);
PARKSCOPE_ABI_ASSERT(offsetof(struct parkscope_slot, start_routine) == 48);
PARKSCOPE_ABI_ASSERT(offsetof(struct parkscope_slot, creation_pcs) == 56);
PARKSCOPE_ABI_ASSERT(offsetof(struct parkscope_slot, annotation) == 312);
PARKSCOPE_ABI_ASSERT(offsetof(struct parkscope_slot, annotation_site) == 344);
PARKSCOPE_ABI_ASSERT(offsetof(struct parkscope_slot, pthread_self) == 352);
PARKSCOPE_ABI_ASSERT(offsetof(struct parkscope_slot, test_name) == 360);
PARKSCOPE_ABI_ASSERT(offsetof(struct parkscope_slot, reserved) == 424);

#undef PARKSCOPE_ABI_ASSERT

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* PARKSCOPE_REGISTRY_ABI_H_ */
