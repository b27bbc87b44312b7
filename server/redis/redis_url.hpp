// Where Redis is: `redis://[[user]:password@]host[:port][/db]`, parsed once at start-up.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace majlis::redis {

struct redis_url {
  std::string host = "127.0.0.1";  // a name, an IPv4 address, or an IPv6 address without []
  uint16_t port = 6379;
  std::string username;  // empty: AUTH with the password only (the "default" user)
  std::string password;  // empty: no AUTH
  int database = 0;      // SELECT when not 0
};

// Parses `redis://…`; user and password may be percent-encoded. nullopt when it is not a valid
// Redis URL (another scheme, a bad port or database number, an empty host, `rediss://`).
std::optional<redis_url> parse_redis_url(std::string_view text);

// The URL without its password, for logs.
std::string to_loggable_string(const redis_url& url);

}  // namespace majlis::redis
