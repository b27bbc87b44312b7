// What can go wrong between Majlis and Redis, as error codes (Boost.Redis style): every one of
// them is an expected outcome that callers map to UNAVAILABLE, not an exception.
#pragma once

#include <type_traits>

#include <boost/system/error_code.hpp>

namespace majlis::redis {

enum class error {
  not_connected = 1,  // the connection is down (or still connecting): the command was not sent
  too_many_pending,   // config::max_pending commands are already waiting for replies
  timeout,            // no reply within config::command_timeout
  connection_lost,    // the connection dropped after the command was sent: it may have run
  server_error,       // Redis answered with an error reply (result::value holds its text)
  protocol_error,     // the bytes from Redis are not RESP
  invalid_url,        // the Redis URL does not parse
  resolve_failed,     // the host name does not resolve
  connect_failed,     // TCP connect failed or timed out
  handshake_failed,   // AUTH, SELECT or CLIENT SETNAME was refused or timed out
  stopped,            // stop() was called
};

const boost::system::error_category& error_category();
boost::system::error_code make_error_code(error e);

}  // namespace majlis::redis

template <>
struct boost::system::is_error_code_enum<majlis::redis::error> : std::true_type {};
