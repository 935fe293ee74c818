// The HTTP side of `parkscope watch`: cpp-httplib (Debian's
// libcpp-httplib-dev) serving endpoints.h from the latest published sample.
// Handlers run on a few worker threads (bounded_task_queue.h) and read an
// immutable sample through a shared pointer, so nothing they do (a slow
// client, a large rendering) can delay the sampler. Only GET (and HEAD) is
// served; nothing changes state.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "serve/listen_address.h"
#include "watch/watch_sample.h"

namespace httplib {
class Server;
}

namespace parkscope {

struct WatchServerOptions {
  ListenAddress address;
  size_t threads = 4;
  size_t max_queued = 16;  // accepted connections waiting for a worker
  // A client that sends nothing for this long is dropped; a trickling
  // client (slowloris) holds one worker at most this long per byte, and
  // there are only `threads` workers to hold.
  int read_timeout_seconds = 5;
  int write_timeout_seconds = 10;
};

class WatchServer {
 public:
  WatchServer(const LatestSample& latest, WatchServerOptions options);
  ~WatchServer();  // Stop()
  WatchServer(const WatchServer&) = delete;
  WatchServer& operator=(const WatchServer&) = delete;

  // Binds and starts listening on a thread of its own. False with *error
  // (one line) when the address cannot be bound.
  bool Start(std::string* error);
  int port() const { return port_; }
  // Stops accepting, finishes what is in flight, joins the threads.
  void Stop();

 private:
  void Route();

  const LatestSample& latest_;
  WatchServerOptions options_;
  std::unique_ptr<httplib::Server> server_;
  std::thread listener_;
  int port_ = 0;
};

}  // namespace parkscope
