// server: the facade over the listener (listener.cpp), the HTTP sessions (http_session.cpp) and
// what they share (server_state.cpp).
#include "net/server.hpp"

#include <stdexcept>
#include <utility>

#include <spdlog/spdlog.h>

#include "net/batch_send.hpp"
#include "net/listener.hpp"
#include "net/server_state.hpp"

namespace majlis::net {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;


server::server(asio::io_context& ioc, net_config config, std::shared_ptr<http_handler> http,
               std::shared_ptr<connection_acceptor> acceptor)
    : ioc_(ioc),
      state_(std::make_shared<server_state>(std::move(config), std::move(http),
                                            std::move(acceptor))) {}

server::~server() { stop_accepting(); }

void server::spread_connections(std::vector<asio::io_context*> io_threads) {
  if (listener_) throw std::logic_error("server::spread_connections called after start");
  state_->io_threads = std::move(io_threads);
}

void server::start(const tcp::endpoint& endpoint) {
  if (listener_) throw std::logic_error("server::start called twice");
  send_batcher::set_io_uring(state_->config.io_uring);
  {
    const send_batcher probe(state_->config.io_uring);  // each I/O thread makes its own
    if (probe.how() == send_batcher::mode::io_uring)
      spdlog::info("event=send_batching mode=io_uring");
    else
      spdlog::info("event=send_batching mode=send_per_socket reason=\"{}\"", probe.fallback_reason());
  }
  listener_ = std::make_shared<listener>(ioc_, state_, endpoint);
  listener_->start();
  spdlog::info("event=listening endpoint={}:{}", listener_->local_endpoint().address().to_string(),
               listener_->local_endpoint().port());
}

tcp::endpoint server::local_endpoint() const {
  return listener_ ? listener_->local_endpoint() : tcp::endpoint{};
}

void server::stop_accepting() {
  if (listener_) listener_->stop();
}

void server::close_all(close_code code) {
  for (const auto& session : state_->live_sessions()) session->shutdown(code);
}

std::size_t server::connection_count() const {
  return state_->metrics.connections_open.load(std::memory_order_relaxed);
}

const net_metrics& server::metrics() const { return state_->metrics; }

const net_config& server::config() const { return state_->config; }

void server::set_allowed_origins(std::vector<std::string> origins) {
  state_->set_allowed_origins(std::move(origins));
}

}  // namespace majlis::net
