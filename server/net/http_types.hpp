// Plain HTTP request and response values, so the app's routes never see Beast types.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

namespace majlis::net {

struct http_request {
  std::string method;                         // "GET", "POST", ...
  std::string path;                           // "/api/meetings/abc" (no query)
  std::map<std::string, std::string> query;   // decoded query parameters
  std::map<std::string, std::string> headers; // lower-case names
  std::string body;
  std::string remote_address;
};

struct http_response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Answers /api/*, /healthz, /readyz and /metrics. Everything else is served by net itself
// (static files, the /ws upgrade).
class http_handler {
 public:
  virtual ~http_handler() = default;
  virtual boost::asio::awaitable<http_response> handle(http_request request) = 0;
};

}  // namespace majlis::net
