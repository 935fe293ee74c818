// Symbol visibility for the agent. The agent is built with
// -fvisibility=hidden; only what carries PARKSCOPE_EXPORT is in .dynsym: the
// hooks (which must interpose libc's names), the registry header and the
// annotation API.
#pragma once

#define PARKSCOPE_EXPORT __attribute__((visibility("default")))

#define PARKSCOPE_LIKELY(x) __builtin_expect(!!(x), 1)
#define PARKSCOPE_UNLIKELY(x) __builtin_expect(!!(x), 0)
