// The meetings this instance holds replicas of, loaded on first use.
#pragma once

#include <map>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "app/app_metrics.hpp"
#include "app/config.hpp"
#include "app/meeting_replica.hpp"
#include "store/event_log.hpp"

namespace majlis::app {

class meeting_registry {
 public:
  meeting_registry(boost::asio::any_io_executor executor, store::event_log& log,
                   const server_config& config, app_metrics& metrics);

  // The meeting's replica, loaded from the log on first use; nullptr when there is no such
  // meeting.
  boost::asio::awaitable<std::shared_ptr<meeting_replica>> open(std::string meeting_id);

  // Starts a meeting's log with its first event.
  boost::asio::awaitable<store::append_status> create(std::string meeting_id, v1::Event first);

  // Every replica loaded so far.
  boost::asio::awaitable<std::vector<std::shared_ptr<meeting_replica>>> replicas();

  // After the io_context stopped: unsubscribes every replica from the log and forgets them.
  void detach_all();

  // Closes every member of every meeting with going_away.
  boost::asio::awaitable<void> close_all();

  store::event_log& log() { return log_; }
  boost::asio::any_io_executor executor() const { return executor_; }

 private:
  boost::asio::any_io_executor executor_;
  boost::asio::strand<boost::asio::any_io_executor> strand_;
  store::event_log& log_;
  const server_config& config_;
  app_metrics& metrics_;
  std::map<std::string, std::shared_ptr<meeting_replica>, std::less<>> replicas_;
  bool loading_ = false;                     // a load is in flight (see open())
  boost::asio::steady_timer load_finished_;  // never expires; cancelled when a load ends
};

}  // namespace majlis::app
