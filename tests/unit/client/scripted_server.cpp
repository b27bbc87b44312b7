#include "scripted_server.hpp"

#include <deque>
#include <list>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "majlis/client/wire_codec.hpp"

namespace majlis::client::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

struct outgoing {
  std::string bytes;
  std::uint16_t close_code = 0;  // set: send a close frame with it instead of bytes
};

struct scripted_connection {
  explicit scripted_connection(tcp::socket socket) : ws(std::move(socket)) {}
  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buffer;
  std::deque<outgoing> outbox;
  bool writing = false;
  bool joined = false;
  bool text = false;
  bool open = true;
};

}  // namespace

struct scripted_server::state : std::enable_shared_from_this<scripted_server::state> {
  explicit state(asio::io_context& context)
      : io(context), acceptor(context, {asio::ip::make_address("127.0.0.1"), 0}) {}

  asio::io_context& io;
  tcp::acceptor acceptor;
  std::vector<v1::Event> log;
  std::uint64_t epoch = 1;
  script behaviour;
  std::vector<v1::Join> joins;
  std::list<std::shared_ptr<scripted_connection>> connections;

  asio::awaitable<void> accept_loop() {
    auto self = shared_from_this();
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
      if (ec) co_return;
      auto connection = std::make_shared<scripted_connection>(std::move(socket));
      connections.push_back(connection);
      asio::co_spawn(io, session(connection), asio::detached);
    }
  }

  v1::Welcome welcome_for(const v1::Join& join) const {
    v1::Welcome welcome;
    welcome.mutable_you()->set_participant_id("p1");
    welcome.mutable_you()->set_role(v1::ROLE_MODERATOR);
    welcome.mutable_you()->set_connection_id("c" + std::to_string(joins.size()));
    welcome.set_epoch(epoch);
    welcome.set_seq(log.size());
    const auto& resume = join.resume();
    if (join.has_resume() && !behaviour.snapshot_on_resume && resume.epoch() == epoch &&
        resume.seq() <= log.size()) {
      auto& replay = *welcome.mutable_replay();
      for (const auto& event : log)
        if (event.seq() > resume.seq()) *replay.add_events() = event;
      return welcome;
    }
    auto& snapshot = *welcome.mutable_snapshot();
    snapshot.set_meeting_id(join.meeting_id());
    snapshot.set_title("Scripted meeting");
    snapshot.set_status(v1::MEETING_STATUS_SCHEDULED);
    for (const auto& event : log)
      if (event.has_meeting_started()) snapshot.set_status(v1::MEETING_STATUS_LIVE);
    snapshot.set_seq(log.size());
    return welcome;
  }

  asio::awaitable<void> session(std::shared_ptr<scripted_connection> connection) {
    auto self = shared_from_this();
    auto [accept_ec] = co_await connection->ws.async_accept(use_tuple);
    if (accept_ec) co_return finish(connection);

    // The first frame must be Join; its kind (text or binary) sets the connection's format.
    auto [join_ec, join_size] = co_await connection->ws.async_read(connection->buffer, use_tuple);
    if (join_ec) co_return finish(connection);
    connection->text = connection->ws.got_text();
    connection->ws.text(connection->text);
    v1::ClientMessage first;
    if (!decode_client_message(payload(*connection), connection->text, first) || !first.has_join())
      co_return finish(connection);
    joins.push_back(first.join());
    if (behaviour.refuse_joins_with != 0) {
      refuse(connection, behaviour.refuse_joins_with);
    } else {
      v1::ServerMessage welcome;
      *welcome.mutable_welcome() = welcome_for(first.join());
      connection->joined = true;
      send(connection, welcome);
    }

    for (;;) {
      auto [ec, size] = co_await connection->ws.async_read(connection->buffer, use_tuple);
      if (ec) co_return finish(connection);
      v1::ClientMessage message;
      if (!decode_client_message(payload(*connection), connection->ws.got_text(), message))
        co_return finish(connection);
      if (message.has_ping()) {
        v1::ServerMessage pong;
        pong.mutable_pong()->set_nonce(message.ping().nonce());
        send(connection, pong);
      }
      if (!message.has_command() || behaviour.ignore_commands) continue;
      v1::Event event;
      if (message.command().command().has_start_meeting()) event.mutable_meeting_started();
      append_and_broadcast(std::move(event));
      v1::ServerMessage result;
      result.mutable_result()->set_request_id(message.command().request_id());
      result.mutable_result()->set_ok(true);
      result.mutable_result()->set_seq(log.size());
      send(connection, result);
    }
  }

  static std::string_view payload(scripted_connection& connection) {
    const auto data = connection.buffer.cdata();
    std::string_view view(static_cast<const char*>(data.data()), data.size());
    // The view stays valid until the next read; consume() only moves the read position.
    connection.buffer.consume(connection.buffer.size());
    return view;
  }

  void finish(const std::shared_ptr<scripted_connection>& connection) {
    connection->open = false;
    connections.remove(connection);
  }

  void append_and_broadcast(v1::Event event) {
    event.set_seq(log.size() + 1);
    log.push_back(event);
    v1::ServerMessage batch;
    *batch.mutable_events()->add_events() = event;
    v1::ServerMessage broken;  // the same batch with its first event missing: a gap
    broken.mutable_events();
    const bool skip = behaviour.skip_one_seq_in_next_broadcast;
    behaviour.skip_one_seq_in_next_broadcast = false;
    if (skip) {
      // Two events, the first left out: the receivers see seq n+1 while expecting n.
      v1::Event second;
      second.set_seq(log.size() + 1);
      log.push_back(second);
      *broken.mutable_events()->add_events() = second;
    }
    for (const auto& connection : connections)
      if (connection->joined && connection->open) send(connection, skip ? broken : batch);
  }

  void refuse(const std::shared_ptr<scripted_connection>& connection, std::uint16_t code,
              v1::ErrorCode why = v1::ERROR_CODE_UNAUTHENTICATED) {
    v1::ServerMessage error;
    error.mutable_error()->set_code(why);
    error.mutable_error()->set_message("refused by the script");
    send(connection, error);
    connection->outbox.push_back({{}, code});
  }

  void send(const std::shared_ptr<scripted_connection>& connection,
            const v1::ServerMessage& message) {
    connection->outbox.push_back(
        {encode_server_message(message, connection->text ? frame_format::json : frame_format::binary),
         0});
    if (connection->writing) return;
    connection->writing = true;
    asio::co_spawn(io, write_loop(connection), asio::detached);
  }

  asio::awaitable<void> write_loop(std::shared_ptr<scripted_connection> connection) {
    auto self = shared_from_this();
    while (connection->open && !connection->outbox.empty()) {
      auto next = std::move(connection->outbox.front());
      connection->outbox.pop_front();
      if (next.close_code != 0) {
        co_await connection->ws.async_close(websocket::close_reason(next.close_code), use_tuple);
        break;
      }
      auto [ec, size] = co_await connection->ws.async_write(asio::buffer(next.bytes), use_tuple);
      if (ec) break;
    }
    connection->writing = false;
  }
};

scripted_server::scripted_server(asio::io_context& io) : state_(std::make_shared<state>(io)) {
  for (int i = 0; i < 3; ++i) {
    v1::Event stub;
    stub.set_seq(state_->log.size() + 1);
    state_->log.push_back(stub);
  }
  asio::co_spawn(io, state_->accept_loop(), asio::detached);
}

scripted_server::~scripted_server() {
  boost::system::error_code ignored;
  state_->acceptor.close(ignored);
  for (const auto& connection : state_->connections) beast::get_lowest_layer(connection->ws).close();
}

std::string scripted_server::port() const {
  return std::to_string(state_->acceptor.local_endpoint().port());
}

void scripted_server::stop_accepting() {
  boost::system::error_code ignored;
  state_->acceptor.close(ignored);
}

void scripted_server::close_all(std::uint16_t close_code) {
  for (const auto& connection : state_->connections) state_->refuse(connection, close_code, v1::ERROR_CODE_UNAVAILABLE);
}

std::uint64_t scripted_server::head_seq() const { return state_->log.size(); }

std::uint64_t scripted_server::epoch() const { return state_->epoch; }

void scripted_server::set_epoch(std::uint64_t epoch) { state_->epoch = epoch; }

void scripted_server::append_and_broadcast(v1::Event event) {
  state_->append_and_broadcast(std::move(event));
}

scripted_server::script& scripted_server::behaviour() { return state_->behaviour; }

const std::vector<v1::Join>& scripted_server::joins() const { return state_->joins; }

std::size_t scripted_server::open_connections() const { return state_->connections.size(); }

}  // namespace majlis::client::testing
