// Request-target parsing for the HTTP routes: path, query string, percent-decoding.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

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

}  // namespace majlis::net
