#include "majlis/client/meeting_client.hpp"

#include <deque>
#include <exception>
#include <list>
#include <map>
#include <optional>
#include <string_view>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/version.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "majlis/asio/spawn_policy.hpp"
#include "majlis/protocol/close_code.hpp"

namespace majlis::client {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

v1::Error make_error(v1::ErrorCode code, std::string message) {
  v1::Error error;
  error.set_code(code);
  error.set_message(std::move(message));
  return error;
}

v1::CommandResult failed_result(std::uint64_t request_id, v1::ErrorCode code, std::string message) {
  v1::CommandResult result;
  result.set_request_id(request_id);
  result.set_ok(false);
  *result.mutable_error() = make_error(code, std::move(message));
  return result;
}

std::string host_header(const std::string& host, const std::string& port) {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + port;
}

}  // namespace

const char* to_string(client_status status) {
  switch (status) {
    case client_status::disconnected:
      return "disconnected";
    case client_status::connected:
      return "connected";
    case client_status::joined:
      return "joined";
    case client_status::reconnecting:
      return "reconnecting";
    case client_status::closed:
      return "closed";
  }
  return "unknown";
}

bool close_code_is_retryable(std::uint16_t code) {
  switch (static_cast<protocol::close_code>(code)) {
    case protocol::close_code::normal:
    case protocol::close_code::protocol_error:
    case protocol::close_code::invalid_payload:
    case protocol::close_code::message_too_big:
    case protocol::close_code::unauthenticated:
    case protocol::close_code::not_found:
    case protocol::close_code::removed:
      return false;
    default:
      return true;
  }
}

namespace detail {

// One WebSocket connection; a reconnect makes a new one. The loops that use it hold it, so it
// lives until the last of them has returned.
struct ws_link {
  explicit ws_link(const asio::any_io_executor& executor) : ws(executor), heartbeat(executor) {}

  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buffer;
  std::deque<std::string> outbox;  // encoded frames, written one at a time
  asio::steady_timer heartbeat;
  std::optional<v1::Error> server_error;  // the Error frame the server sent before closing
  bool writing = false;
  bool alive = true;  // false once killed: its loops stop and it is never written to again
};

// Everything behind meeting_client; shared with the coroutines it starts.
class meeting_session : public std::enable_shared_from_this<meeting_session> {
 public:
  meeting_session(asio::any_io_executor executor, meeting_client_config config)
      : executor_(std::move(executor)),
        config_(std::move(config)),
        backoff_(config_.reconnect_backoff, config_.jitter_seed) {}

  asio::awaitable<boost::system::error_code> connect(std::string host, std::string port);
  asio::awaitable<join_result> join(std::string meeting_id, std::string token);
  asio::awaitable<v1::CommandResult> send(v1::Command command, std::chrono::milliseconds timeout);
  asio::awaitable<bool> wait_for_seq(std::uint64_t seq, std::chrono::milliseconds timeout);
  asio::awaitable<bool> wait_for_status(client_status status, std::chrono::milliseconds timeout);
  asio::awaitable<void> close();
  void drop_connection();
  // Synchronous stop for the destructor: no handler is called any more.
  void shutdown();

  asio::any_io_executor executor_;
  meeting_client_config config_;
  meeting_client::events_handler events_handler_;
  meeting_client::welcome_handler welcome_handler_;
  meeting_client::status_handler status_handler_;
  client_status status_ = client_status::disconnected;
  state_mirror mirror_;
  v1::Viewer viewer_;
  v1::Error last_error_;
  std::uint16_t last_close_code_ = 0;
  client_counters counters_;

 private:
  struct pending_call {
    asio::steady_timer timer;
    std::optional<v1::CommandResult> result;
  };

  asio::awaitable<boost::system::error_code> open_link();
  asio::awaitable<join_result> do_join();
  asio::awaitable<void> read_loop(std::shared_ptr<ws_link> link);
  asio::awaitable<void> write_loop(std::shared_ptr<ws_link> link);
  asio::awaitable<void> heartbeat_loop(std::shared_ptr<ws_link> link);
  asio::awaitable<void> reconnect_loop();
  asio::awaitable<bool> wait_change(clock_type::time_point deadline);

  void handle(const std::shared_ptr<ws_link>& link, v1::ServerMessage& message);
  void apply_events(const std::shared_ptr<ws_link>& link, const v1::EventBatch& batch);
  void enqueue(const std::shared_ptr<ws_link>& link, std::string frame);
  void lose(const std::shared_ptr<ws_link>& link, v1::Error reason);
  void kill(const std::shared_ptr<ws_link>& link);
  void fail_pending(const std::string& message);
  void set_status(client_status status, const v1::Error& reason);
  void notify_all();
  v1::Error read_failure(const ws_link& link, const boost::system::error_code& ec);
  template <class Function>
  void spawn(Function&& function);

  std::string host_;
  std::string port_;
  std::string meeting_id_;
  std::string token_;
  std::string mirrored_meeting_id_;  // whose state the mirror holds
  bool force_snapshot_ = false;      // the mirror cannot be resumed: ask for a snapshot
  bool stopping_ = false;            // close() or shutdown(): never reconnect
  bool reconnect_running_ = false;
  std::shared_ptr<ws_link> link_;
  std::uint64_t next_request_id_ = 1;
  std::uint64_t next_ping_nonce_ = 1;
  std::map<std::uint64_t, pending_call*> pending_;   // on the awaiting send()'s frame
  std::list<asio::steady_timer*> waiters_;           // cancelled by notify_all()
  asio::steady_timer* reconnect_timer_ = nullptr;
  backoff_schedule backoff_;
};

template <class Function>
void meeting_session::spawn(Function&& function) {
  asio::co_spawn(executor_, std::forward<Function>(function), log_failure("meeting client"));
}

asio::awaitable<boost::system::error_code> meeting_session::connect(std::string host,
                                                                    std::string port) {
  auto self = shared_from_this();
  if (status_ == client_status::joined || status_ == client_status::reconnecting)
    co_return asio::error::already_connected;
  host_ = std::move(host);
  port_ = std::move(port);
  stopping_ = false;
  const auto ec = co_await open_link();
  set_status(ec ? client_status::disconnected : client_status::connected,
             ec ? make_error(v1::ERROR_CODE_UNAVAILABLE, ec.message()) : v1::Error{});
  co_return ec;
}

asio::awaitable<boost::system::error_code> meeting_session::open_link() {
  auto link = std::make_shared<ws_link>(executor_);
  if (link_) kill(link_);
  link_ = link;
  tcp::resolver resolver(executor_);
  auto& stream = beast::get_lowest_layer(link->ws);

  // Resolve and connect within the connect timeout.
  auto [resolve_ec, endpoints] = co_await resolver.async_resolve(host_, port_, use_tuple);
  if (resolve_ec) co_return resolve_ec;
  if (!link->alive) co_return asio::error::operation_aborted;
  stream.expires_after(config_.connect_timeout);
  auto [connect_ec, endpoint] = co_await stream.async_connect(endpoints, use_tuple);
  if (connect_ec) co_return connect_ec;
  // Small frames go out at once instead of waiting for the server's delayed ACK.
  boost::system::error_code nodelay_ec;
  stream.socket().set_option(tcp::no_delay(true), nodelay_ec);

  // Upgrade to WebSocket.
  link->ws.set_option(websocket::stream_base::decorator([](websocket::request_type& request) {
    request.set(beast::http::field::user_agent,
                std::string(BOOST_BEAST_VERSION_STRING) + " majlis-client");
  }));
  link->ws.read_message_max(config_.max_frame_bytes);
  auto [handshake_ec] =
      co_await link->ws.async_handshake(host_header(host_, port_), config_.path, use_tuple);
  if (handshake_ec) co_return handshake_ec;
  if (!link->alive) co_return asio::error::operation_aborted;
  link->ws.binary(config_.format == frame_format::binary);
  co_return boost::system::error_code{};
}

asio::awaitable<join_result> meeting_session::join(std::string meeting_id, std::string token) {
  auto self = shared_from_this();
  if (status_ != client_status::connected || !link_ || !link_->alive) {
    join_result result;
    result.error = make_error(v1::ERROR_CODE_UNAVAILABLE,
                              std::string("cannot join while ") + to_string(status_));
    co_return result;
  }
  meeting_id_ = std::move(meeting_id);
  token_ = std::move(token);
  auto result = co_await do_join();
  if (!result.ok) {
    last_error_ = result.error;
    set_status(client_status::closed, result.error);
  }
  co_return result;
}

asio::awaitable<join_result> meeting_session::do_join() {
  auto link = link_;
  join_result result;
  v1::ClientMessage message;
  auto& join = *message.mutable_join();
  join.set_meeting_id(meeting_id_);
  join.set_token(token_);
  const bool resuming =
      mirror_.has_state() && mirrored_meeting_id_ == meeting_id_ && !force_snapshot_;
  if (resuming) *join.mutable_resume() = mirror_.resume_point();

  // Join, then wait for the Welcome within the join timeout.
  auto& stream = beast::get_lowest_layer(link->ws);
  stream.expires_after(config_.join_timeout);
  const auto frame = encode_client_message(message, config_.format);
  auto [write_ec, written] = co_await link->ws.async_write(asio::buffer(frame), use_tuple);
  if (write_ec) {
    result.error = make_error(v1::ERROR_CODE_UNAVAILABLE, "sending Join: " + write_ec.message());
    kill(link);
    co_return result;
  }
  for (;;) {
    auto [read_ec, size] = co_await link->ws.async_read(link->buffer, use_tuple);
    if (read_ec) {
      result.error = read_failure(*link, read_ec);
      result.close_code = last_close_code_;
      kill(link);
      co_return result;
    }
    const auto data = link->buffer.cdata();
    v1::ServerMessage reply;
    const bool decoded = decode_server_message(
        std::string_view(static_cast<const char*>(data.data()), data.size()), link->ws.got_text(),
        reply);
    link->buffer.consume(link->buffer.size());
    if (!decoded) {
      result.error = make_error(v1::ERROR_CODE_PROTOCOL, "undecodable frame while joining");
      kill(link);
      co_return result;
    }
    if (reply.has_error()) {
      // The close follows; its code decides whether a retry makes sense.
      link->server_error = reply.error();
      continue;
    }
    if (!reply.has_welcome()) continue;

    if (mirrored_meeting_id_ != meeting_id_) mirror_.reset();
    if (mirror_.apply(reply.welcome()) == apply_outcome::gap) {
      // The replay does not continue our mirror: the next join asks for a snapshot.
      ++counters_.gaps_seen;
      force_snapshot_ = true;
      result.error = make_error(v1::ERROR_CODE_PROTOCOL,
                                "the Welcome does not continue the mirrored state; rejoin for a snapshot");
      kill(link);
      co_return result;
    }
    force_snapshot_ = false;
    mirrored_meeting_id_ = meeting_id_;
    viewer_ = reply.welcome().you();

    // From here on the WebSocket's own timeouts watch the connection.
    stream.expires_never();
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = config_.connect_timeout;
    timeouts.idle_timeout = config_.idle_timeout.count() > 0
                                ? std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                      config_.idle_timeout)
                                : websocket::stream_base::none();
    timeouts.keep_alive_pings = config_.idle_timeout.count() > 0;
    link->ws.set_option(timeouts);

    result.ok = true;
    result.welcome = std::move(*reply.mutable_welcome());
    set_status(client_status::joined, v1::Error{});
    if (welcome_handler_) welcome_handler_(result.welcome, mirror_);
    spawn(read_loop(link));
    spawn(heartbeat_loop(link));
    co_return result;
  }
}

asio::awaitable<void> meeting_session::read_loop(std::shared_ptr<ws_link> link) {
  auto self = shared_from_this();
  for (;;) {
    auto [ec, size] = co_await link->ws.async_read(link->buffer, use_tuple);
    if (!link->alive) co_return;
    if (ec) {
      lose(link, read_failure(*link, ec));
      co_return;
    }
    const auto data = link->buffer.cdata();
    v1::ServerMessage message;
    const bool decoded = decode_server_message(
        std::string_view(static_cast<const char*>(data.data()), data.size()), link->ws.got_text(),
        message);
    link->buffer.consume(link->buffer.size());
    if (!decoded) {
      lose(link, make_error(v1::ERROR_CODE_PROTOCOL, "undecodable frame from the server"));
      co_return;
    }
    handle(link, message);
    if (!link->alive) co_return;
  }
}

void meeting_session::handle(const std::shared_ptr<ws_link>& link, v1::ServerMessage& message) {
  switch (message.kind_case()) {
    case v1::ServerMessage::kEvents:
      apply_events(link, message.events());
      break;
    case v1::ServerMessage::kResult: {
      const auto it = pending_.find(message.result().request_id());
      // No entry: the call timed out already; the result arrives too late to matter.
      if (it != pending_.end() && !it->second->result) {
        it->second->result = std::move(*message.mutable_result());
        it->second->timer.cancel();
      }
      break;
    }
    case v1::ServerMessage::kError:
      link->server_error = message.error();
      last_error_ = message.error();
      break;
    case v1::ServerMessage::kWelcome:
      lose(link, make_error(v1::ERROR_CODE_PROTOCOL, "a second Welcome on one connection"));
      break;
    case v1::ServerMessage::kPong:
    case v1::ServerMessage::KIND_NOT_SET:
      break;
  }
}

void meeting_session::apply_events(const std::shared_ptr<ws_link>& link,
                                   const v1::EventBatch& batch) {
  const auto applied_before = mirror_.events_applied();
  const auto expected = mirror_.seq() + 1;
  const auto outcome = mirror_.apply(batch);
  if (mirror_.events_applied() != applied_before) {
    if (events_handler_) events_handler_(batch, mirror_);
    notify_all();
  }
  if (outcome == apply_outcome::gap) {
    ++counters_.gaps_seen;
    std::uint64_t got = 0;
    for (const auto& event : batch.events()) {
      if (event.seq() > mirror_.seq() + 1) {
        got = event.seq();
        break;
      }
    }
    lose(link, make_error(v1::ERROR_CODE_PROTOCOL, "gap in events: expected seq " +
                                                       std::to_string(expected) + ", got " +
                                                       std::to_string(got)));
  }
}

asio::awaitable<v1::CommandResult> meeting_session::send(v1::Command command,
                                                         std::chrono::milliseconds timeout) {
  auto self = shared_from_this();
  const auto deadline = clock_type::now() + timeout;

  // A reconnect in progress may still bring the connection back within our timeout.
  while (status_ != client_status::joined) {
    if (status_ != client_status::reconnecting)
      co_return failed_result(0, v1::ERROR_CODE_UNAVAILABLE,
                              std::string("not joined (") + to_string(status_) + ")");
    if (!co_await wait_change(deadline) && status_ != client_status::joined) {
      ++counters_.command_timeouts;
      co_return failed_result(0, v1::ERROR_CODE_UNAVAILABLE,
                              "timed out after " + std::to_string(timeout.count()) +
                                  " ms waiting for the connection to come back");
    }
  }

  const auto request_id = next_request_id_++;
  v1::ClientMessage message;
  message.mutable_command()->set_request_id(request_id);
  *message.mutable_command()->mutable_command() = std::move(command);
  pending_call call{asio::steady_timer(executor_, deadline), std::nullopt};
  pending_[request_id] = &call;
  enqueue(link_, encode_client_message(message, config_.format));
  ++counters_.commands_sent;

  // Woken early by the result (or a lost connection); otherwise the deadline passes.
  co_await call.timer.async_wait(use_tuple);
  pending_.erase(request_id);
  if (call.result) co_return std::move(*call.result);
  ++counters_.command_timeouts;
  co_return failed_result(request_id, v1::ERROR_CODE_UNAVAILABLE,
                          "timed out after " + std::to_string(timeout.count()) +
                              " ms waiting for the result");
}

void meeting_session::enqueue(const std::shared_ptr<ws_link>& link, std::string frame) {
  if (!link || !link->alive) return;
  link->outbox.push_back(std::move(frame));
  // Are we already writing?
  if (link->writing) return;
  link->writing = true;
  spawn(write_loop(link));
}

asio::awaitable<void> meeting_session::write_loop(std::shared_ptr<ws_link> link) {
  auto self = shared_from_this();
  while (link->alive && !link->outbox.empty()) {
    auto [ec, size] = co_await link->ws.async_write(asio::buffer(link->outbox.front()), use_tuple);
    if (ec) {
      link->writing = false;
      lose(link, make_error(v1::ERROR_CODE_UNAVAILABLE, "write failed: " + ec.message()));
      notify_all();
      co_return;
    }
    link->outbox.pop_front();
  }
  link->writing = false;
  // close() waits for the writer to finish before it sends the close frame.
  notify_all();
}

asio::awaitable<void> meeting_session::heartbeat_loop(std::shared_ptr<ws_link> link) {
  auto self = shared_from_this();
  if (config_.ping_interval.count() <= 0) co_return;
  while (link->alive) {
    link->heartbeat.expires_after(config_.ping_interval);
    co_await link->heartbeat.async_wait(use_tuple);
    if (!link->alive) co_return;
    v1::ClientMessage ping;
    ping.mutable_ping()->set_nonce(next_ping_nonce_++);
    enqueue(link, encode_client_message(ping, config_.format));
  }
}

v1::Error meeting_session::read_failure(const ws_link& link, const boost::system::error_code& ec) {
  if (ec == websocket::error::closed) {
    last_close_code_ = static_cast<std::uint16_t>(link.ws.reason().code);
    if (link.server_error) return *link.server_error;
    return make_error(v1::ERROR_CODE_UNAVAILABLE,
                      "closed by the server (code " + std::to_string(last_close_code_) +
                          (link.ws.reason().reason.empty()
                               ? std::string()
                               : ": " + std::string(link.ws.reason().reason.c_str())) +
                          ")");
  }
  last_close_code_ = 0;
  if (ec == beast::error::timeout)
    return make_error(v1::ERROR_CODE_UNAVAILABLE, "no frame from the server in time");
  return make_error(v1::ERROR_CODE_UNAVAILABLE, "connection lost: " + ec.message());
}

void meeting_session::lose(const std::shared_ptr<ws_link>& link, v1::Error reason) {
  if (link != link_ || !link->alive) return;
  kill(link);
  last_error_ = reason;
  fail_pending("connection lost before the result arrived: " + reason.message());
  const bool retry = config_.auto_reconnect && !stopping_ && !mirrored_meeting_id_.empty() &&
                     close_code_is_retryable(last_close_code_);
  if (!retry) {
    set_status(client_status::closed, reason);
    return;
  }
  set_status(client_status::reconnecting, reason);
  if (!reconnect_running_) {
    reconnect_running_ = true;
    spawn(reconnect_loop());
  }
}

void meeting_session::kill(const std::shared_ptr<ws_link>& link) {
  if (!link->alive) return;
  link->alive = false;
  link->heartbeat.cancel();
  // Closing the socket ends the pending read and write with operation_aborted.
  beast::get_lowest_layer(link->ws).close();
}

asio::awaitable<void> meeting_session::reconnect_loop() {
  auto self = shared_from_this();
  const unsigned attempts = std::max(1U, config_.reconnect_backoff.max_attempts);
  for (unsigned attempt = 0; attempt < attempts && !stopping_; ++attempt) {
    // Back off before each attempt, so a server that drops everyone is not stormed.
    asio::steady_timer delay(executor_, backoff_.delay(attempt));
    reconnect_timer_ = &delay;
    co_await delay.async_wait(use_tuple);
    reconnect_timer_ = nullptr;
    if (stopping_) break;

    ++counters_.reconnect_attempts;
    last_close_code_ = 0;
    if (const auto ec = co_await open_link()) {
      last_error_ = make_error(v1::ERROR_CODE_UNAVAILABLE, "reconnect failed: " + ec.message());
      continue;
    }
    if (stopping_) break;
    const auto joined = co_await do_join();
    if (joined.ok) {
      ++counters_.reconnects;
      reconnect_running_ = false;
      co_return;
    }
    last_error_ = joined.error;
    if (!close_code_is_retryable(joined.close_code)) break;
  }
  reconnect_running_ = false;
  if (link_) kill(link_);
  if (!stopping_) set_status(client_status::closed, last_error_);
}

asio::awaitable<bool> meeting_session::wait_change(clock_type::time_point deadline) {
  asio::steady_timer timer(executor_, deadline);
  const auto it = waiters_.insert(waiters_.end(), &timer);
  auto [ec] = co_await timer.async_wait(use_tuple);
  waiters_.erase(it);
  co_return ec == asio::error::operation_aborted;
}

void meeting_session::notify_all() {
  for (auto* timer : waiters_) timer->cancel();
}

void meeting_session::fail_pending(const std::string& message) {
  for (auto& [request_id, call] : pending_) {
    if (call->result) continue;
    call->result = failed_result(request_id, v1::ERROR_CODE_UNAVAILABLE, message);
    call->timer.cancel();
  }
}

void meeting_session::set_status(client_status status, const v1::Error& reason) {
  status_ = status;
  if (status_handler_) status_handler_(status, reason);
  notify_all();
}

asio::awaitable<bool> meeting_session::wait_for_seq(std::uint64_t seq,
                                                    std::chrono::milliseconds timeout) {
  auto self = shared_from_this();
  const auto deadline = clock_type::now() + timeout;
  for (;;) {
    if (mirror_.seq() >= seq) co_return true;
    if (status_ == client_status::closed || clock_type::now() >= deadline) co_return false;
    co_await wait_change(deadline);
  }
}

asio::awaitable<bool> meeting_session::wait_for_status(client_status status,
                                                       std::chrono::milliseconds timeout) {
  auto self = shared_from_this();
  const auto deadline = clock_type::now() + timeout;
  for (;;) {
    if (status_ == status) co_return true;
    if (clock_type::now() >= deadline) co_return false;
    co_await wait_change(deadline);
  }
}

asio::awaitable<void> meeting_session::close() {
  auto self = shared_from_this();
  stopping_ = true;
  if (reconnect_timer_ != nullptr) reconnect_timer_->cancel();
  auto link = link_;
  if (link && link->alive && status_ == client_status::joined) {
    // Close frames count as writes: let the writer drain first (bounded by the timeout).
    const auto deadline = clock_type::now() + config_.connect_timeout;
    while (link->alive && link->writing && clock_type::now() < deadline)
      co_await wait_change(deadline);
    if (link->alive && !link->writing) {
      beast::get_lowest_layer(link->ws).expires_after(config_.connect_timeout);
      co_await link->ws.async_close(websocket::close_code::normal, use_tuple);
    }
  }
  if (link) kill(link);
  fail_pending("the client was closed");
  if (status_ != client_status::closed)
    set_status(client_status::closed, make_error(v1::ERROR_CODE_UNSPECIFIED, "closed by the client"));
}

void meeting_session::drop_connection() {
  if (link_ && link_->alive) beast::get_lowest_layer(link_->ws).socket().close();
}

void meeting_session::shutdown() {
  events_handler_ = nullptr;
  welcome_handler_ = nullptr;
  status_handler_ = nullptr;
  stopping_ = true;
  if (reconnect_timer_ != nullptr) reconnect_timer_->cancel();
  if (link_) kill(link_);
  fail_pending("the client was destroyed");
  status_ = client_status::closed;
  notify_all();
}

}  // namespace detail

meeting_client::meeting_client(executor_type executor, meeting_client_config config)
    : session_(std::make_shared<detail::meeting_session>(std::move(executor), std::move(config))) {}

meeting_client::~meeting_client() { session_->shutdown(); }

meeting_client::executor_type meeting_client::get_executor() const { return session_->executor_; }

const meeting_client_config& meeting_client::config() const { return session_->config_; }

// Each public awaitable holds the session from its creation on, so a background coroutine that
// outlives the meeting_client never sees a dangling session.
asio::awaitable<boost::system::error_code> meeting_client::connect(std::string host,
                                                                   std::string port) {
  return [](std::shared_ptr<detail::meeting_session> session, std::string host_name,
            std::string port_name) -> asio::awaitable<boost::system::error_code> {
    co_return co_await session->connect(std::move(host_name), std::move(port_name));
  }(session_, std::move(host), std::move(port));
}

asio::awaitable<join_result> meeting_client::join(std::string meeting_id, std::string token) {
  return [](std::shared_ptr<detail::meeting_session> session, std::string meeting,
            std::string join_token) -> asio::awaitable<join_result> {
    co_return co_await session->join(std::move(meeting), std::move(join_token));
  }(session_, std::move(meeting_id), std::move(token));
}

asio::awaitable<v1::CommandResult> meeting_client::send(v1::Command command) {
  return send(std::move(command), session_->config_.command_timeout);
}

asio::awaitable<v1::CommandResult> meeting_client::send(v1::Command command,
                                                        std::chrono::milliseconds timeout) {
  return [](std::shared_ptr<detail::meeting_session> session, v1::Command what,
            std::chrono::milliseconds within) -> asio::awaitable<v1::CommandResult> {
    co_return co_await session->send(std::move(what), within);
  }(session_, std::move(command), timeout);
}

asio::awaitable<bool> meeting_client::wait_for_seq(std::uint64_t seq,
                                                   std::chrono::milliseconds timeout) {
  return [](std::shared_ptr<detail::meeting_session> session, std::uint64_t target,
            std::chrono::milliseconds within) -> asio::awaitable<bool> {
    co_return co_await session->wait_for_seq(target, within);
  }(session_, seq, timeout);
}

asio::awaitable<bool> meeting_client::wait_for_status(client_status status,
                                                      std::chrono::milliseconds timeout) {
  return [](std::shared_ptr<detail::meeting_session> session, client_status target,
            std::chrono::milliseconds within) -> asio::awaitable<bool> {
    co_return co_await session->wait_for_status(target, within);
  }(session_, status, timeout);
}

asio::awaitable<void> meeting_client::close() {
  return [](std::shared_ptr<detail::meeting_session> session) -> asio::awaitable<void> {
    co_await session->close();
  }(session_);
}

void meeting_client::drop_connection() { session_->drop_connection(); }

void meeting_client::on_events(events_handler handler) {
  session_->events_handler_ = std::move(handler);
}

void meeting_client::on_welcome(welcome_handler handler) {
  session_->welcome_handler_ = std::move(handler);
}

void meeting_client::on_status(status_handler handler) {
  session_->status_handler_ = std::move(handler);
}

client_status meeting_client::status() const { return session_->status_; }

const state_mirror& meeting_client::mirror() const { return session_->mirror_; }

const v1::Viewer& meeting_client::viewer() const { return session_->viewer_; }

const v1::Error& meeting_client::last_error() const { return session_->last_error_; }

std::uint16_t meeting_client::last_close_code() const { return session_->last_close_code_; }

client_counters meeting_client::counters() const {
  auto counters = session_->counters_;
  counters.events_applied = session_->mirror_.events_applied();
  counters.duplicates_ignored = session_->mirror_.duplicates_ignored();
  counters.snapshots_loaded = session_->mirror_.snapshots_loaded();
  return counters;
}

}  // namespace majlis::client
