// Instance liveness (DESIGN §5): this instance refreshes its heartbeat, and closes, in the
// meetings it holds, the connections of instances whose heartbeat expired — so nobody stays
// online because a process died. Every survivor may do it; the log keeps the first "left".
#pragma once

#include <chrono>
#include <memory>
#include <set>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "app/config.hpp"
#include "app/meeting_registry.hpp"
#include "store/event_log.hpp"

namespace majlis::app {

class liveness_monitor : public std::enable_shared_from_this<liveness_monitor> {
 public:
  liveness_monitor(boost::asio::any_io_executor executor, store::event_log& log,
                   meeting_registry& registry, const server_config& config);

  // One heartbeat, before the instance accepts connections.
  boost::asio::awaitable<bool> beat();
  // Heartbeats and sweeps every heartbeat_interval until stop().
  void start();
  void stop();

 private:
  boost::asio::awaitable<void> run();
  boost::asio::awaitable<void> sweep();

  boost::asio::any_io_executor executor_;
  store::event_log& log_;
  meeting_registry& registry_;
  const server_config& config_;
  bool stopped_ = false;
  // Instances seen dead in the last sweep: one must be dead in two sweeps in a row, so an
  // instance that started between reading the live set and reading a roster is not taken
  // for dead.
  std::set<std::string> suspects_;
  // While the store was unreachable nobody could refresh a heartbeat: an expired one says
  // nothing until every live instance had time to reconnect and beat again.
  bool store_was_down_ = false;
  std::chrono::steady_clock::time_point trust_heartbeats_from_{};
};

}  // namespace majlis::app
