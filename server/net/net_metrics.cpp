#include "net/net_metrics.hpp"

#include <sstream>

#include "net/batch_send.hpp"

namespace majlis::net {
namespace {

constexpr std::size_t index_of(close_code code) {
  for (std::size_t i = 0; i < all_close_codes.size(); ++i) {
    if (all_close_codes[i] == code) return i;
  }
  return all_close_codes.size();
}

void write_metric(std::ostringstream& out, const char* name, const char* type, const char* help,
                  std::uint64_t value) {
  out << "# HELP majlis_net_" << name << ' ' << help << '\n'
      << "# TYPE majlis_net_" << name << ' ' << type << '\n'
      << "majlis_net_" << name << ' ' << value << '\n';
}

}  // namespace

void net_metrics::count_close(close_code code) {
  const auto i = index_of(code);
  if (i < closes_sent.size()) closes_sent[i].fetch_add(1, std::memory_order_relaxed);
}

std::uint64_t net_metrics::closes(close_code code) const {
  const auto i = index_of(code);
  return i < closes_sent.size() ? closes_sent[i].load(std::memory_order_relaxed) : 0;
}

std::string render_prometheus(const net_metrics& m) {
  constexpr auto relaxed = std::memory_order_relaxed;
  std::ostringstream out;
  write_metric(out, "connections_open", "gauge", "Open WebSocket connections.",
               m.connections_open.load(relaxed));
  write_metric(out, "connections_total", "counter", "WebSocket connections opened.",
               m.connections_total.load(relaxed));
  write_metric(out, "connections_rejected_total", "counter",
               "Connections refused because max_connections was reached.",
               m.connections_rejected.load(relaxed));
  write_metric(out, "http_sessions_open", "gauge", "Open HTTP connections (not upgraded).",
               m.http_sessions_open.load(relaxed));
  write_metric(out, "http_requests_total", "counter", "HTTP requests read.",
               m.http_requests_total.load(relaxed));
  write_metric(out, "frames_in_total", "counter", "WebSocket messages received.",
               m.frames_in.load(relaxed));
  write_metric(out, "frames_out_total", "counter", "WebSocket messages sent.",
               m.frames_out.load(relaxed));
  write_metric(out, "bytes_in_total", "counter", "WebSocket payload bytes received.",
               m.bytes_in.load(relaxed));
  write_metric(out, "bytes_out_total", "counter", "WebSocket payload bytes sent.",
               m.bytes_out.load(relaxed));
  write_metric(out, "io_uring_sends_total", "counter",
               "Fan-out frames handed to the kernel in batches through io_uring (--io-uring).",
               send_batcher::io_uring_sends_total());
  write_metric(out, "io_uring_calls_total", "counter",
               "io_uring_enter calls that took those sends (up to 256 each).",
               send_batcher::io_uring_calls_total());
  write_metric(out, "rate_limited_commands_total", "counter",
               "Commands rejected by the per-connection rate limit.",
               m.rate_limited_commands.load(relaxed));
  write_metric(out, "protocol_errors_total", "counter", "Undecodable or oversized frames.",
               m.protocol_errors.load(relaxed));
  write_metric(out, "closes_by_peer_total", "counter",
               "Connections that ended without a close initiated by the server.",
               m.closes_by_peer.load(relaxed));
  write_metric(out, "address_connections_refused_total", "counter",
               "WebSocket connections refused: the address holds max_connections_per_address.",
               m.address_connections_refused.load(relaxed));
  write_metric(out, "address_joins_refused_total", "counter",
               "WebSocket connections refused: the address joined faster than its join bucket.",
               m.address_joins_refused.load(relaxed));
  write_metric(out, "failed_auth_total", "counter",
               "Failed authentications (HTTP 401, WebSocket close 4001).",
               m.failed_auth.load(relaxed));
  write_metric(out, "auth_throttled_total", "counter",
               "Requests (HTTP 429) and joins (close 4029) refused while the address was throttled "
               "after failed authentications.",
               m.auth_throttled.load(relaxed));
  out << "# HELP majlis_net_closes_total WebSocket closes initiated by the server, by code.\n"
      << "# TYPE majlis_net_closes_total counter\n";
  for (std::size_t i = 0; i < all_close_codes.size(); ++i) {
    out << "majlis_net_closes_total{code=\"" << static_cast<unsigned>(all_close_codes[i])
        << "\",reason=\"" << close_code_name(all_close_codes[i]) << "\"} "
        << m.closes_sent[i].load(relaxed) << '\n';
  }
  return out.str();
}

}  // namespace majlis::net
