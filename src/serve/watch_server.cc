#include "serve/watch_server.h"

#include "serve/endpoints.h"

namespace parkscope {

WatchServer::WatchServer(const LatestSample& latest, WatchServerOptions options)
    : latest_(latest), options_(std::move(options)) {}

WatchServer::~WatchServer() { Stop(); }

bool WatchServer::Start(std::string* error) {
  const LatestSample& latest = latest_;
  std::vector<HttpRoute> routes = {
      {"/debug/pprof/threads",
       [&latest](const QueryParams& params) {
         auto sample = latest.Get();
         return ThreadsEndpoint(sample.get(), params);
       }},
      {"/debug/pprof/", [](const QueryParams&) { return PprofIndexEndpoint(); }},
      {"/metrics",
       [&latest](const QueryParams&) {
         auto sample = latest.Get();
         return MetricsEndpoint(sample.get());
       }},
      {"/",
       [&latest](const QueryParams& params) {
         auto sample = latest.Get();
         return PageEndpoint(sample.get(), params);
       }},
  };
  listener_ = MakeHttpListener(options_, std::move(routes), error);
  if (!listener_) return false;
  if (listener_->Start(error)) return true;
  listener_.reset();
  return false;
}

void WatchServer::Stop() {
  if (listener_) listener_->Stop();
}

}  // namespace parkscope
