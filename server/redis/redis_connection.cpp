#include "redis/redis_connection.hpp"

#include "redis/connection_core.hpp"

namespace majlis::redis {

namespace asio = boost::asio;

class redis_connection::impl final : public connection_core {
 public:
  impl(asio::any_io_executor executor, config cfg)
      : connection_core(std::move(executor), std::move(cfg), "commands") {}

  std::function<void()> connect_handler;

 protected:
  void on_ready() override {
    if (connect_handler) connect_handler();
  }
};

redis_connection::redis_connection(asio::any_io_executor executor, config cfg)
    : impl_(std::make_shared<impl>(std::move(executor), std::move(cfg))) {}

redis_connection::~redis_connection() {
  impl_->stop();
}

void redis_connection::start() {
  impl_->start();
}

void redis_connection::stop() {
  impl_->stop();
}

asio::awaitable<result> redis_connection::async_exec(command cmd) {
  request req;
  req.push(std::move(cmd));
  auto results = co_await impl_->exec(std::move(req));
  co_return std::move(results.front());
}

asio::awaitable<std::vector<result>> redis_connection::async_exec(request req) {
  co_return co_await impl_->exec(std::move(req));
}

bool redis_connection::ready() const {
  return impl_->ready();
}

void redis_connection::set_connect_handler(std::function<void()> handler) {
  impl_->connect_handler = std::move(handler);
}

const config& redis_connection::configuration() const {
  return impl_->configuration();
}

}  // namespace majlis::redis
