// Blocking syscalls that a ptrace stop makes return EINTR to the program
// instead of restarting transparently. Measured on this project's kernel by
// tests/e2e/disturbed_calls_test (which fails when this list goes stale):
// every other wait (futex, condvar, mutex, sem, sleep, poll, select, mq,
// read, recv and accept without timeouts) restarts with its timeout intact.
// signal(7), "Interruption of system calls ... by stop signals" lists the
// same family. The collector does not stop threads parked in these calls by
// default; it unwinds them from /proc/PID/task/TID/syscall instead.
#pragma once

#include <string_view>

#include "model/snapshot.h"

namespace parkscope {

// nr is the syscall number from /proc/PID/task/TID/syscall.
bool IsAlwaysDisturbedByStop(int nr);

// Socket calls (recv, accept, send, connect, read/write on a socket) return
// EINTR only when the socket has SO_RCVTIMEO / SO_SNDTIMEO set.
bool IsSocketCall(int nr);

// Looks the socket's timeouts up through pidfd_getfd on a duplicate of the
// target's descriptor (read-only: the target's socket is not changed).
// Returns true when a timeout is set, or when it cannot tell (so the caller
// errs on the side of not stopping).
bool SocketHasTimeout(Pid pid, long fd);

// Names of the always-disturbed calls, for the README and error messages.
std::string_view DisturbedCallsDescription();

}  // namespace parkscope
