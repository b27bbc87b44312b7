// Limits and settings of the transport, filled in one place by the app and passed down.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "net/address_limits.hpp"

namespace majlis::net {

struct net_config {
  // Largest WebSocket message accepted. Larger -> Error{RESOURCE_EXHAUSTED} + close 1009.
  // Frames beyond 16x this are failed by Beast at the frame header (close 1009, no Error).
  std::size_t max_frame_bytes = 64 * 1024;
  // Token bucket per connection for Command (and Ping) messages: refill rate and capacity.
  // An empty bucket rejects the command with CommandResult{ok=false, RESOURCE_EXHAUSTED}; a
  // client with 2*command_burst rejections within one second is closed with policy_violation.
  std::uint32_t commands_per_second = 20;
  std::uint32_t command_burst = 40;
  // A connection that has not been marked joined this long after the upgrade -> close 4002.
  std::chrono::milliseconds join_timeout{10'000};
  // No client message at all (Ping included) for this long -> Error, then close 4009. Only the
  // session's watchdog enforces it: Beast's own idle timeout is off and it sends no pings.
  std::chrono::milliseconds idle_timeout{60'000};
  // Open sockets (HTTP and WebSocket). Beyond it an upgrade is accepted then closed with
  // server_full (4013) after an Error; a plain HTTP request gets 503.
  std::size_t max_connections = 20'000;
  // Bounded send queue per connection; overflowing either limit closes with slow_consumer.
  std::size_t send_queue_max_frames = 1024;
  std::size_t send_queue_max_bytes = 8 * 1024 * 1024;
  // A fan-out's sends to many sockets go to the kernel through io_uring, 256 per system call;
  // false, or a kernel without a usable io_uring: one send() per socket (net/batch_send.hpp).
  bool io_uring = true;
  // Largest HTTP request body (413 beyond it).
  std::size_t max_http_body_bytes = 64 * 1024;
  // Time to read one HTTP request and write its response; also how long an idle keep-alive
  // connection stays open.
  std::chrono::milliseconds http_request_timeout{30'000};
  // Time allowed for a close (queued frames, close handshake) before the socket is dropped.
  std::chrono::milliseconds close_timeout{5'000};
  // Folder of the web clients served for GET/HEAD outside /api, /ws and the probes; empty = none.
  std::string static_root;
  // TLS: PEM certificate chain and private key files. Both set: the listener speaks HTTPS and
  // WSS only (TLS 1.2 or later); both empty: plain HTTP and WS.
  std::string tls_cert_file;
  std::string tls_key_file;
  // Time a new TLS connection has to complete its handshake before the socket is closed.
  std::chrono::milliseconds tls_handshake_timeout{10'000};
  // Origins a browser may open /ws from ("https://host[:port]", "*" = any); an upgrade with
  // another Origin header gets 403. Requests without Origin (non-browser clients) always pass.
  std::vector<std::string> allowed_origins;
  // Limits per source address (connections, join rate, failed authentications); README "Limits".
  address_limits_config per_address;
  // Empty: a client's address is the TCP peer. Else the name of a header (X-Forwarded-For) whose
  // last address is the client's: set it only when majlisd is reachable only through the proxy
  // that sets it, or anyone can pick their address.
  std::string trusted_proxy_header;
  // Prefix of connection ids ("<instance_id>-<counter>"); unique per running instance.
  std::string instance_id = "majlis";
};

}  // namespace majlis::net
