// Where majlisd listens, as a user writes it: http://host:port (HTTP API and /ws on one port).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace majlis::client {

struct server_url {
  std::string host;  // name or address; IPv6 without brackets
  std::string port;  // "80" when the URL names none
};

// Accepts "http://host[:port][/]", "ws://host[:port][/...]" and a bare "host[:port]".
// IPv6 literals go in brackets ("http://[::1]:8080"). TLS (https, wss) is not supported:
// returns nullopt for it, as for anything it cannot read.
std::optional<server_url> parse_server_url(std::string_view text);

// Percent-encodes everything but RFC 3986 unreserved characters (for path segments and query
// values).
std::string percent_encode(std::string_view text);

}  // namespace majlis::client
