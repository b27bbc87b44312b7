#include "net/listener.hpp"

#include <chrono>
#include <sstream>
#include <stdexcept>
#include <tuple>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "majlis/asio/spawn_policy.hpp"
#include "net/http_session.hpp"
#include "net/server_state.hpp"

namespace majlis::net {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

listener::listener(asio::io_context& ioc, std::shared_ptr<server_state> state,
                   const tcp::endpoint& endpoint)
    : ioc_(ioc), strand_(asio::make_strand(ioc)), acceptor_(strand_), state_(std::move(state)) {
  const auto fail = [&](const boost::system::error_code& ec, const char* step) {
    std::ostringstream where;
    where << endpoint;
    throw std::runtime_error("cannot listen on " + where.str() + ": " + ec.message() + " (" +
                             step + ")");
  };
  boost::system::error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) fail(ec, "open");
  acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) fail(ec, "set_option");
  acceptor_.bind(endpoint, ec);
  if (ec) fail(ec, "bind");
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) fail(ec, "listen");
  local_endpoint_ = acceptor_.local_endpoint();
}

void listener::start() {
  asio::co_spawn(strand_, do_accept(shared_from_this()),
                 log_failure("listener"));
}

void listener::stop() {
  asio::post(strand_, [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
  });
}

asio::awaitable<void> listener::do_accept(std::shared_ptr<listener> self) {
  asio::steady_timer backoff(strand_);
  while (acceptor_.is_open()) {
    // Accept the next socket on the next I/O thread's io_context, or on a strand of its own.
    tcp::socket socket = state_->io_threads.empty()
                             ? tcp::socket(asio::make_strand(ioc_))
                             : tcp::socket(*state_->io_threads[next_thread_++ %
                                                               state_->io_threads.size()]);
    auto [ec] = co_await acceptor_.async_accept(socket, use_tuple);
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) break;
    if (ec) {
      // Out of file descriptors, usually: give sessions a moment to finish.
      spdlog::warn("event=accept_failed error=\"{}\"", ec.message());
      backoff.expires_after(std::chrono::milliseconds(50));
      co_await backoff.async_wait(use_tuple);
      continue;
    }
    // Small frames (results, event batches) go out at once: with Nagle on, a frame written
    // while the previous one is unacknowledged waits for the peer's delayed ACK (up to 40 ms).
    socket.set_option(tcp::no_delay(true), ec);
    const bool over_limit =
        state_->open_sockets.load(std::memory_order_relaxed) >= state_->config.max_connections;
    start_http_session(std::move(socket), state_, over_limit);
  }
  (void)self;
}

}  // namespace majlis::net
