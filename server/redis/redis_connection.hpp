// One pipelined connection to Redis, shaped like Boost.Redis's connection on hiredis 0.14: a run
// loop on its own strand connects, authenticates (AUTH, SELECT), health-checks with PING and
// reconnects with jittered backoff; any number of commands may be in flight, answered in order.
// While the connection is down, commands fail at once with error::not_connected (callers map
// that to UNAVAILABLE) instead of waiting for Redis to come back.
#pragma once

#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "redis/config.hpp"
#include "redis/error.hpp"
#include "redis/request.hpp"

namespace majlis::redis {

class redis_connection {
 public:
  redis_connection(boost::asio::any_io_executor executor, config cfg);
  // Stops; safe with commands in flight (they fail with error::stopped).
  ~redis_connection();
  redis_connection(const redis_connection&) = delete;
  redis_connection& operator=(const redis_connection&) = delete;

  // Starts connecting; from then on the connection reconnects until stop().
  void start();
  // Closes the connection for good; waiting commands fail with error::stopped.
  void stop();

  // Sends one command; callable from any thread and executor, completes on the caller's.
  boost::asio::awaitable<result> async_exec(command cmd);
  // async_exec("XRANGE", key, "-", "+", "COUNT", 10)
  template <class... Args>
  boost::asio::awaitable<result> async_exec(std::string_view name, const Args&... args) {
    return async_exec(make_command(name, args...));
  }
  // Sends the request's commands back to back, nothing from other callers in between (so a
  // MULTI … EXEC block stays whole); one result per command. A timeout fails the commands not
  // yet answered.
  boost::asio::awaitable<std::vector<result>> async_exec(request req);

  // True while connected and past AUTH/SELECT: commands are sent.
  bool ready() const;

  // Called on the connection's strand each time the connection becomes ready (the first time
  // and after every reconnect). Set before start(); keep it short and post real work elsewhere.
  void set_connect_handler(std::function<void()> handler);

  const config& configuration() const;

 private:
  class impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace majlis::redis
