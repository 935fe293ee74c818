// Pieces of text shared by the text reports (summary, debug1, debug2).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "model/snapshot.h"

namespace parkscope {

// The text with control bytes (newline, escape, ...) shown as \xNN, so a
// name or command line chosen by the target cannot break a report's lines.
std::string Printable(std::string_view text);

// "1 thread", "80 threads".
std::string CountOf(size_t n, std::string_view noun);

// A thread name in double quotes. Thread names are chosen by the target and
// may hold anything but NUL: '"' and '\' are escaped, and control bytes
// print as \xNN so a name cannot break a report's lines.
std::string QuoteName(std::string_view name);

// The frame's function, cleaned (CleanFunctionName) and Printable; "" when
// unknown.
std::string FunctionOf(const Frame& frame);

// Where a frame is when nothing better is known: "module+0xoffset", or
// "0xPC" without a module. With short_module the module is its file name.
std::string AddressOf(const Frame& frame, bool short_module);

// "1234", or "1234 (ns 2)" when the target knows the thread by another
// number in its own pid namespace (a container): the number its logs use.
std::string TidText(const ThreadSnapshot& thread);

// "held by thread 1237" for lock waits, "joining thread 1237" for join;
// "" when the owner is unknown.
std::string OwnerPhrase(const WaitState& wait);

// The creator's frame Go would show: the first non-runtime frame, else the
// first frame; nullptr when there is none.
const Frame* CreatorFrame(const CreatedBy& created_by);

// The threads as the per-thread reports list them: the threads of the first
// group (tids ascending), then of the next group, ...; threads in no group
// (Analyze not run) follow in tid order. Never lists a thread twice.
std::vector<const ThreadSnapshot*> ThreadsInGroupOrder(
    const ProcessSnapshot& snapshot);

// Go's traceback elision (runtime/traceback.go tracebackInnerFrames and
// tracebackOuterFrames): a stack deeper than 100 frames prints its first 50
// and last 50 with "...N frames elided..." between.
constexpr size_t kInnerFrames = 50;
constexpr size_t kOuterFrames = 50;
struct FrameElision {
  size_t head = 0;    // frames [0, head) print
  size_t elided = 0;  // then this many are skipped
};
FrameElision ElideFrames(size_t frame_count);

}  // namespace parkscope
