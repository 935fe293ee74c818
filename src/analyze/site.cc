#include "analyze/site.h"

#include <array>

namespace parkscope {
namespace {

// Shell-style patterns over a module's file name. Only '*' is special, so
// "[vdso]" is literal (fnmatch(3) would read it as a character class).
constexpr std::array<std::string_view, 11> kRuntimeModules = {
    "libc.so*",      "libc-*.so", "libpthread*",
    "libstdc++.so*", "libgcc_s*", "ld-linux*",
    "ld-*.so*",      "libm.so*",  "libparkscope_agent*",
    "linux-vdso*",   "[vdso]",
};

// Libstdc++ and glibc headers. Code inlined from here (std::mutex::lock,
// std::condition_variable::wait) or instantiated from here
// (std::thread::_State_impl<...>::_M_run) is plumbing, never the site.
constexpr std::string_view kSystemHeaderDir = "/usr/include/";

// libstdc++'s regex executor recurses about once per subject character for
// patterns like "(a|b)*c": a 30,000-character name overflowed an 8 MiB stack
// in our test (a crash, not an exception), and under AddressSanitizer, whose
// frames are larger, 4,000 characters did. Demangled names past this length
// are template monsters no wrapper regex is written for; they never match.
constexpr size_t kMaxRegexSubject = 1024;

// Glob match with '*' only. Iterative with one backtrack point, so it is
// linear-ish and cannot recurse deeply on hostile names.
bool GlobMatch(std::string_view pattern, std::string_view name) {
  size_t p = 0, n = 0;
  size_t star = std::string_view::npos, star_n = 0;
  while (n < name.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_n = n;
    } else if (p < pattern.size() && pattern[p] == name[n]) {
      ++p;
      ++n;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      n = ++star_n;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::string_view Basename(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

std::optional<RuntimeFrameFilter> RuntimeFrameFilter::WithUserRegexes(
    const std::vector<std::string>& patterns, std::string* error) {
  RuntimeFrameFilter filter;
  for (const std::string& pattern : patterns) {
    try {
      filter.user_regexes_.emplace_back(
          pattern, std::regex::ECMAScript | std::regex::optimize);
    } catch (const std::regex_error& e) {
      if (error != nullptr) {
        *error =
            "invalid --runtime-frames regex '" + pattern + "': " + e.what();
      }
      return std::nullopt;
    }
  }
  return filter;
}

bool RuntimeFrameFilter::IsRuntimeModule(std::string_view module) {
  std::string_view name = Basename(module);
  if (name.empty()) return false;
  for (std::string_view pattern : kRuntimeModules) {
    if (GlobMatch(pattern, name)) return true;
  }
  return false;
}

bool RuntimeFrameFilter::IsRuntime(const Frame& frame) const {
  return IsRuntime(frame, IsRuntimeModule(frame.module));
}

bool RuntimeFrameFilter::IsRuntime(const Frame& frame, bool module_is_runtime) const {
  if (module_is_runtime) return true;
  if (frame.file.compare(0, kSystemHeaderDir.size(), kSystemHeaderDir) == 0) {
    return true;
  }
  if (frame.function.empty() || frame.function.size() > kMaxRegexSubject) {
    return false;
  }
  for (const std::regex& re : user_regexes_) {
    // libstdc++'s regex engine recurses per character and can throw
    // error_complexity or error_stack on huge template names; such a frame
    // simply does not match rather than failing the report.
    try {
      if (std::regex_search(frame.function, re)) return true;
    } catch (const std::regex_error&) {
    }
  }
  return false;
}

int MarkRuntimeFrames(std::vector<Frame>& frames,
                      const RuntimeFrameFilter& filter) {
  int site = -1;
  // Neighbouring frames mostly share a module, and matching its name against
  // every runtime pattern was most of the analysis of 1,000 threads.
  const std::string* last_module = nullptr;
  bool last_module_is_runtime = false;
  for (size_t i = 0; i < frames.size(); ++i) {
    if (last_module == nullptr || frames[i].module != *last_module) {
      last_module = &frames[i].module;
      last_module_is_runtime = RuntimeFrameFilter::IsRuntimeModule(*last_module);
    }
    frames[i].is_runtime = filter.IsRuntime(frames[i], last_module_is_runtime);
    if (site < 0 && !frames[i].is_runtime) site = static_cast<int>(i);
  }
  return site;
}

void MarkRuntimeFrames(ThreadSnapshot& thread,
                       const RuntimeFrameFilter& filter) {
  thread.site_frame = MarkRuntimeFrames(thread.frames, filter);
  // An annotated wait ("chan send") names the function that called
  // parkscope_wait_begin: the channel's own method. Its caller is the site,
  // as Go reports a channel send at the sending line, not inside the runtime.
  const std::string& wrapper = thread.wait.annotation_function;
  if (wrapper.empty() || thread.site_frame < 0) return;
  for (size_t i = static_cast<size_t>(thread.site_frame); i < thread.frames.size(); ++i) {
    if (thread.frames[i].function != wrapper) continue;
    for (size_t j = i + 1; j < thread.frames.size(); ++j) {
      if (!thread.frames[j].is_runtime) {
        for (size_t k = 0; k < j; ++k) thread.frames[k].is_runtime = true;
        thread.site_frame = static_cast<int>(j);
        return;
      }
    }
    return;
  }
}

}  // namespace parkscope
