// What every majlisctl verb shares: the global options, the exit codes and how a verb runs its
// coroutine and reports an error.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "majlis/client/server_url.hpp"
#include "majlis/v1/common.pb.h"

namespace majlis::ctl {

// Exit statuses, documented in `majlisctl --help`.
enum exit_status : int {
  exit_ok = 0,
  exit_unavailable = 1,  // no answer: connection refused, lost, timed out; or the server failed (5xx)
  exit_rejected = 2,     // the server answered no: a rejected command or join, an HTTP 4xx
  exit_usage = 64,       // bad command line
};

struct global_options {
  std::string server = "http://127.0.0.1:8080";
  std::string admin_key;  // --admin-key or MAJLIS_ADMIN_KEY
  std::string token;      // --token or MAJLIS_TOKEN
  std::string meeting;    // --meeting or MAJLIS_MEETING
  bool json_frames = false;
  int timeout_ms = 10'000;
};

// "NOT_FOUND" for ERROR_CODE_NOT_FOUND.
std::string error_code_name(v1::ErrorCode code);

// Prints "error: CODE: message" to stderr and returns `status`.
int report_error(std::string_view code, std::string_view message, int status);

// The server address from --server, or a usage error printed (nullopt).
std::optional<client::server_url> server_address(const global_options& options);

// Runs `body` on a fresh io_context until it returns; its value is the exit status.
int run_verb(const std::function<boost::asio::awaitable<int>(boost::asio::any_io_executor)>& body);

}  // namespace majlis::ctl
