#include "global_options.hpp"

#include <exception>
#include <iostream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

namespace majlis::ctl {

std::string error_code_name(v1::ErrorCode code) {
  constexpr std::string_view prefix = "ERROR_CODE_";
  std::string name = v1::ErrorCode_Name(code);
  if (name.empty()) return "UNKNOWN_" + std::to_string(static_cast<int>(code));
  return name.starts_with(prefix) ? name.substr(prefix.size()) : name;
}

int report_error(std::string_view code, std::string_view message, int status) {
  std::cerr << "error: " << code << ": " << message << '\n';
  return status;
}

std::optional<client::server_url> server_address(const global_options& options) {
  auto url = client::parse_server_url(options.server);
  if (!url)
    report_error("INVALID_ARGUMENT",
                 "--server must look like http://host:port (TLS is not supported), not \"" +
                     options.server + "\"",
                 exit_usage);
  return url;
}

int run_verb(const std::function<boost::asio::awaitable<int>(boost::asio::any_io_executor)>& body) {
  boost::asio::io_context io;
  int status = exit_unavailable;
  boost::asio::co_spawn(io, body(io.get_executor()), [&](std::exception_ptr failure, int result) {
    if (failure) {
      try {
        std::rethrow_exception(failure);
      } catch (const std::exception& e) {
        status = report_error("INTERNAL", e.what(), exit_unavailable);
      }
      return;
    }
    status = result;
  });
  try {
    io.run();
  } catch (const std::exception& e) {
    return report_error("INTERNAL", e.what(), exit_unavailable);
  }
  return status;
}

}  // namespace majlis::ctl
