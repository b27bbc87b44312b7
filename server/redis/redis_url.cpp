#include "redis/redis_url.hpp"

#include <charconv>

namespace majlis::redis {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int high = hex_value(text[i + 1]);
    const int low = hex_value(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return out;
}

template <class Integer>
std::optional<Integer> parse_number(std::string_view text) {
  Integer value{};
  if (text.empty()) return std::nullopt;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<redis_url> parse_redis_url(std::string_view text) {
  constexpr std::string_view scheme = "redis://";
  if (!text.starts_with(scheme)) return std::nullopt;
  text.remove_prefix(scheme.size());

  redis_url url;
  // Everything after the authority: "/db", possibly with a query we do not support.
  const auto slash = text.find('/');
  std::string_view authority = text.substr(0, slash);
  if (slash != std::string_view::npos) {
    std::string_view path = text.substr(slash + 1);
    if (!path.empty()) {
      auto db = parse_number<int>(path);
      if (!db || *db < 0) return std::nullopt;
      url.database = *db;
    }
  }
  if (authority.find_first_of("?#") != std::string_view::npos) return std::nullopt;

  // The password may contain '@' only percent-encoded, so the last '@' ends the user info.
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    const std::string_view user_info = authority.substr(0, at);
    authority.remove_prefix(at + 1);
    const auto colon = user_info.find(':');
    auto user = percent_decode(user_info.substr(0, colon));
    if (!user) return std::nullopt;
    url.username = std::move(*user);
    if (colon != std::string_view::npos) {
      auto password = percent_decode(user_info.substr(colon + 1));
      if (!password) return std::nullopt;
      url.password = std::move(*password);
    } else {
      // "redis://secret@host" is read the way redis-cli reads it: a password, no user.
      url.password = std::move(url.username);
      url.username.clear();
    }
  }

  std::string_view host = authority;
  std::string_view port;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = authority.substr(1, close - 1);
    const std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (!rest.starts_with(':')) return std::nullopt;
      port = rest.substr(1);
      if (port.empty()) return std::nullopt;
    }
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (port.empty() || host.find(':') != std::string_view::npos) return std::nullopt;
  }
  if (host.empty()) return std::nullopt;
  url.host = std::string(host);
  if (!port.empty()) {
    auto number = parse_number<uint16_t>(port);
    if (!number || *number == 0) return std::nullopt;
    url.port = *number;
  }
  return url;
}

std::string to_loggable_string(const redis_url& url) {
  std::string out = "redis://";
  if (!url.username.empty() || !url.password.empty()) {
    out += url.username;
    if (!url.password.empty()) out += ":***";
    out += '@';
  }
  const bool ipv6 = url.host.find(':') != std::string::npos;
  out += ipv6 ? "[" + url.host + "]" : url.host;
  out += ':' + std::to_string(url.port);
  if (url.database != 0) out += '/' + std::to_string(url.database);
  return out;
}

}  // namespace majlis::redis
