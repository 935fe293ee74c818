// What each endpoint of `parkscope watch` answers, from the latest sample,
// without any socket: the HTTP server (watch_server.h) only moves these
// responses. Every endpoint is read-only.
//
//   /debug/pprof/threads            gzipped profile.proto (pprof.h)
//   /debug/pprof/threads?debug=1|2  Go's goroutine profile texts (debug1, debug2)
//   /debug/pprof/threads?format=summary|json|debug1|debug2|pprof
//   /debug/pprof/                   an index of the above
//   /metrics                        Prometheus text format (prometheus.h)
//   /                               the HTML page (html.h); ?refresh=N reloads it
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>

#include "watch/watch_sample.h"

namespace parkscope {

struct EndpointResponse {
  int status = 200;
  std::string content_type;
  std::shared_ptr<const std::string> body;
  std::string content_disposition;  // set for downloads (the profile)
};

using QueryParams = std::map<std::string, std::string>;

// Responses larger than this are refused (binary, JSON) or cut at a line
// with a note saying so (text): whatever the target, a response is bounded.
inline constexpr size_t kMaxResponseBytes = 64u << 20;

// sample may be null (no sample yet): 503 with a one-line explanation.
EndpointResponse ThreadsEndpoint(const WatchSample* sample, const QueryParams& params);
EndpointResponse MetricsEndpoint(const WatchSample* sample);
EndpointResponse PageEndpoint(const WatchSample* sample, const QueryParams& params);
EndpointResponse PprofIndexEndpoint();

// Applies kMaxResponseBytes (or max_bytes) to a rendered body.
EndpointResponse Bounded(EndpointResponse response, size_t max_bytes = kMaxResponseBytes);

}  // namespace parkscope
