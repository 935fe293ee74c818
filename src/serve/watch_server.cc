#include "serve/watch_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "serve/bounded_task_queue.h"
#include "serve/endpoints.h"

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

}  // namespace

WatchServer::WatchServer(const LatestSample& latest, WatchServerOptions options)
    : latest_(latest), options_(std::move(options)), server_(std::make_unique<httplib::Server>()) {}

WatchServer::~WatchServer() { Stop(); }

void WatchServer::Route() {
  httplib::Server& s = *server_;
  s.Get("/debug/pprof/threads", [this](const httplib::Request& req, httplib::Response& res) {
    auto sample = latest_.Get();
    Send(ThreadsEndpoint(sample.get(), FirstOfEach(req.params)), res);
  });
  s.Get("/debug/pprof/",
        [](const httplib::Request&, httplib::Response& res) { Send(PprofIndexEndpoint(), res); });
  s.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    auto sample = latest_.Get();
    Send(MetricsEndpoint(sample.get()), res);
  });
  s.Get("/", [this](const httplib::Request& req, httplib::Response& res) {
    auto sample = latest_.Get();
    Send(PageEndpoint(sample.get(), FirstOfEach(req.params)), res);
  });
}

bool WatchServer::Start(std::string* error) {
  httplib::Server& s = *server_;
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
  Route();
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

void WatchServer::Stop() {
  if (!server_) return;
  server_->stop();
  if (listener_.joinable()) listener_.join();
}

}  // namespace parkscope
