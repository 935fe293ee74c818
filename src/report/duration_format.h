// Durations as the reports print them.
#pragma once

#include <cstdint>
#include <string>

namespace parkscope {

// A blocked duration for humans, truncated (never rounded up, so a value
// never reaches the next unit's boundary early) to the unit shown:
//   below 1 ms      "0s"       (sub-millisecond blocks are noise for a view
//                               of parked threads)
//   below 1 s       "850ms"
//   below 1 min     "12.3s"
//   below 1 h       "9m12s"    (seconds zero-padded: "9m05s")
//   below 1 day     "2h03m"
//   from 1 day      "3d04h"
// Negative input (a clock that went backwards) prints as "0s".
std::string FormatDuration(int64_t ns);

// The debug2 header's duration: ", N minutes" (whole minutes) when ns is at
// least one minute, else "". This is Go's goroutineheader rule, plural
// included ("1 minutes"): tools that parse Go dumps (goleak, panicparse)
// read the header's ", N minutes" and nothing finer, and humans used to Go
// dumps know that a missing duration means "under a minute". The exact
// duration is in the summary and JSON reports.
std::string FormatGoMinutes(int64_t ns);

// A pause or capture time: "45 us", "12.3 ms", "1.2 s" (truncated).
std::string FormatMicros(uint64_t us);

}  // namespace parkscope
