#include "net/websocket_session.hpp"

#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <span>
#include <string_view>
#include <tuple>
#include <utility>
#include <variant>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket.hpp>
#include <spdlog/spdlog.h>

#include "majlis/asio/spawn_policy.hpp"
#include "net/batch_send.hpp"
#include "net/codec.hpp"

namespace majlis::net {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using asio::use_awaitable;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

// Frames beyond this many times max_frame_bytes are failed by Beast at the frame header (no
// Error message, no bytes read); smaller oversized frames are drained so an Error can go first.
constexpr std::size_t hard_frame_limit_factor = 16;
// A pending read holds a buffer of the size it asked for, so an idle connection asks for this
// much first (a client's commands, pings and acks mostly fit) and for the rest of a longer
// message once it has begun; a buffer grown past it is released after the message.
constexpr std::size_t first_read_bytes = 256;

// A socket on a plain io_context executor (not a strand) belongs to a single-threaded context:
// the listener puts sockets there only when the server runs one io_context per I/O thread.
asio::io_context* single_thread_context(const asio::any_io_executor& executor) {
  const auto* plain = executor.target<asio::io_context::executor_type>();
  return plain ? &plain->context() : nullptr;
}

// One non-blocking gather send() of as many of `buffers` as one call takes (at most 64 pieces,
// as Asio's own writes): the bytes the socket took, or -errno.
ssize_t send_now(int fd, std::span<const asio::const_buffer> buffers) {
  std::array<iovec, 64> pieces;
  const std::size_t count = std::min(buffers.size(), pieces.size());
  for (std::size_t i = 0; i < count; ++i) {
    pieces[i].iov_base = const_cast<void*>(buffers[i].data());
    pieces[i].iov_len = buffers[i].size();
  }
  msghdr message{};
  message.msg_iov = pieces.data();
  message.msg_iovlen = count;
  const ssize_t sent = ::sendmsg(fd, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
  return sent >= 0 ? sent : -errno;
}

// A send()'s result (bytes, or -errno) as finish_write takes it: the bytes taken, and
// would_block when the socket took nothing yet (the rest is written asynchronously) or the error
// that failed it.
std::pair<std::size_t, boost::system::error_code> sent_or_error(std::int64_t result) {
  if (result >= 0) return {static_cast<std::size_t>(result), {}};
  const int error = static_cast<int>(-result);
  if (error == EAGAIN || error == EWOULDBLOCK || error == EINTR) return {0, asio::error::would_block};
  return {0, boost::system::error_code(error, boost::system::system_category())};
}

std::string seconds_text(std::chrono::milliseconds d) {
  const auto ms = d.count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  return std::to_string(ms) + " ms";
}

}  // namespace

websocket_session::websocket_session(transport_stream&& stream,
                                     std::shared_ptr<server_state> state, socket_slot slot,
                                     bool reject, std::string client_address)
    : ws_(std::move(stream)),
      state_(std::move(state)),
      slot_(std::move(slot)),
      config_(state_->config),
      id_(state_->next_connection_id()),
      reject_(reject),
      client_address_(std::move(client_address)),
      io_thread_(single_thread_context(ws_.get_executor())),
      watchdog_(ws_.get_executor()),
      read_parked_(ws_.get_executor(), clock::time_point::max()),
      intake_{command_limiter(config_.commands_per_second, config_.command_burst, clock::now())} {}

websocket_session::~websocket_session() { ws_.next_layer().share_write_path(nullptr); }

// delivery (declared in connection.hpp): here, beside the sessions it feeds.

namespace {
// The frames a delivery's group wrote at once (enqueue_direct), counted into the shared metrics
// once per group: an atomic add per frame from both I/O threads would bounce the counters' cache
// line between the cores.
struct tally {
  net_metrics* metrics = nullptr;
  std::uint64_t frames = 0;
  std::uint64_t bytes = 0;
  void add(net_metrics& into, std::size_t size) {
    if (metrics != &into) flush();
    metrics = &into;
    ++frames;
    bytes += size;
  }
  void flush() {
    if (!metrics || frames == 0) return;
    metrics->frames_out.fetch_add(frames, std::memory_order_relaxed);
    metrics->bytes_out.fetch_add(bytes, std::memory_order_relaxed);
    frames = bytes = 0;
  }
};
thread_local tally direct_tally;

// One thread's share of a fan-out: every receiver that can take its frame at once goes into one
// batch of sends (send_batcher: one system call per 256 with io_uring), the others queue it.
class send_batch {
 public:
  void add(connection* to, int fd, const frame& f) {
    requests_.push_back({fd, f.framed->data(), f.framed->size(), 0});
    senders_.emplace_back(to, &f);
  }
  void send() {
    if (requests_.empty()) return;
    // Taken out first: a batch that sends while this one is handing out results starts afresh.
    std::vector<send_request> requests;
    std::vector<std::pair<connection*, const frame*>> senders;
    requests.swap(requests_);
    senders.swap(senders_);
    send_batcher::for_this_thread().send(requests);
    for (std::size_t i = 0; i < requests.size(); ++i)
      senders[i].first->end_direct_send(*senders[i].second, requests[i].result);
    requests.clear();
    senders.clear();
    if (requests_.empty()) {  // keep the capacity for the next fan-out
      requests_.swap(requests);
      senders_.swap(senders);
    }
  }

 private:
  std::vector<send_request> requests_;
  std::vector<std::pair<connection*, const frame*>> senders_;
};

// A delivery group's receivers, each with the index of its frame.
using receiver_list = std::vector<std::pair<std::shared_ptr<connection>, std::uint32_t>>;

void send_group(const std::vector<frame>& frames, const receiver_list& receivers) {
  thread_local send_batch batch;  // its vectors keep their capacity from one fan-out to the next
  for (const auto& [to, index] : receivers) {
    const frame& f = frames[index];
    int fd = to->begin_direct_send(f);
    if (fd == connection::in_this_batch) {
      batch.send();
      fd = to->begin_direct_send(f);
    }
    if (fd >= 0)
      batch.add(to.get(), fd, f);
    else
      to->send_on_thread(f);
  }
  batch.send();
}
}  // namespace

struct delivery::group {
  asio::io_context* thread = nullptr;
  receiver_list receivers;
};

delivery::delivery() = default;
delivery::~delivery() = default;

void delivery::add(const std::shared_ptr<connection>& to, asio::io_context* thread,
                   const frame& f) {
  if (!thread) {
    to->send(f);
    return;
  }
  std::uint32_t index = 0;
  while (index < frames_.size() && frames_[index].bytes != f.bytes) ++index;
  if (index == frames_.size()) frames_.push_back(f);
  group* into = nullptr;
  for (auto& g : groups_) {
    if (g->thread == thread) into = g.get();
  }
  if (!into) {
    groups_.push_back(std::make_unique<group>());
    into = groups_.back().get();
    into->thread = thread;
  }
  into->receivers.emplace_back(to, index);
}

void delivery::send() {
  if (groups_.empty()) return;
  auto frames = std::make_shared<const std::vector<frame>>(std::move(frames_));
  // Other threads' groups first, so they work while this thread queues its own.
  std::stable_partition(groups_.begin(), groups_.end(), [](const auto& g) {
    return !g->thread->get_executor().running_in_this_thread();
  });
  for (auto& g : groups_) {
    const auto executor = g->thread->get_executor();
    asio::dispatch(executor, [frames, g = std::move(g)] {
      send_group(*frames, g->receivers);
      direct_tally.flush();
    });
  }
  groups_.clear();
}

void websocket_session::start(std::shared_ptr<websocket_session> self, request upgrade) {
  auto executor = self->ws_.get_executor();
  auto* session = self.get();
  asio::co_spawn(executor, session->do_run(std::move(self), std::move(upgrade)),
                 log_failure("websocket session"));
}

asio::awaitable<void> websocket_session::do_run(std::shared_ptr<websocket_session> self,
                                                request upgrade) {
  // The watchdog alone judges silence: Beast's idle timeout would drop a silent peer's socket at
  // about the same moment, and the client would see 1006 instead of the Error and 4009.
  auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
  timeouts.handshake_timeout = config_.close_timeout;
  timeouts.idle_timeout = websocket::stream_base::none();
  timeouts.keep_alive_pings = false;
  ws_.set_option(timeouts);
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(beast::http::field::server, "majlis"); }));
  ws_.read_message_max(config_.max_frame_bytes * hard_frame_limit_factor);
  ws_.auto_fragment(false);
  beast::get_lowest_layer(ws_).expires_never();

  // Complete the upgrade.
  auto [ec] = co_await ws_.async_accept(upgrade, use_tuple);
  if (ec) {
    spdlog::debug("event=ws_upgrade_failed connection={} error=\"{}\"", id_, ec.message());
    co_return;
  }
  upgrade = {};
  ws_.next_layer().share_write_path(&direct_);
  registry_key_ = state_->add_session(self);
  opened_at_ = last_frame_at_ = clock::now();
  move_to(session_state::awaiting_join);
  on_open();

  // A plain timer wait, not a coroutine: an idle connection keeps no coroutine frame for it.
  watch();
  // The read loop, in this frame rather than a nested coroutine's: an idle connection keeps one
  // coroutine frame less.
  const std::size_t max = config_.max_frame_bytes;
  for (;;) {
    // Closing: the writer's async_close reads, and drops, whatever the peer still sends until its
    // close frame. A read of ours beside it can deadlock inside Beast: a frame Beast refuses
    // (invalid UTF-8, a protocol violation) makes our read wait for the write lock that the close
    // holds while it waits for our read — until the close deadline. So park until the close is
    // over; a read already pending when the close began still completes normally.
    if (winding_down(phase_)) {
      if (!transport_over_) co_await read_parked_.async_wait(use_tuple);
      break;
    }
    // Read the next piece of a message, at most one byte past the limit; a small first piece.
    const std::size_t left = max + 1 - std::min(read_buffer_.size(), max);
    const std::size_t limit = read_buffer_.size() == 0 ? std::min(left, first_read_bytes) : left;
    auto [read_ec, bytes] = co_await ws_.async_read_some(read_buffer_, limit, use_tuple);
    if (read_ec) {
      spdlog::debug("event=ws_read_ended connection={} error=\"{}\"", id_, read_ec.message());
      break;
    }
    state_->metrics.bytes_in.fetch_add(bytes, std::memory_order_relaxed);
    if (winding_down(phase_)) {
      read_buffer_.clear();
    } else if (read_buffer_.size() > max || ws_.is_message_done()) {
      on_frame(!ws_.got_text());
      read_buffer_.clear();
      if (read_buffer_.capacity() > first_read_bytes) read_buffer_.shrink_to_fit();
    }
  }
  on_closed();
}

void websocket_session::on_open() {
  if (reject_) {
    state_->metrics.connections_rejected.fetch_add(1, std::memory_order_relaxed);
    // The client's format is not known yet; JSON is readable by every client and by people.
    format_.store(wire_format::json, std::memory_order_relaxed);
    begin_close(close_code::server_full, v1::ERROR_CODE_RESOURCE_EXHAUSTED,
                "server full: " + std::to_string(config_.max_connections) +
                    " connections; try again later");
    return;
  }
  if (!admit_address()) return;
  admitted_ = true;  // one of the address's connections, and one of connections_open
  state_->metrics.connections_open.fetch_add(1, std::memory_order_relaxed);
  state_->metrics.connections_total.fetch_add(1, std::memory_order_relaxed);
  spdlog::debug("event=ws_open connection={}", id_);
  try {
    handler_ = state_->acceptor ? state_->acceptor->on_open(shared_from_this()) : nullptr;
  } catch (const std::exception& e) {
    spdlog::error("event=on_open_threw connection={} error=\"{}\"", id_, e.what());
  }
  if (!handler_ && !winding_down(phase_)) {
    begin_close(close_code::internal_error, v1::ERROR_CODE_INTERNAL, "connection not accepted");
  }
}

bool websocket_session::admit_address() {
  auto& limits = state_->addresses;
  const auto& limit = limits.config();
  const auto verdict = limits.admit_connection(client_address_, clock::now());
  if (verdict == address_limits::verdict::accept) {
    return true;
  }
  format_.store(wire_format::json, std::memory_order_relaxed);
  std::string reason;
  switch (verdict) {
    case address_limits::verdict::auth_throttled: {
      state_->metrics.auth_throttled.fetch_add(1, std::memory_order_relaxed);
      const auto wait = std::chrono::ceil<std::chrono::seconds>(
          limits.auth_retry_after(client_address_, clock::now()));
      reason = "too many failed authentications from " + client_address_ + "; retry after " +
               std::to_string(std::max<std::int64_t>(wait.count(), 1)) + " s";
      break;
    }
    case address_limits::verdict::too_many_connections:
      state_->metrics.address_connections_refused.fetch_add(1, std::memory_order_relaxed);
      reason = client_address_ + " already holds the maximum of " +
               std::to_string(limit.max_connections) +
               " connections (--max-connections-per-address)";
      break;
    default:
      state_->metrics.address_joins_refused.fetch_add(1, std::memory_order_relaxed);
      reason = client_address_ + " joins too fast: " + std::to_string(limit.joins_per_second) +
               " per second, burst " + std::to_string(limit.join_burst) +
               " (--joins-per-second-per-address); try again shortly";
  }
  begin_close(close_code::too_many_connections, v1::ERROR_CODE_RESOURCE_EXHAUSTED,
              std::move(reason));
  return false;
}

void websocket_session::on_frame(bool binary) {
  const auto now = clock::now();
  const auto data = read_buffer_.cdata();
  auto verdict = take_frame(std::string_view(static_cast<const char*>(data.data()), data.size()),
                            binary, {config_.max_frame_bytes, config_.commands_per_second},
                            intake_, now);
  auto& metrics = state_->metrics;
  if (verdict.frame_format) {
    metrics.frames_in.fetch_add(1, std::memory_order_relaxed);
    last_frame_at_ = now;
    if (verdict.fixes_format) format_.store(*verdict.frame_format, std::memory_order_relaxed);
  }
  switch (verdict.count) {
    case intake_verdict::counter::none:
      break;
    case intake_verdict::counter::protocol_errors:
      metrics.protocol_errors.fetch_add(1, std::memory_order_relaxed);
      break;
    case intake_verdict::counter::rate_limited_commands:
      metrics.rate_limited_commands.fetch_add(1, std::memory_order_relaxed);
      break;
  }
  if (auto* close = std::get_if<intake::close>(&verdict.action)) {
    begin_close(close->code, close->error, std::move(close->reason));
  } else if (auto* answer = std::get_if<intake::answer>(&verdict.action)) {
    enqueue(encode_server_message(answer->message, format()));
  } else if (auto* deliver = std::get_if<intake::deliver>(&verdict.action)) {
    try {
      handler_->on_message(std::move(deliver->message));
    } catch (const std::exception& e) {
      spdlog::error("event=on_message_threw connection={} error=\"{}\"", id_, e.what());
      begin_close(close_code::internal_error, v1::ERROR_CODE_INTERNAL, "internal error");
    }
  }
}

void websocket_session::move_to(session_state next) {
  if (!session_state_allows(phase_, next)) {
    // A bug, not a client's doing: keep the current phase rather than go back.
    spdlog::error("event=ws_bad_state_move connection={} from={} to={}", id_, static_cast<int>(phase_),
                  static_cast<int>(next));
    return;
  }
  phase_ = next;
}

void websocket_session::send(frame f) {
  asio::dispatch(ws_.get_executor(),
                 [self = shared_from_this(), f = std::move(f)]() mutable {
                   self->enqueue(std::move(f));
                 });
}

void websocket_session::send(const v1::ServerMessage& message) {
  frame f;
  try {
    f = encode_server_message(message, format());
  } catch (const std::exception& e) {
    spdlog::error("event=encode_failed connection={} error=\"{}\"", id_, e.what());
    close_with_error(close_code::internal_error, v1::ERROR_CODE_INTERNAL, "internal error");
    return;
  }
  send(std::move(f));
}

void websocket_session::close_with_error(close_code code, v1::ErrorCode error,
                                         std::string message) {
  asio::dispatch(ws_.get_executor(), [self = shared_from_this(), code, error,
                                      message = std::move(message)]() mutable {
    self->begin_close(code, error, std::move(message));
  });
}

void websocket_session::mark_joined() {
  asio::dispatch(ws_.get_executor(), [self = shared_from_this()] {
    if (self->phase_ != session_state::awaiting_join) return;
    self->move_to(session_state::joined);
    self->last_frame_at_ = clock::now();
    // Stop the join timer: the watchdog re-arms on the idle deadline.
    self->watchdog_.cancel();
  });
}

void websocket_session::shutdown(close_code code) {
  close_with_error(code,
                   code == close_code::going_away ? v1::ERROR_CODE_UNAVAILABLE
                                                  : v1::ERROR_CODE_INTERNAL,
                   code == close_code::going_away ? "server shutting down; reconnect"
                                                  : "closed by the server");
}

void websocket_session::enqueue(frame f) {
  if (winding_down(phase_) || !f.bytes) return;
  // A Welcome's bytes are not live traffic: a large state must not make joining impossible,
  // and its snapshot is shared with the other joiners at the same seq (README "Wire protocol").
  const std::size_t size = f.welcome ? 0 : f.size();
  // Is the client keeping up? (Frames in the write in flight count too.)
  if (queue_.frames() >= config_.send_queue_max_frames ||
      queue_.counted_bytes() + size > config_.send_queue_max_bytes) {
    queue_.clear_pending();
    begin_close(close_code::slow_consumer, v1::ERROR_CODE_RESOURCE_EXHAUSTED,
                "send queue overflow (" + std::to_string(config_.send_queue_max_frames) +
                    " frames or " + std::to_string(config_.send_queue_max_bytes) +
                    " bytes); reconnect and resume by seq");
    return;
  }
  queue_.push(std::move(f));
  pump_writer();
}

void websocket_session::enqueue_direct(const frame& f) {
  const int fd = begin_direct_send(f);
  if (fd < 0) {
    enqueue(f);
    return;
  }
  const auto sent = ::send(fd, f.framed->data(), f.framed->size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  end_direct_send(f, sent >= 0 ? sent : -errno);
}

int websocket_session::begin_direct_send(const frame& f) {
  // A fan-out's common case: nothing queued and the socket takes the pre-framed frame whole at
  // once, so it is written without a queue entry or a completion handler. Everything this looks
  // at is in the session object (direct_write_path), none of it in Beast's or the socket's state.
  if (in_send_batch_) return in_this_batch;
  const bool direct = direct_.fd >= 0 && !direct_.gate_busy && f.framed && f.bytes &&
                      !winding_down(phase_) && !queue_.writing() && !queue_.has_pending() &&
                      config_.send_queue_max_frames > 0 && f.size() <= config_.send_queue_max_bytes;
  if (!direct) return not_direct;
  in_send_batch_ = true;
  return direct_.fd;
}

void websocket_session::end_direct_send(const frame& f, std::int64_t result) {
  in_send_batch_ = false;
  if (result == static_cast<std::int64_t>(f.framed->size())) {
    direct_tally.add(state_->metrics, f.size());
    return;
  }
  // Part of it, or nothing yet: the rest is written asynchronously. A failed socket is torn down
  // from a handler of its own: a fan-out's batch is still handing out results.
  const auto [taken, ec] = sent_or_error(result);
  queue_.push(f);
  (void)queue_.begin_write();
  if (ec && ec != asio::error::would_block) {
    asio::post(ws_.get_executor(), [self = shared_from_this(), ec] { self->on_written(ec); });
    return;
  }
  (void)finish_write(taken, ec);  // not all of it was taken: an asynchronous write follows
}

void websocket_session::begin_close(close_code code, v1::ErrorCode error, std::string message) {
  if (winding_down(phase_)) return;
  move_to(session_state::draining);
  close_code_ = code;
  if (code == close_code::unauthenticated) {
    state_->metrics.failed_auth.fetch_add(1, std::memory_order_relaxed);
    state_->addresses.record_failed_auth(client_address_, clock::now());
  }
  close_deadline_ = clock::now() + config_.close_timeout;
  state_->metrics.count_close(code);
  spdlog::debug("event=ws_closing connection={} code={} reason=\"{}\"", id_,
                static_cast<unsigned>(code), message);
  try {
    queue_.push(encode_server_message(make_error_message(error, std::move(message)), format()));
  } catch (const std::exception& e) {
    spdlog::error("event=error_encode_failed connection={} error=\"{}\"", id_, e.what());
  }
  pump_writer();
  // Re-arm the watchdog on the close deadline.
  watchdog_.cancel();
}

void websocket_session::pump_writer() {
  for (;;) {
    // One write at a time; none once Beast is closing (the peer's close or a protocol failure:
    // Beast writes its close frame and ends the transport).
    if (queue_.writing() || phase_ == session_state::closing ||
        phase_ == session_state::closed || !ws_.is_open())
      return;
    if (queue_.has_pending()) {
      // Every queued frame in one gather write, framed by us (server frames are unmasked). Frames
      // queued while a write is in flight wait for it, and count against the queue's limits.
      const auto buffers = queue_.begin_write();
      if (direct_.fd < 0 || direct_.gate_busy) {
        ws_.next_layer().async_write_frames(buffers, [self = shared_from_this()](
                                                         beast::error_code ec, std::size_t) {
          self->on_written(ec);
        });
        return;
      }
      // Plain TCP and no Beast write in progress: what the socket takes at once needs no
      // operation and no completion handler (a Welcome, an answer, an Error before a close).
      const auto [taken, ec] = sent_or_error(send_now(direct_.fd, buffers));
      if (!finish_write(taken, ec)) return;
      continue;
    }
    // Everything is written: close if asked to.
    if (phase_ == session_state::draining) {
      move_to(session_state::closing);
      ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(close_code_),
                                              close_code_name(close_code_)),
                      [self = shared_from_this()](beast::error_code ec) {
                        if (ec) self->tear_down();
                        self->end_parked_read();
                      });
    }
    return;
  }
}

bool websocket_session::finish_write(std::size_t taken, beast::error_code ec) {
  if (ec && ec != asio::error::would_block) {
    on_written(ec);
    return false;
  }
  // What the socket took at once needs no completion handler; the rest is written asynchronously.
  const auto left = queue_.advance(taken);
  if (left.empty()) {
    count_written(queue_.end_write());
    return true;
  }
  ws_.next_layer().async_write_frames(
      left, [self = shared_from_this()](beast::error_code e, std::size_t) { self->on_written(e); });
  return false;
}

void websocket_session::on_written(beast::error_code ec) {
  const auto written = queue_.end_write();
  if (ec) {
    spdlog::debug("event=ws_write_failed connection={} error=\"{}\"", id_, ec.message());
    queue_.clear_pending();
    tear_down();
    return;
  }
  count_written(written);
  pump_writer();
}

void websocket_session::count_written(const send_queue::batch& written) {
  state_->metrics.frames_out.fetch_add(written.frames, std::memory_order_relaxed);
  state_->metrics.bytes_out.fetch_add(written.bytes, std::memory_order_relaxed);
}

void websocket_session::watch() {
  // The same policy as a spawned coroutine's (log_failure): an exception ends the watchdog.
  try {
    for (;;) {
      const auto deadline = deadline_of(phase_);
      if (deadline == session_deadline::none) return;
      const auto now = clock::now();
      const auto due = deadline == session_deadline::close  ? close_deadline_
                       : deadline == session_deadline::idle ? last_frame_at_ + config_.idle_timeout
                                                            : opened_at_ + config_.join_timeout;
      if (now >= due) {
        if (deadline == session_deadline::close) {
          spdlog::debug("event=ws_close_timed_out connection={}", id_);
          tear_down();
          return;
        }
        if (deadline == session_deadline::idle) {
          begin_close(close_code::idle_timeout, v1::ERROR_CODE_PROTOCOL,
                      "no message within " + seconds_text(config_.idle_timeout));
        } else {
          begin_close(close_code::join_timeout, v1::ERROR_CODE_PROTOCOL,
                      "no Join within " + seconds_text(config_.join_timeout));
        }
        continue;
      }
      // Sleep until the nearest deadline (or until begin_close re-arms us).
      watchdog_.expires_at(due);
      watchdog_.async_wait(
          [self = shared_from_this()](const boost::system::error_code&) { self->watch(); });
      return;
    }
  } catch (...) {
    report_failure("websocket watchdog", std::current_exception());
  }
}

void websocket_session::tear_down() {
  direct_.fd = -1;  // before the number can be handed to another connection
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).socket().close(ignored);
  end_parked_read();
}

void websocket_session::end_parked_read() {
  transport_over_ = true;
  read_parked_.cancel();
}

void websocket_session::on_closed() {
  const bool closed_by_us = winding_down(phase_);
  move_to(session_state::closed);
  queue_.clear_pending();  // a write in flight keeps its frames until it completes
  watchdog_.cancel();
  tear_down();
  if (registry_key_ != 0) state_->remove_session(registry_key_);
  if (!closed_by_us) state_->metrics.closes_by_peer.fetch_add(1, std::memory_order_relaxed);
  if (admitted_) state_->addresses.release_connection(client_address_, clock::now());
  spdlog::debug("event=ws_closed connection={}", id_);
  if (auto handler = std::move(handler_)) {
    try {
      handler->on_closed();
    } catch (const std::exception& e) {
      spdlog::error("event=on_closed_threw connection={} error=\"{}\"", id_, e.what());
    }
  }
  // Counted out only once the app has heard of the close: a drain that sees no connection left
  // knows every leave has been handed to its meeting.
  if (admitted_) state_->metrics.connections_open.fetch_sub(1, std::memory_order_relaxed);
}

}  // namespace majlis::net
