// libparkscope_http.so: serve/http_listener.h's listener on cpp-httplib.
// Handlers run on a few worker threads (bounded_task_queue.h); what they
// send comes from the routes' answers, which read an immutable sample, so
// nothing a client does (a slow read, a large rendering) can delay the
// sampler. Only GET (and HEAD) is served; nothing changes state.
#include <httplib.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "http/bounded_task_queue.h"
#include "serve/http_listener.h"

namespace parkscope {
namespace {

QueryParams FirstOfEach(const httplib::Params& params) {
  QueryParams first;
  for (const auto& [key, value] : params) first.emplace(key, value);  // emplace keeps the first
  return first;
}

void Send(const EndpointResponse& response, httplib::Response& res) {
  res.status = response.status;
  res.set_header("Cache-Control", "no-store");
  res.set_header("X-Content-Type-Options", "nosniff");
  // The page has no script and loads nothing: forbid both.
  res.set_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
  if (!response.content_disposition.empty()) {
    res.set_header("Content-Disposition", response.content_disposition);
  }
  // Served from the shared rendering, without copying it.
  auto body = response.body;
  res.set_content_provider(body->size(), response.content_type,
                           [body](size_t offset, size_t length, httplib::DataSink& sink) {
                             return sink.write(body->data() + offset,
                                               std::min(length, body->size() - offset));
                           });
}

class HttplibListener : public HttpListener {
 public:
  HttplibListener(const HttpListenerOptions& options, std::vector<HttpRoute> routes)
      : options_(options), routes_(std::move(routes)) {}
  ~HttplibListener() override { Stop(); }

  bool Start(std::string* error) override {
    httplib::Server& s = server_;
    const size_t threads = options_.threads, queued = options_.max_queued;
    s.new_task_queue = [threads, queued] { return new BoundedTaskQueue(threads, queued); };
    s.set_read_timeout(options_.read_timeout_seconds, 0);
    s.set_write_timeout(options_.write_timeout_seconds, 0);
    s.set_keep_alive_max_count(16);
    s.set_keep_alive_timeout(5);
    s.set_payload_max_length(4096);  // GET only: a request has no body to speak of
    // httplib's default also sets SO_REUSEPORT, which lets a second process
    // bind the same port and take half the connections; a port in use must
    // be an error instead. SO_REUSEADDR alone only skips TIME_WAIT.
    s.set_socket_options([](socket_t sock) {
      int yes = 1;
      setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    for (const HttpRoute& route : routes_) {
      s.Get(route.path, [&route](const httplib::Request& req, httplib::Response& res) {
        Send(route.answer(FirstOfEach(req.params)), res);
      });
    }
    const ListenAddress& a = options_.address;
    if (a.port == 0) {
      port_ = s.bind_to_any_port(a.host);
      if (port_ < 0) port_ = 0;
    } else if (s.bind_to_port(a.host, a.port)) {
      port_ = a.port;
    }
    if (port_ == 0) {
      *error = "cannot listen on " + a.host + ":" + std::to_string(a.port) + ": " +
               std::strerror(errno != 0 ? errno : EADDRINUSE);
      return false;
    }
    listener_ = std::thread([&s] { s.listen_after_bind(); });
    // httplib's stop() does nothing until listen has begun, so a Stop()
    // right after Start() would otherwise leave the listener running.
    for (int i = 0; i < 2000 && !s.is_running(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return true;
  }

  int port() const override { return port_; }

  void Stop() override {
    server_.stop();
    if (listener_.joinable()) listener_.join();
  }

 private:
  HttpListenerOptions options_;
  std::vector<HttpRoute> routes_;  // never changes once served: handlers hold references
  httplib::Server server_;
  std::thread listener_;
  int port_ = 0;
};

}  // namespace
}  // namespace parkscope

extern "C" __attribute__((visibility("default"))) parkscope::HttpListener*
parkscope_make_http_listener(const parkscope::HttpListenerOptions& options,
                             std::vector<parkscope::HttpRoute> routes) {
  return new parkscope::HttplibListener(options, std::move(routes));
}
