// The HTTP listener behind `parkscope watch --listen`, and where it comes
// from: libparkscope_http.so, a plugin loaded only when a listener is
// wanted. cpp-httplib's compiled library (Debian's libcpp-httplib) brings
// OpenSSL and brotli with it, and loading and initialising those took 3 ms
// of every parkscope start, a twentieth of a dump of 1,000 threads that
// never serves anything.
//
// The plugin knows nothing of parkscope: it serves GET routes whose answers
// (serve/endpoints.h responses) come from functions the caller hands it.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "serve/endpoints.h"
#include "serve/listen_address.h"

namespace parkscope {

struct HttpListenerOptions {
  ListenAddress address;
  size_t threads = 4;
  size_t max_queued = 16;  // accepted connections waiting for a worker
  // A client that sends nothing for this long is dropped; a trickling
  // client (slowloris) holds one worker at most this long per byte, and
  // there are only `threads` workers to hold.
  int read_timeout_seconds = 5;
  int write_timeout_seconds = 10;
};

// One GET (and HEAD) path and what it answers, given the first value of
// each query parameter.
struct HttpRoute {
  std::string path;
  std::function<EndpointResponse(const QueryParams&)> answer;
};

class HttpListener {
 public:
  virtual ~HttpListener() = default;
  // Binds and starts listening on a thread of its own. False with *error
  // (one line) when the address cannot be bound.
  virtual bool Start(std::string* error) = 0;
  virtual int port() const = 0;
  // Stops accepting, finishes what is in flight, joins the threads.
  virtual void Stop() = 0;
};

// What the plugin exports, by this name.
using MakeHttpListenerFn = HttpListener* (*)(const HttpListenerOptions& options,
                                             std::vector<HttpRoute> routes);
inline constexpr char kMakeHttpListenerSymbol[] = "parkscope_make_http_listener";

// Loads the plugin ($PARKSCOPE_HTTP_PLUGIN, else beside this binary in the
// build tree or in ../lib/parkscope/ of the install tree) and makes a
// listener; null with *error (one line: what was searched, and why it
// failed) if the plugin cannot be loaded.
std::unique_ptr<HttpListener> MakeHttpListener(const HttpListenerOptions& options,
                                               std::vector<HttpRoute> routes,
                                               std::string* error);

}  // namespace parkscope
