// Request-target parsing for the HTTP routes: path, query string, percent-decoding.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace majlis::net {

// "%41b" -> "Ab"; with plus_as_space, '+' -> ' ' (query strings). nullopt on a bad escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_as_space = false);

// "/a/b?x=1" -> {"/a/b", "x=1"}; a fragment is dropped.
struct split_target_result {
  std::string_view path;
  std::string_view query;
};
split_target_result split_target(std::string_view target);

// "a=1&b=x%20y&c" -> {a:1, b:"x y", c:""}. Pairs that do not decode are skipped; for a repeated
// name, the first value wins.
std::map<std::string, std::string> parse_query(std::string_view query);

// The origin of an absolute http(s) URL, as browsers send it in an Origin header: lower-case
// scheme and host, the port only when it is not the scheme's default, no path.
// "HTTPS://Example.org:443/x" -> "https://example.org"; nullopt if it is not http(s)://host….
std::optional<std::string> origin_of(std::string_view url);

// Whether a /ws upgrade with this Origin header may go on. `origin` nullopt: no Origin header
// (not a browser), always allowed. "*" in `allowed` allows any origin.
bool origin_allowed(const std::optional<std::string>& origin,
                    const std::vector<std::string>& allowed);

}  // namespace majlis::net
