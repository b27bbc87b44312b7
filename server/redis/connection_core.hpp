// The life of one Redis connection, shared by the command connection and the subscriber: a run
// loop on one strand that resolves, connects, authenticates, health-checks and reconnects with
// jittered backoff, and the pipelined command path with its bound and its timeouts. Internal to
// server/redis; callers use redis_connection and redis_subscriber.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "redis/config.hpp"
#include "redis/hiredis_socket.hpp"
#include "redis/pending_queue.hpp"
#include "redis/request.hpp"

struct redisAsyncContext;

namespace majlis::redis {

class connection_core : public std::enable_shared_from_this<connection_core> {
 public:
  using strand_type = boost::asio::strand<boost::asio::any_io_executor>;
  using clock = std::chrono::steady_clock;
  using completion = boost::asio::any_completion_handler<void(std::vector<result>)>;

  // `role` names the connection in logs ("commands", "subscriber").
  connection_core(boost::asio::any_io_executor executor, config cfg, std::string role);
  virtual ~connection_core();
  connection_core(const connection_core&) = delete;
  connection_core& operator=(const connection_core&) = delete;

  // Spawns the run loop (the first call only).
  void start();
  // Closes the connection for good; waiting commands fail with error::stopped. Idempotent.
  void stop();

  bool ready() const { return ready_.load(std::memory_order_acquire); }
  const config& configuration() const { return config_; }

  // From any thread: sends the request while ready (one result per command, on the caller's
  // executor); fails at once while not.
  boost::asio::awaitable<std::vector<result>> exec(request req);

 protected:
  // Runs after AUTH/SELECT succeeded, before the connection counts as ready. An error drops it.
  virtual boost::asio::awaitable<boost::system::error_code> on_established();
  // Runs on the strand right after the connection became ready.
  virtual void on_ready() {}
  // One health check. An error drops the connection. Default: PING through the command path.
  virtual boost::asio::awaitable<boost::system::error_code> check_health();
  // The connection is gone; runs before the backoff wait.
  virtual void on_lost() {}

  // On the strand: sends `req` even while not yet ready (handshake, health checks).
  boost::asio::awaitable<std::vector<result>> exec_internal(request req,
                                                            clock::time_point deadline);
  // Wakes whatever the run loop waits for (connect, confirmations) so it looks at the state.
  void wake() { wake_timer_.cancel(); }
  // Lets a derived class wait for wake() or a deadline.
  boost::asio::awaitable<void> wait_for_wake(clock::time_point deadline);

  // Closes at once, without posting anything: for destructors of derived classes, whose
  // hiredis callbacks must not run after their members are gone.
  void close_now();

  bool stopped() const { return stopped_; }
  redisAsyncContext* context() const { return socket_ ? socket_->context() : nullptr; }
  strand_type& strand() { return strand_; }
  const std::string& role() const { return role_; }

 private:
  struct pending_call {
    // Constructed, never assigned: Boost 1.81's any_completion_handler move-assignment wraps
    // the handler in itself and recurses.
    pending_call(completion h, boost::asio::any_io_executor ex)
        : handler(std::move(h)), caller(std::move(ex)) {}

    completion handler;
    boost::asio::any_io_executor caller;  // where the handler runs
    std::vector<result> results;          // each starts as error::timeout: "no answer yet"
    size_t remaining = 0;
    bool done = false;
  };
  struct pending_entry {
    std::shared_ptr<pending_call> call;
    size_t index = 0;
  };

  static void on_reply(redisAsyncContext* context, void* reply, void* key);

  // The coroutines take their owner as a parameter: parameters are copied into the frame when
  // the coroutine is created, before it first runs, so the core outlives them.
  boost::asio::awaitable<void> run(std::shared_ptr<connection_core> self);
  boost::asio::awaitable<boost::system::error_code> connect_once(std::string& why);
  // Returns when the connection is gone or a health check failed.
  boost::asio::awaitable<void> watch_health();
  boost::asio::awaitable<void> expire_timeouts(std::shared_ptr<connection_core> self);
  void start_request(request req, completion handler, boost::asio::any_io_executor caller,
                     bool internal, clock::time_point deadline);
  void deliver(const pending_entry& entry, result outcome);
  void fail(const std::shared_ptr<pending_call>& call, boost::system::error_code ec);
  void finish(const std::shared_ptr<pending_call>& call);
  void on_socket_closed(const std::string& reason);
  void close_socket();
  void set_ready(bool ready);
  double random_share();

  config config_;
  std::string role_;
  strand_type strand_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::steady_timer wake_timer_;
  boost::asio::steady_timer health_timer_;
  boost::asio::steady_timer backoff_timer_;
  boost::asio::steady_timer timeout_timer_;
  boost::asio::steady_timer resolve_timer_;
  std::shared_ptr<hiredis_socket> socket_;
  pending_queue<pending_entry> pending_;
  std::atomic<bool> ready_{false};
  bool started_ = false;
  bool stopped_ = false;
  enum class connect_outcome {
    waiting,
    connected,
    failed
  } connect_outcome_ = connect_outcome::waiting;
  std::string connect_failure_;
  std::string lost_reason_;
  std::mt19937_64 random_;
};

}  // namespace majlis::redis
