// POSIX message queues (mq_*) and SysV message queues (msgrcv/msgsnd).
//
// All four mq functions are interposed because glibc implements
// mq_receive/mq_send on internal aliases of the timed ones, which a hook on
// the timed ones alone would miss (capture-facts §1). Whether a call will
// block depends on the queue's state and O_NONBLOCK, neither cheap to know,
// so every call is recorded with the coarse clock, except SysV calls with
// IPC_NOWAIT, which never block.
#include <mqueue.h>
#include <sys/msg.h>
#include <time.h>

#include "export.h"
#include "real_symbols.h"
#include "wait_scope.h"

using parkscope::agent::ObjectOf;
using parkscope::agent::WaitClock;
using parkscope::agent::WaitScope;

extern "C" PARKSCOPE_EXPORT ssize_t mq_receive(mqd_t queue, char* buffer,
                                               size_t length,
                                               unsigned* priority) {
  PARKSCOPE_REAL_OR_ERRNO(mq_receive);
  WaitScope parked(PARKSCOPE_REASON_QUEUE_RECV, ObjectOf(long{queue}),
                   WaitClock::kCoarse);
  return real_mq_receive(queue, buffer, length, priority);
}

extern "C" PARKSCOPE_EXPORT ssize_t
mq_timedreceive(mqd_t queue, char* buffer, size_t length, unsigned* priority,
                const struct timespec* abstime) {
  PARKSCOPE_REAL_OR_ERRNO(mq_timedreceive);
  WaitScope parked(PARKSCOPE_REASON_QUEUE_RECV, ObjectOf(long{queue}),
                   WaitClock::kCoarse);
  return real_mq_timedreceive(queue, buffer, length, priority, abstime);
}

extern "C" PARKSCOPE_EXPORT int mq_send(mqd_t queue, const char* message,
                                        size_t length, unsigned priority) {
  PARKSCOPE_REAL_OR_ERRNO(mq_send);
  WaitScope parked(PARKSCOPE_REASON_QUEUE_SEND, ObjectOf(long{queue}),
                   WaitClock::kCoarse);
  return real_mq_send(queue, message, length, priority);
}

extern "C" PARKSCOPE_EXPORT int mq_timedsend(mqd_t queue, const char* message,
                                             size_t length, unsigned priority,
                                             const struct timespec* abstime) {
  PARKSCOPE_REAL_OR_ERRNO(mq_timedsend);
  WaitScope parked(PARKSCOPE_REASON_QUEUE_SEND, ObjectOf(long{queue}),
                   WaitClock::kCoarse);
  return real_mq_timedsend(queue, message, length, priority, abstime);
}

extern "C" PARKSCOPE_EXPORT ssize_t msgrcv(int queue, void* message,
                                           size_t size, long type, int flags) {
  PARKSCOPE_REAL_OR_ERRNO(msgrcv);
  if (flags & IPC_NOWAIT) return real_msgrcv(queue, message, size, type, flags);
  WaitScope parked(PARKSCOPE_REASON_QUEUE_RECV, ObjectOf(long{queue}),
                   WaitClock::kCoarse);
  return real_msgrcv(queue, message, size, type, flags);
}

extern "C" PARKSCOPE_EXPORT int msgsnd(int queue, const void* message,
                                       size_t size, int flags) {
  PARKSCOPE_REAL_OR_ERRNO(msgsnd);
  if (flags & IPC_NOWAIT) return real_msgsnd(queue, message, size, flags);
  WaitScope parked(PARKSCOPE_REASON_QUEUE_SEND, ObjectOf(long{queue}),
                   WaitClock::kCoarse);
  return real_msgsnd(queue, message, size, flags);
}
