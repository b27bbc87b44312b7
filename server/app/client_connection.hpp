// The app's side of one WebSocket connection: checks the Join, attaches the connection to its
// meeting's replica, and passes commands on. Kept thin: the replica does the work.
#pragma once

#include <memory>
#include <mutex>

#include "app/app_metrics.hpp"
#include "app/config.hpp"
#include "app/meeting_registry.hpp"
#include "net/connection.hpp"

namespace majlis::app {

class client_connection final : public net::connection_handler,
                                public std::enable_shared_from_this<client_connection> {
 public:
  client_connection(std::shared_ptr<net::connection> connection, meeting_registry& registry,
                    const server_config& config, app_metrics& metrics);

  void on_message(v1::ClientMessage message) override;
  void on_closed() override;

 private:
  boost::asio::awaitable<void> do_join(v1::Join join);
  void refuse(net::close_code code, v1::ErrorCode error, std::string message);

  // Weak: the connection owns this handler; the replica's member holds the strong reference.
  std::weak_ptr<net::connection> connection_;
  meeting_registry& registry_;
  const server_config& config_;
  app_metrics& metrics_;

  // Join completes on another executor than the one that calls on_message/on_closed.
  std::mutex mutex_;
  bool join_started_ = false;
  bool closed_ = false;
  std::shared_ptr<meeting_replica> replica_;
  std::shared_ptr<member> member_;
};

// Creates a client_connection for every new WebSocket connection.
class client_acceptor final : public net::connection_acceptor {
 public:
  client_acceptor(meeting_registry& registry, const server_config& config, app_metrics& metrics)
      : registry_(registry), config_(config), metrics_(metrics) {}
  std::shared_ptr<net::connection_handler> on_open(std::shared_ptr<net::connection> conn) override;

 private:
  meeting_registry& registry_;
  const server_config& config_;
  app_metrics& metrics_;
};

}  // namespace majlis::app
