#include "majlis/client/server_url.hpp"

#include <algorithm>
#include <cctype>

namespace majlis::client {

std::optional<server_url> parse_server_url(std::string_view text) {
  if (const auto scheme_end = text.find("://"); scheme_end != std::string_view::npos) {
    const auto scheme = text.substr(0, scheme_end);
    if (scheme != "http" && scheme != "ws") return std::nullopt;
    text.remove_prefix(scheme_end + 3);
  }
  // Everything from the first '/' on (a path) is not part of the authority.
  text = text.substr(0, text.find('/'));
  server_url url;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    url.host = std::string(text.substr(1, close - 1));
    const auto rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port = rest.substr(1);
    }
  } else {
    const auto colon = text.find(':');
    url.host = std::string(text.substr(0, colon));
    if (colon != std::string_view::npos) port = text.substr(colon + 1);
  }
  if (url.host.empty()) return std::nullopt;
  if (port.empty()) {
    url.port = "80";
  } else {
    const bool digits = std::all_of(port.begin(), port.end(),
                                    [](unsigned char c) { return std::isdigit(c) != 0; });
    if (!digits || port.size() > 5 || std::stoul(std::string(port)) > 65535) return std::nullopt;
    url.port = std::string(port);
  }
  return url;
}

std::string percent_encode(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const unsigned char c : text) {
    if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0x0F]);
    }
  }
  return out;
}

}  // namespace majlis::client
