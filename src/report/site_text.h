// Wait sites and names as one short line of valid UTF-8, for the places
// where a whole report does not fit: Prometheus labels, pprof labels, the
// watch daemon's log lines and the HTML page.
#pragma once

#include <string>
#include <string_view>

#include "model/snapshot.h"

namespace parkscope {

// "fanout_leak.cc:43 (anonymous namespace)::Channel<int>::Send(int)": the
// file's basename and line, then the cleaned function shortened to 120
// characters (ShortenName). Without a file, the function alone; with
// neither, "unknown". Always valid UTF-8.
std::string SiteText(const WaitSite& site);

// text with every byte sequence that is not valid UTF-8 replaced by U+FFFD.
// Thread names and paths are bytes chosen by the target; Prometheus, JSON
// and HTML all require UTF-8.
std::string ValidUtf8(std::string_view text);

}  // namespace parkscope
