// WebSocket close codes Majlis uses (documented in README "Close codes"), shared by the server
// that sends them and the clients that act on them.
#pragma once

#include <cstdint>

namespace majlis::protocol {

enum class close_code : std::uint16_t {
  normal = 1000,
  going_away = 1001,        // server shutting down (SIGTERM drain); reconnect elsewhere
  protocol_error = 1002,    // undecodable frame, Join missing or sent twice
  invalid_payload = 1007,   // bytes that are not a ClientMessage (bad protobuf or JSON)
  policy_violation = 1008,  // flood past the rate limit
  message_too_big = 1009,   // frame larger than the configured maximum
  internal_error = 1011,
  unauthenticated = 4001,   // forged, expired or other-meeting token
  join_timeout = 4002,      // no Join within the join timeout
  removed = 4003,           // the chair removed this participant; their tokens are refused
  not_found = 4004,         // the meeting does not exist
  slow_consumer = 4008,     // send queue overflowed; resume by seq
  idle_timeout = 4009,      // no frame (not even Ping) within the idle timeout
  in_lobby = 4010,          // registered, waiting for the chair to admit; join again later
  server_full = 4013,       // maximum connections reached
  too_many_connections = 4029,  // this participant or address holds its connection limit, or joins too fast
};

// A readable name for a close code ("slow_consumer", as in metrics labels); "unknown" for a
// value not listed above.
const char* close_code_name(close_code code);

}  // namespace majlis::protocol
