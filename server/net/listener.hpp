// The listener: the accept loop, putting each accepted socket on the next I/O thread (round
// robin) or on a strand of its own, and starting its HTTP session. Private to net.
#pragma once

#include <cstddef>
#include <memory>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>

namespace majlis::net {

class server_state;

class listener : public std::enable_shared_from_this<listener> {
 public:
  // Binds and listens. Throws std::runtime_error ("cannot listen on …: … (bind)").
  listener(boost::asio::io_context& ioc, std::shared_ptr<server_state> state,
           const boost::asio::ip::tcp::endpoint& endpoint);

  void start();
  // Closes the listening socket; thread-safe.
  void stop();
  boost::asio::ip::tcp::endpoint local_endpoint() const { return local_endpoint_; }

 private:
  boost::asio::awaitable<void> do_accept(std::shared_ptr<listener> self);

  boost::asio::io_context& ioc_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  std::size_t next_thread_ = 0;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::shared_ptr<server_state> state_;
  boost::asio::ip::tcp::endpoint local_endpoint_;
};

}  // namespace majlis::net
