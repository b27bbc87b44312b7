#include "light_voter.hpp"

#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "bench_meeting.hpp"
#include "majlis/client/wire_codec.hpp"

namespace majlis::bench {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

// The first byte of a binary ServerMessage is its oneof field's tag (field << 3 | length-delimited):
// enough to skip event batches without parsing them.
constexpr unsigned char tag_welcome = (1 << 3) | 2;
constexpr unsigned char tag_events = (2 << 3) | 2;
constexpr unsigned char tag_result = (3 << 3) | 2;
constexpr unsigned char tag_error = (5 << 3) | 2;

v1::CommandResult unavailable(std::uint64_t request_id, const std::string& why) {
  v1::CommandResult result;
  result.set_request_id(request_id);
  result.set_ok(false);
  result.mutable_error()->set_code(v1::ERROR_CODE_UNAVAILABLE);
  result.mutable_error()->set_message(why);
  return result;
}

}  // namespace

struct light_voter::pending_call {
  asio::steady_timer timer;
  std::optional<v1::CommandResult> result;
};

struct light_voter::link {
  explicit link(asio::any_io_executor executor) : ws(executor) {}
  websocket::stream<beast::tcp_stream> ws;
};

light_voter::light_voter(asio::any_io_executor executor)
    : executor_(executor), link_(std::make_unique<link>(executor)) {}

light_voter::~light_voter() { close(); }

void light_voter::close() {
  open_ = false;
  boost::system::error_code ignored;
  beast::get_lowest_layer(link_->ws).socket().close(ignored);
}

asio::awaitable<void> light_voter::join(const client::server_url& where, std::string meeting_id,
                                        std::string token, std::chrono::milliseconds timeout) {
  co_await connect(where, timeout);
  co_await send_join(std::move(meeting_id), std::move(token), timeout);
}

asio::awaitable<void> light_voter::connect(const client::server_url& where, std::chrono::milliseconds timeout) {
  auto& stream = beast::get_lowest_layer(link_->ws);
  tcp::resolver resolver(executor_);
  auto [resolve_ec, endpoints] = co_await resolver.async_resolve(where.host, where.port, use_tuple);
  require(!resolve_ec, "cannot resolve " + where.host + ": " + resolve_ec.message());
  stream.expires_after(timeout);
  auto [connect_ec, endpoint] = co_await stream.async_connect(endpoints, use_tuple);
  require(!connect_ec, "cannot connect to " + where.host + ":" + where.port + ": " + connect_ec.message());
  // Like a browser, and like the server's side: small frames leave at once.
  stream.socket().set_option(tcp::no_delay(true));
  auto [handshake_ec] = co_await link_->ws.async_handshake(where.host + ":" + where.port, "/ws", use_tuple);
  require(!handshake_ec, "WebSocket handshake failed: " + handshake_ec.message());
  stream.expires_never();
  link_->ws.binary(true);
  link_->ws.read_message_max(16 * 1024 * 1024);
}

asio::awaitable<void> light_voter::send_join(std::string meeting_id, std::string token,
                                             std::chrono::milliseconds timeout) {
  auto& stream = beast::get_lowest_layer(link_->ws);
  stream.expires_after(timeout);
  v1::ClientMessage hello;
  hello.mutable_join()->set_meeting_id(meeting_id);
  hello.mutable_join()->set_token(token);
  require(co_await write(client::encode_client_message(hello, client::frame_format::binary)),
          "cannot send Join: " + last_error_);

  // The first answer is the Welcome (not decoded: only its arrival matters) or an Error.
  beast::flat_buffer buffer;
  auto [read_ec, bytes] = co_await link_->ws.async_read(buffer, use_tuple);
  require(!read_ec, "no Welcome: " + read_ec.message());
  const auto* data = static_cast<const unsigned char*>(buffer.data().data());
  if (bytes == 0 || data[0] != tag_welcome) {
    v1::ServerMessage answer;
    client::decode_server_message(std::string_view(reinterpret_cast<const char*>(data), bytes), false, answer);
    throw bench_failure("join refused: " + answer.ShortDebugString());
  }
  welcome_bytes_ = bytes;
  stream.expires_never();
  open_ = true;
  asio::co_spawn(executor_, read_loop(shared_from_this()), asio::detached);
}

asio::awaitable<void> light_voter::read_loop(std::shared_ptr<light_voter> self) {
  (void)self;  // holds the voter while a read is pending
  beast::flat_buffer buffer;
  while (open_) {
    buffer.clear();
    auto [ec, bytes] = co_await link_->ws.async_read(buffer, use_tuple);
    if (ec) {
      fail_all("connection lost: " + ec.message());
      co_return;
    }
    ++frames_read_;
    const auto* data = static_cast<const unsigned char*>(buffer.data().data());
    if (bytes != 0 && data[0] == tag_events && watching_) {
      v1::ServerMessage events;
      if (client::decode_server_message(std::string_view(reinterpret_cast<const char*>(data), bytes), false,
                                        events)) {
        for (const auto& event : events.events().events()) {
          if (!event.has_meeting_updated()) continue;
          watching_ = false;
          seen_at_ = std::chrono::steady_clock::now();
          break;
        }
      }
      continue;
    }
    if (bytes == 0 || data[0] == tag_events) continue;
    if (data[0] != tag_result && data[0] != tag_error) continue;  // Pong
    v1::ServerMessage message;
    if (!client::decode_server_message(std::string_view(reinterpret_cast<const char*>(data), bytes), false,
                                       message)) {
      fail_all("undecodable frame from the server");
      co_return;
    }
    if (message.has_error()) {
      fail_all("server error: " + message.error().ShortDebugString());
      co_return;
    }
    auto it = pending_.find(message.result().request_id());
    if (it == pending_.end()) continue;  // its send() already timed out
    it->second->result = std::move(*message.mutable_result());
    it->second->timer.cancel();
  }
}

void light_voter::fail_all(const std::string& why) {
  open_ = false;
  last_error_ = why;
  for (auto& [id, call] : pending_) call->timer.cancel();
}

asio::awaitable<bool> light_voter::write(std::string payload) {
  last_write_ = std::chrono::steady_clock::now();
  auto [ec, bytes] = co_await link_->ws.async_write(asio::buffer(payload), use_tuple);
  if (ec) {
    fail_all("write failed: " + ec.message());
    co_return false;
  }
  co_return true;
}

asio::awaitable<v1::CommandResult> light_voter::send(v1::Command command, std::chrono::milliseconds timeout) {
  auto self = shared_from_this();
  const auto request_id = next_request_id_++;
  if (!open_) co_return unavailable(request_id, "not joined: " + last_error_);
  v1::ClientMessage message;
  message.mutable_command()->set_request_id(request_id);
  *message.mutable_command()->mutable_command() = std::move(command);
  pending_call call{asio::steady_timer(executor_, timeout), std::nullopt};
  pending_[request_id] = &call;
  if (co_await write(client::encode_client_message(message, client::frame_format::binary))) {
    // Woken early by the result or a lost connection.
    if (!call.result && open_) co_await call.timer.async_wait(use_tuple);
  }
  pending_.erase(request_id);
  if (call.result) co_return std::move(*call.result);
  co_return unavailable(request_id, open_ ? "timed out waiting for the result" : last_error_);
}

asio::awaitable<void> light_voter::keep_alive(std::chrono::milliseconds quiet) {
  if (!open_ || std::chrono::steady_clock::now() - last_write_ < quiet) co_return;
  v1::ClientMessage ping;
  ping.mutable_ping();
  co_await write(client::encode_client_message(ping, client::frame_format::binary));
}

}  // namespace majlis::bench
