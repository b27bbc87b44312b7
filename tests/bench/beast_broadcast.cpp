// majlis-beast-broadcast: the minimal Beast WebSocket broadcast server majlis-bench fanout
// compares majlisd with. One thread, no logic: every text message from the connection opened on
// /sender is written to every other connection, each with its own queue of shared buffers (the
// write-queue pattern of Beast's own chat example). Prints "listening on 127.0.0.1:PORT".
// Usage: majlis-beast-broadcast [port]
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <string>
#include <unordered_set>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

class session;
std::unordered_set<session*> receivers;

class session : public std::enable_shared_from_this<session> {
 public:
  explicit session(tcp::socket socket) : ws_(std::move(socket)) {}

  void start() {
    http::async_read(ws_.next_layer(), buffer_, request_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_request(ec); });
  }

  void deliver(const std::shared_ptr<const std::string>& message) {
    queue_.push_back(message);
    if (queue_.size() == 1) write_next();
  }

 private:
  void on_request(beast::error_code ec) {
    if (ec || !websocket::is_upgrade(request_)) return;
    sender_ = request_.target() == "/sender";
    ws_.async_accept(request_, [self = shared_from_this()](beast::error_code accept_ec) {
      if (accept_ec) return;
      self->ws_.text(true);
      if (!self->sender_) receivers.insert(self.get());
      self->read();
    });
  }

  void read() {
    buffer_.clear();
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        receivers.erase(self.get());
        return;
      }
      if (self->sender_) {
        const auto message = std::make_shared<const std::string>(beast::buffers_to_string(self->buffer_.data()));
        for (auto* receiver : receivers) receiver->deliver(message);
      }
      self->read();
    });
  }

  void write_next() {
    ws_.async_write(asio::buffer(*queue_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        receivers.erase(self.get());
        self->queue_.clear();
        return;
      }
      self->queue_.pop_front();
      if (!self->queue_.empty()) self->write_next();
    });
  }

  websocket::stream<tcp::socket> ws_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  std::deque<std::shared_ptr<const std::string>> queue_;
  bool sender_ = false;
};

void accept(tcp::acceptor& acceptor) {
  acceptor.async_accept([&acceptor](beast::error_code ec, tcp::socket socket) {
    if (!ec) {
      socket.set_option(tcp::no_delay(true));
      std::make_shared<session>(std::move(socket))->start();
    }
    accept(acceptor);
  });
}

}  // namespace

int main(int argc, char** argv) {
  const auto port = static_cast<unsigned short>(argc > 1 ? std::atoi(argv[1]) : 0);
  asio::io_context io(1);
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  acceptor.listen(asio::socket_base::max_listen_connections);
  accept(acceptor);
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&io](beast::error_code, int) { io.stop(); });
  std::printf("listening on 127.0.0.1:%u\n", static_cast<unsigned>(acceptor.local_endpoint().port()));
  std::fflush(stdout);
  io.run();
  return 0;
}
