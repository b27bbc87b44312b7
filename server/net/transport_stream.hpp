// The byte stream under an HTTP or WebSocket session: plain TCP, or TLS over TCP when majlisd
// runs with --tls-cert/--tls-key. One type, chosen at run time, so the sessions are not
// templates; Beast sees it as the lowest layer. Private to net (it pulls in OpenSSL's headers).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include <boost/asio/error.hpp>
#include <boost/asio/write.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/teardown.hpp>

namespace majlis::net {

// What a session needs to write a fan-out's frame at once, kept in the session object itself: a
// fan-out touches thousands of sessions, and reading the same facts out of Beast's stream state
// and the socket's (two more allocations each) costs a cache miss apiece per receiver.
struct direct_write_path {
  // The plain TCP socket to send() on without waiting; -1 when there is none, or no longer may be
  // (TLS, or Beast has written its close frame, begun its teardown or closed the socket: the
  // number may then belong to another connection).
  int fd = -1;
  bool gate_busy = false;  // a write holds the transport's gate (see transport_stream)
};

class transport_stream {
 public:
  using tls_stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;
  using executor_type = boost::beast::tcp_stream::executor_type;

  // `tls` null: plain TCP; otherwise the server side of a TLS connection (handshake still to do).
  transport_stream(boost::asio::ip::tcp::socket&& socket, boost::asio::ssl::context* tls)
      : executor_(socket.get_executor()) {
    if (tls)
      tls_ = std::make_unique<tls_stream>(boost::beast::tcp_stream(std::move(socket)), *tls);
    else
      plain_.emplace(std::move(socket));
  }
  transport_stream(transport_stream&&) noexcept = default;
  transport_stream& operator=(transport_stream&&) noexcept = default;

  executor_type get_executor() const noexcept { return executor_; }
  bool is_tls() const { return tls_ != nullptr; }
  tls_stream& tls() { return *tls_; }
  boost::beast::tcp_stream& tcp() { return tls_ ? tls_->next_layer() : *plain_; }
  boost::asio::ip::tcp::socket& socket() { return tcp().socket(); }

  // The tcp_stream's deadline: it covers every read and write (TLS records included).
  template <class Duration>
  void expires_after(Duration d) {
    tcp().expires_after(d);
  }
  void expires_never() { tcp().expires_never(); }
  void cancel() { tcp().cancel(); }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [](auto handler, transport_stream* self, const MutableBuffers& b) {
          if (self->tls_)
            self->tls_->async_read_some(b, std::move(handler));
          else
            self->plain_->async_read_some(b, std::move(handler));
        },
        token, this, buffers);
  }

  // Beast's writes (the upgrade response, pongs, close frames) come through here. Each is
  // written whole before completing, through the same gate as async_write_frames, so Beast's
  // control frames and the session's pre-framed data frames never interleave on the wire.
  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [](auto handler, transport_stream* self, const ConstBuffers& b) {
          // Beast's close frame (FIN + opcode 8) is the last one the peer may read: no frame
          // may be written at once after it.
          if (first_byte(b) == 0x88) self->end_direct_writes();
          self->gated_write(b, std::move(handler));
        },
        token, this, buffers);
  }

  // Writes complete WebSocket frames, bypassing Beast's framing (server frames are unmasked:
  // the same bytes for every receiver). Only between whole frames: the gate waits for a Beast
  // write in progress. `buffers` must stay valid until the handler runs. On the strand only.
  template <class ConstBuffers, class Token>
  auto async_write_frames(const ConstBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [](auto handler, transport_stream* self, const ConstBuffers& b) {
          self->gated_write(b, std::move(handler), true);
        },
        token, this, buffers);
  }

  // Keeps `path` (owned by the session, which outlives every write of this stream; null to stop)
  // up to date: the socket while frames may be sent on it at once (plain TCP only), and the gate.
  void share_write_path(direct_write_path* path) {
    path_ = path;
    if (path_) {
      path_->fd = tls_ ? -1 : plain_->socket().native_handle();
      path_->gate_busy = writing_;
    }
  }
  // No more writes at once: the connection is closing or gone.
  void end_direct_writes() {
    if (path_) path_->fd = -1;
  }

 private:
  template <class ConstBuffers>
  static int first_byte(const ConstBuffers& buffers) {
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers); ++it) {
      const boost::asio::const_buffer b = *it;
      if (b.size() > 0) return *static_cast<const unsigned char*>(b.data());
    }
    return -1;
  }

  void set_writing(bool writing) {
    writing_ = writing;
    if (path_) path_->gate_busy = writing;
  }

  // A write that waits for the gate (rare: a pong or close while frames are being written).
  struct waiting_write {
    virtual ~waiting_write() = default;
    virtual void start(transport_stream& stream) = 0;
  };

  // `raw`: the session's frames, written on the socket itself (plain TCP): they never have a
  // deadline, and Beast's tcp_stream adds an operation and a timer check to every write.
  template <class ConstBuffers, class Handler>
  void gated_write(const ConstBuffers& buffers, Handler handler, bool raw = false) {
    if (!writing_) {
      write_whole(buffers, std::move(handler), raw);
      return;
    }
    struct waiting final : waiting_write {
      waiting(const ConstBuffers& b, Handler h, bool r) : buffers(b), handler(std::move(h)), raw(r) {}
      void start(transport_stream& stream) override {
        stream.write_whole(buffers, std::move(handler), raw);
      }
      ConstBuffers buffers;
      Handler handler;
      bool raw;
    };
    waiting_.push_back(std::make_unique<waiting>(buffers, std::move(handler), raw));
  }

  template <class ConstBuffers, class Handler>
  void write_whole(const ConstBuffers& buffers, Handler handler, bool raw) {
    set_writing(true);
    auto done = [this, handler = std::move(handler)](boost::system::error_code ec,
                                                     std::size_t bytes) mutable {
      set_writing(false);
      if (!waiting_.empty()) {
        auto next = std::move(waiting_.front());
        waiting_.erase(waiting_.begin());
        next->start(*this);
      }
      std::move(handler)(ec, bytes);
    };
    if (tls_)
      boost::asio::async_write(*tls_, buffers, std::move(done));
    else if (raw)
      boost::asio::async_write(plain_->socket(), buffers, std::move(done));
    else
      boost::asio::async_write(*plain_, buffers, std::move(done));
  }

  template <class Handler>
  friend void async_teardown(boost::beast::role_type role, transport_stream& stream,
                             Handler&& handler);
  friend void teardown(boost::beast::role_type role, transport_stream& stream,
                       boost::system::error_code& ec);

  executor_type executor_;
  std::optional<boost::beast::tcp_stream> plain_;
  std::unique_ptr<tls_stream> tls_;
  bool writing_ = false;  // a write holds the gate
  direct_write_path* path_ = nullptr;
  std::vector<std::unique_ptr<waiting_write>> waiting_;
};

// Beast's WebSocket close ends the transport through these (found by argument lookup): TLS
// sends its close_notify, plain TCP shuts down its sending side.
template <class Handler>
void async_teardown(boost::beast::role_type role, transport_stream& stream, Handler&& handler) {
  using boost::beast::websocket::async_teardown;
  stream.end_direct_writes();
  if (stream.tls_)
    async_teardown(role, *stream.tls_, std::forward<Handler>(handler));
  else
    async_teardown(role, stream.plain_->socket(), std::forward<Handler>(handler));
}

inline void teardown(boost::beast::role_type role, transport_stream& stream,
                     boost::system::error_code& ec) {
  using boost::beast::websocket::teardown;
  stream.end_direct_writes();
  if (stream.tls_)
    teardown(role, *stream.tls_, ec);
  else
    teardown(role, stream.plain_->socket(), ec);
}

// What Beast calls to drop the connection at once (a timeout, a failed close).
inline void beast_close_socket(transport_stream& stream) {
  boost::system::error_code ignored;
  stream.end_direct_writes();
  stream.socket().close(ignored);
}

}  // namespace majlis::net
