#include "majlis/protocol/close_code.hpp"

namespace majlis::protocol {

const char* close_code_name(close_code code) {
  switch (code) {
    case close_code::normal: return "normal";
    case close_code::going_away: return "going_away";
    case close_code::protocol_error: return "protocol_error";
    case close_code::invalid_payload: return "invalid_payload";
    case close_code::policy_violation: return "policy_violation";
    case close_code::message_too_big: return "message_too_big";
    case close_code::internal_error: return "internal_error";
    case close_code::unauthenticated: return "unauthenticated";
    case close_code::join_timeout: return "join_timeout";
    case close_code::removed: return "removed";
    case close_code::not_found: return "not_found";
    case close_code::slow_consumer: return "slow_consumer";
    case close_code::idle_timeout: return "idle_timeout";
    case close_code::in_lobby: return "in_lobby";
    case close_code::server_full: return "server_full";
    case close_code::too_many_connections: return "too_many_connections";
  }
  return "unknown";
}

}  // namespace majlis::protocol
