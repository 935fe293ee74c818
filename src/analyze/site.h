// The wait site: the innermost frame of a stack that belongs to the user's
// code rather than to libc, libstdc++, the loader or our own agent. Two
// threads parked in pthread_cond_wait under different callers are parked at
// different sites; the site is what reports group by and print first.
#pragma once

#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "model/snapshot.h"

namespace parkscope {

// Decides which frames are "runtime". Built-in rules:
//   - the module's file name (basename of Frame::module) is one of libc.so*,
//     libc-*.so, libpthread*, libstdc++.so*, libgcc_s*, ld-linux*, ld-*.so*,
//     libm.so*, libparkscope_agent*, linux-vdso*, [vdso];
//   - the frame's source file is under /usr/include/: libstdc++ headers
//     inlined into user code (std::mutex::lock [inlined] in std_mutex.h), so
//     the site is the user's line that called it, not the header's.
// User rules (--runtime-frames REGEX) mark the user's own wrappers, e.g. a
// channel class, as runtime so the site becomes their caller. A user regex is
// ECMAScript and is searched for (not anchored) in Frame::function; anchor it
// with ^ and $ to match whole names. Names longer than 1024 characters are
// not matched (std::regex recursion would risk the stack; see site.cc).
class RuntimeFrameFilter {
 public:
  // Built-in rules only.
  RuntimeFrameFilter() = default;

  // Built-in rules plus the user's regexes. Returns nullopt and sets *error
  // (when error is not null) to a message naming the bad pattern when one
  // does not compile.
  static std::optional<RuntimeFrameFilter> WithUserRegexes(
      const std::vector<std::string>& patterns, std::string* error);

  bool IsRuntime(const Frame& frame) const;
  // The same, with the module rule's answer for frame.module already known.
  bool IsRuntime(const Frame& frame, bool module_is_runtime) const;

  // The module rule alone, on a module path or file name.
  static bool IsRuntimeModule(std::string_view module);

 private:
  std::vector<std::regex> user_regexes_;
};

// Sets Frame::is_runtime on every frame and returns the index of the
// innermost frame that is not runtime, or -1 when there is none.
int MarkRuntimeFrames(std::vector<Frame>& frames,
                      const RuntimeFrameFilter& filter);

// Marks the thread's frames and sets ThreadSnapshot::site_frame.
void MarkRuntimeFrames(ThreadSnapshot& thread,
                       const RuntimeFrameFilter& filter);

}  // namespace parkscope
