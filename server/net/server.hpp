// The Majlis transport: one listener, HTTP sessions (app routes, static files) and WebSocket
// sessions on /ws. Beast stays behind this header.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "net/connection.hpp"
#include "net/http_types.hpp"
#include "net/net_config.hpp"
#include "net/net_metrics.hpp"

namespace majlis::net {

class server_state;
class listener;

class server {
 public:
  // `http` answers /api/*, /healthz, /readyz, /metrics; `acceptor` creates the handler of each
  // WebSocket connection. Either may be null (404 / the upgrade is refused with internal_error).
  // Throws std::runtime_error if the TLS certificate or key of `config` cannot be loaded.
  server(boost::asio::io_context& ioc, net_config config, std::shared_ptr<http_handler> http,
         std::shared_ptr<connection_acceptor> acceptor);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // Before start: puts each accepted connection on one of `io_threads` (round robin) instead of
  // a strand of the server's io_context. Each must be run by exactly one thread; fan-outs then
  // reach each thread once (net::delivery).
  void spread_connections(std::vector<boost::asio::io_context*> io_threads);
  // Binds and starts accepting. Throws std::runtime_error ("cannot listen on 0.0.0.0:80:
  // Permission denied") if the endpoint cannot be bound. Port 0 picks a free port.
  void start(const boost::asio::ip::tcp::endpoint& endpoint);
  // The bound endpoint (with the real port); default-constructed before start().
  boost::asio::ip::tcp::endpoint local_endpoint() const;
  // Closes the listening socket; open sessions carry on. Thread-safe.
  void stop_accepting();
  // Drain: every WebSocket session gets Error + close `code` after its queued frames; idle HTTP
  // connections are closed, busy ones after their current response. Thread-safe.
  void close_all(close_code code = close_code::going_away);
  // Replaces the origins allowed on /ws (net_config::allowed_origins). Thread-safe.
  void set_allowed_origins(std::vector<std::string> origins);
  // Open WebSocket connections.
  std::size_t connection_count() const;

  const net_metrics& metrics() const;
  const net_config& config() const;

 private:
  boost::asio::io_context& ioc_;
  std::shared_ptr<server_state> state_;
  std::shared_ptr<listener> listener_;
};

}  // namespace majlis::net
