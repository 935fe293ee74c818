#include "serve/listen_address.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace parkscope {

bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost") return true;
  const std::string text(host);
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;
}

std::optional<ListenAddress> ParseListenAddress(std::string_view text, std::string* error) {
  std::string_view host, port;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      *error = "--listen '" + std::string(text) + "': expected [IPV6]:PORT";
      return std::nullopt;
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) {
      *error = "--listen '" + std::string(text) + "': expected HOST:PORT (IPv6 as [ADDR]:PORT)";
      return std::nullopt;
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  ListenAddress address;
  address.host = std::string(host);
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), address.port);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || address.port < 0 ||
      address.port > 65535) {
    *error = "--listen '" + std::string(text) + "': the port must be a number from 0 to 65535";
    return std::nullopt;
  }
  const std::string h = address.host;
  in_addr v4{};
  in6_addr v6{};
  if (h.empty() || (h != "localhost" && inet_pton(AF_INET, h.c_str(), &v4) != 1 &&
                    inet_pton(AF_INET6, h.c_str(), &v6) != 1)) {
    *error = "--listen '" + std::string(text) +
             "': the host must be a numeric address or localhost (use 0.0.0.0 with "
             "--listen-any for every interface)";
    return std::nullopt;
  }
  address.loopback = IsLoopbackHost(h);
  return address;
}

}  // namespace parkscope
