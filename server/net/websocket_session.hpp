// One WebSocket connection on /ws: reads frames, decodes them, applies the limits and hands the
// messages to the app's connection_handler; one writer drains a bounded queue. Private to net.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "net/connection.hpp"
#include "net/frame_intake.hpp"
#include "net/send_queue.hpp"
#include "net/server_state.hpp"
#include "net/session_state.hpp"
#include "net/transport_stream.hpp"

namespace majlis::net {

class websocket_session : public connection,
                          public session_base,
                          public std::enable_shared_from_this<websocket_session> {
 public:
  using request = boost::beast::http::request<boost::beast::http::string_body>;

  // `reject`: the server is full; accept the upgrade only to say so (Error + close 4013).
  websocket_session(transport_stream&& stream, std::shared_ptr<server_state> state,
                    socket_slot slot, bool reject, std::string client_address);
  ~websocket_session() override;

  // Completes the upgrade `upgrade` asked for and runs until the connection is gone.
  static void start(std::shared_ptr<websocket_session> self, request upgrade);

  // connection (thread-safe; work is moved onto the session's strand)
  const std::string& id() const override { return id_; }
  wire_format format() const override { return format_.load(std::memory_order_relaxed); }
  void send(frame f) override;
  void send(const v1::ServerMessage& message) override;
  void close_with_error(close_code code, v1::ErrorCode error, std::string message) override;
  void mark_joined() override;
  boost::asio::io_context* io_thread() const override { return io_thread_; }
  void send_on_thread(const frame& f) override { enqueue_direct(f); }
  int begin_direct_send(const frame& f) override;
  void end_direct_send(const frame& f, std::int64_t result) override;

  // session_base
  void shutdown(close_code code) override;

 private:
  using clock = std::chrono::steady_clock;

  boost::asio::awaitable<void> do_run(std::shared_ptr<websocket_session> self, request upgrade);
  // The watchdog: acts on the phase's deadline, or waits for it on watchdog_.
  void watch();

  // On the strand.
  void on_open();
  // The per-address limits: false after starting a close with 4029.
  bool admit_address();
  // The message in read_buffer_ is complete, or already over the size limit.
  void on_frame(bool binary);
  // Every change of phase_ goes through here (session_state_allows).
  void move_to(session_state next);
  void enqueue(frame f);
  // enqueue, writing a pre-framed frame at once when nothing is queued (no queue entry, no
  // completion handler).
  void enqueue_direct(const frame& f);
  void begin_close(close_code code, v1::ErrorCode error, std::string message);
  // Writes what is queued: at once as far as the socket takes it (plain TCP), the rest as one
  // gather write; the close once everything is written.
  void pump_writer();
  void on_written(boost::system::error_code ec);
  // After a direct send() took `taken` bytes of the write begun: true when it is all written;
  // otherwise the rest is written asynchronously (or the write failed).
  bool finish_write(std::size_t taken, boost::system::error_code ec);
  void count_written(const send_queue::batch& written);
  void tear_down();
  void end_parked_read();
  void on_closed();

  boost::beast::websocket::stream<transport_stream> ws_;
  std::shared_ptr<server_state> state_;
  socket_slot slot_;
  const net_config& config_;
  const std::string id_;
  const bool reject_;
  const std::string client_address_;  // for the per-address limits
  boost::asio::io_context* const io_thread_;  // null: the session runs on a strand
  std::atomic<wire_format> format_{wire_format::binary};

  // Everything below is touched on the strand only.
  std::shared_ptr<connection_handler> handler_;
  boost::beast::flat_buffer read_buffer_;
  send_queue queue_;  // its byte count is live traffic only: Welcome frames are not counted
  // Beside the queue and the phase: a fan-out reads these three for every receiver.
  direct_write_path direct_;
  session_state phase_ = session_state::upgrading;
  bool in_send_batch_ = false;  // between begin_direct_send and end_direct_send
  boost::asio::steady_timer watchdog_;  // join, idle and close deadlines
  // never expires; the reader parks on it while the writer's close reads for it (see do_run)
  boost::asio::steady_timer read_parked_;
  intake_state intake_;  // the command rate limiter and whether the format is fixed
  clock::time_point opened_at_;
  clock::time_point last_frame_at_;
  clock::time_point close_deadline_;
  std::uint64_t registry_key_ = 0;  // 0: not registered (the upgrade failed)
  // Two facts orthogonal to the phase, so kept beside it:
  // - admitted_: the session holds a place in connections_open and in its address's count
  //   (released in on_closed); a session refused at open (4013, 4029) closes without one.
  // - transport_over_: the close handshake ended or the socket was torn down. It can happen in
  //   any phase (a failed write tears down a joined session before the read loop notices), and
  //   a reader that parked after it would never be woken (see do_run).
  bool admitted_ = false;
  bool transport_over_ = false;
  close_code close_code_ = close_code::normal;
};

}  // namespace majlis::net
