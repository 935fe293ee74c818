// Where `parkscope watch` listens. The endpoints show the target's stacks,
// thread names and command line to anyone who can connect, so only
// loopback addresses are accepted unless the user says --listen-any.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace parkscope {

struct ListenAddress {
  std::string host;  // as given, without IPv6 brackets: "127.0.0.1", "::1", "localhost"
  int port = 0;      // 0: any free port (the log says which)
  bool loopback = false;
};

// "HOST:PORT" or "[IPV6]:PORT". HOST must be a numeric address or
// "localhost" (a name would be resolved by whoever answers DNS, which is
// not a loopback guarantee). nullopt with *error (one line) when malformed.
std::optional<ListenAddress> ParseListenAddress(std::string_view text, std::string* error);

// Whether a numeric host is in 127.0.0.0/8, is ::1 or ::ffff:127.x.y.z, or
// is "localhost".
bool IsLoopbackHost(std::string_view host);

}  // namespace parkscope
