// Counters of the transport, updated lock-free by sessions and read by /metrics.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

#include "net/connection.hpp"

namespace majlis::net {

// Every close code Majlis sends, in a fixed order (index into net_metrics::closes_sent).
inline constexpr std::array<close_code, 14> all_close_codes{
    close_code::normal,           close_code::going_away,      close_code::protocol_error,
    close_code::invalid_payload,  close_code::policy_violation, close_code::message_too_big,
    close_code::internal_error,   close_code::unauthenticated, close_code::join_timeout,
    close_code::not_found,        close_code::slow_consumer,   close_code::idle_timeout,
    close_code::server_full,      close_code::too_many_connections};

// A readable name for a close code ("slow_consumer"); "unknown" for codes not listed above.
using protocol::close_code_name;

struct net_metrics {
  using counter = std::atomic<std::uint64_t>;

  counter connections_open{0};      // WebSocket connections currently open (gauge)
  counter connections_total{0};     // WebSocket connections ever opened
  counter connections_rejected{0};  // refused with server_full / 503
  counter http_sessions_open{0};    // accepted sockets not (yet) upgraded (gauge)
  counter http_requests_total{0};
  counter frames_in{0};
  counter frames_out{0};
  counter bytes_in{0};
  counter bytes_out{0};
  counter rate_limited_commands{0};
  counter protocol_errors{0};      // undecodable or oversized frames
  counter address_connections_refused{0};  // close 4029: the address holds its connection cap
  counter address_joins_refused{0};        // close 4029: the address joins too fast
  counter failed_auth{0};                  // HTTP 401s and WebSocket 4001 closes
  counter auth_throttled{0};  // HTTP 429 and close 4029 while throttled after failed auth
  counter closes_by_peer{0};       // connections that ended without a close we initiated
  std::array<counter, all_close_codes.size()> closes_sent{};  // closes we initiated, by code

  void count_close(close_code code);
  std::uint64_t closes(close_code code) const;
};

// The counters as Prometheus text exposition lines (# HELP / # TYPE included), names prefixed
// "majlis_net_". The app appends its own.
std::string render_prometheus(const net_metrics& metrics);

}  // namespace majlis::net
