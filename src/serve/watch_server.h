// The HTTP side of `parkscope watch`: endpoints.h served from the latest
// published sample by the HTTP plugin (http_listener.h). Handlers run on a
// few worker threads and read an immutable sample through a shared
// pointer, so nothing they do (a slow client, a large rendering) can delay
// the sampler. Only GET (and HEAD) is served; nothing changes state.
#pragma once

#include <memory>
#include <string>

#include "serve/http_listener.h"
#include "watch/watch_sample.h"

namespace parkscope {

using WatchServerOptions = HttpListenerOptions;

class WatchServer {
 public:
  WatchServer(const LatestSample& latest, WatchServerOptions options);
  ~WatchServer();  // Stop()
  WatchServer(const WatchServer&) = delete;
  WatchServer& operator=(const WatchServer&) = delete;

  // Loads the plugin, binds and starts listening on a thread of its own.
  // False with *error (one line) when the plugin cannot be loaded or the
  // address cannot be bound.
  bool Start(std::string* error);
  int port() const { return listener_ ? listener_->port() : 0; }
  // Stops accepting, finishes what is in flight, joins the threads.
  void Stop();

 private:
  const LatestSample& latest_;
  WatchServerOptions options_;
  std::unique_ptr<HttpListener> listener_;
};

}  // namespace parkscope
