// What the listener and every session share: configuration, the app's handlers, counters and
// the registry of live sessions (for close_all). Private to net.
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "net/address_limits.hpp"
#include "net/connection.hpp"
#include "net/http_types.hpp"
#include "net/net_config.hpp"
#include "net/net_metrics.hpp"

namespace boost::asio {
class io_context;
}
namespace boost::asio::ssl {
class context;
}

namespace majlis::net {

// A live HTTP or WebSocket session that the server can ask to wind down.
class session_base {
 public:
  virtual ~session_base() = default;
  // Thread-safe: a WebSocket session closes with `code` after an Error; an HTTP session closes
  // once its current request (if any) is answered.
  virtual void shutdown(close_code code) = 0;
};

class server_state {
 public:
  server_state(net_config config, std::shared_ptr<http_handler> http,
               std::shared_ptr<connection_acceptor> acceptor);

  // Origins allowed on /ws: set by the app once its public URL is known (after the bind).
  void set_allowed_origins(std::vector<std::string> origins);
  // The list as it is now, shared (read on every upgrade; replaced whole, never changed).
  std::shared_ptr<const std::vector<std::string>> allowed_origins() const;

  const net_config config;
  const std::shared_ptr<http_handler> http;
  const std::shared_ptr<connection_acceptor> acceptor;
  // The TLS context when net_config names a certificate; null for plain TCP.
  const std::shared_ptr<boost::asio::ssl::context> tls;
  net_metrics metrics;
  std::atomic<std::size_t> open_sockets{0};
  address_limits addresses;
  // Single-threaded io_contexts the connections are spread over (server::spread_connections);
  // empty: each connection on a strand of the server's io_context. Set before the listener starts.
  std::vector<boost::asio::io_context*> io_threads;

  // "<instance_id>-<n>", n counting from 1 in this process.
  std::string next_connection_id();

  std::uint64_t add_session(std::weak_ptr<session_base> session);
  void remove_session(std::uint64_t key);
  std::vector<std::shared_ptr<session_base>> live_sessions() const;

 private:
  std::atomic<std::uint64_t> next_connection_{0};
  mutable std::mutex origins_mutex_;
  std::shared_ptr<const std::vector<std::string>> allowed_origins_;
  mutable std::mutex sessions_mutex_;  // registration only, never on the frame path
  std::uint64_t next_session_key_ = 0;
  std::unordered_map<std::uint64_t, std::weak_ptr<session_base>> sessions_;
};

// One accepted socket counted against max_connections for as long as it lives; moves from the
// HTTP session to the WebSocket session on upgrade.
class socket_slot {
 public:
  explicit socket_slot(std::shared_ptr<server_state> state) : state_(std::move(state)) {
    state_->open_sockets.fetch_add(1, std::memory_order_relaxed);
  }
  socket_slot(socket_slot&&) noexcept = default;
  socket_slot& operator=(socket_slot&&) = delete;
  socket_slot(const socket_slot&) = delete;
  socket_slot& operator=(const socket_slot&) = delete;
  ~socket_slot() {
    if (state_) state_->open_sockets.fetch_sub(1, std::memory_order_relaxed);
  }

 private:
  std::shared_ptr<server_state> state_;
};


}  // namespace majlis::net
