// Redis pub/sub on a dedicated connection: SUBSCRIBE and UNSUBSCRIBE by channel, one message
// handler, and every channel subscribed again after every reconnect. Redis drops a subscriber
// that reads too slowly (client-output-buffer-limit pubsub), and nothing published while the
// connection was down is replayed: whoever subscribes treats a reconnect as a possible gap in
// every channel it carried.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>

#include "redis/config.hpp"

namespace majlis::redis {

class redis_subscriber {
 public:
  using message_handler = std::function<void(std::string_view channel, std::string_view payload)>;
  // Redis confirmed a subscription: messages published from now on arrive.
  using subscribed_handler = std::function<void(std::string_view channel)>;
  using reconnect_handler = std::function<void()>;

  redis_subscriber(boost::asio::any_io_executor executor, config cfg);
  ~redis_subscriber();
  redis_subscriber(const redis_subscriber&) = delete;
  redis_subscriber& operator=(const redis_subscriber&) = delete;

  // The handlers run on the subscriber's strand, one at a time, and must be quick (decode, then
  // post elsewhere): a slow reader gets dropped by Redis. Set them before start().
  void set_message_handler(message_handler handler);
  // Called for every confirmed SUBSCRIBE: a new channel, and each channel again after a
  // reconnect. Anything published before it may have been missed.
  void set_subscribed_handler(subscribed_handler handler);
  // Called after each reconnect (not the first connect), once every channel is confirmed again.
  void set_reconnect_handler(reconnect_handler handler);

  void start();
  void stop();

  // From any thread. Idempotent; the set of channels survives reconnects.
  void subscribe(std::string channel);
  void unsubscribe(std::string channel);

  // True while connected and every channel asked for at connect time is confirmed.
  bool ready() const;

 private:
  class impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace majlis::redis
