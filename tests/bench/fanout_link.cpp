#include "fanout_link.hpp"

#include <charconv>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "bench_meeting.hpp"

namespace majlis::bench {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::string_view marker = "#fanout:";
}  // namespace

long fanout_marker(std::string_view frame) {
  const auto at = frame.find(marker);
  if (at == std::string_view::npos) return -1;
  const char* begin = frame.data() + at + marker.size();
  long index = -1;
  const auto [end, ec] = std::from_chars(begin, frame.data() + frame.size(), index);
  if (ec != std::errc() || end == frame.data() + frame.size() || *end != '#') return -1;
  return index;
}

std::string fanout_event_text(std::size_t index, std::size_t bytes) {
  std::string text = std::string(marker) + std::to_string(index) + "# majlis-bench fan-out event";
  if (text.size() < bytes) text.append(bytes - text.size(), '.');
  return text;
}

struct fanout_link::stream {
  explicit stream(asio::any_io_executor executor) : ws(executor) {}
  websocket::stream<tcp::socket> ws;
  beast::flat_buffer buffer;
};

fanout_link::fanout_link(asio::any_io_executor executor, fanout_dialect dialect)
    : executor_(executor), dialect_(dialect), stream_(std::make_unique<stream>(executor)) {}

fanout_link::~fanout_link() { close(); }

void fanout_link::close() {
  closed_ = true;
  boost::system::error_code ignored;
  stream_->ws.next_layer().close(ignored);
}

asio::awaitable<void> fanout_link::open(const tcp::endpoint& where, bool sender) {
  auto& socket = stream_->ws.next_layer();
  auto [connect_ec] = co_await socket.async_connect(where, use_tuple);
  require(!connect_ec, "cannot connect to " + where.address().to_string() + ":" + std::to_string(where.port()) +
                           ": " + connect_ec.message());
  socket.set_option(tcp::no_delay(true));
  std::string target;
  switch (dialect_) {
    case fanout_dialect::majlis: target = "/ws"; break;
    case fanout_dialect::plain: target = sender ? "/sender" : "/"; break;
    case fanout_dialect::socketio:
      target = std::string("/socket.io/?EIO=4&transport=websocket") + (sender ? "&role=sender" : "");
      break;
  }
  // Named, not a temporary inside the co_await: GCC 12 may destroy such a temporary twice.
  const std::string host = where.address().to_string() + ":" + std::to_string(where.port());
  auto [handshake_ec] = co_await stream_->ws.async_handshake(host, target, use_tuple);
  require(!handshake_ec, "WebSocket handshake failed: " + handshake_ec.message());
  stream_->ws.text(true);
  stream_->ws.read_message_max(512 * 1024 * 1024);
  // A client masks what it writes in a buffer of this size, kept for the stream's life (Beast's
  // default is 4 KiB: 40 MB and their page faults for 10,000 receivers that each write one Join).
  // Everything a link writes is a few hundred bytes; a longer frame is masked in pieces.
  stream_->ws.write_buffer_bytes(512);
}

asio::awaitable<std::string_view> fanout_link::read_view() {
  stream_->buffer.clear();
  auto [ec, bytes] = co_await stream_->ws.async_read(stream_->buffer, use_tuple);
  require(!ec, "connection lost: " + ec.message());
  co_return std::string_view(static_cast<const char*>(stream_->buffer.data().data()), bytes);
}

asio::awaitable<void> fanout_link::join(const std::string& meeting_id, const std::string& token) {
  if (dialect_ == fanout_dialect::majlis) {
    send_text("{\"join\":{\"meetingId\":\"" + meeting_id + "\",\"token\":\"" + token + "\"}}");
    // Looked at where it was read: the Welcome is not copied out of the buffer.
    const std::string_view first = co_await read_view();
    require(first.starts_with("{\"welcome\""), "join refused: " + std::string(first.substr(0, 300)));
  } else if (dialect_ == fanout_dialect::socketio) {
    // At most a few frames: the open packet, pings, the namespace connect.
    bool connected = false;
    for (int frames = 0; frames < 16 && !connected; ++frames) {
      const std::string_view frame = co_await read_view();
      if (frame.rfind("0{", 0) == 0) {
        send_text("40");
      } else if (frame == "2") {
        send_text("3");
      } else if (frame.rfind("40", 0) == 0) {
        connected = true;
      } else if (frame.rfind("44", 0) == 0) {
        throw bench_failure("Socket.IO refused the namespace: " + std::string(frame.substr(0, 300)));
      }
    }
    require(connected, "Socket.IO: no namespace connect after 16 frames");
  }
  joined_ = true;
}

void fanout_link::start_reading(std::function<void(std::string_view)> on_frame,
                                std::function<void(const std::string&)> on_end) {
  on_frame_ = std::move(on_frame);
  on_end_ = std::move(on_end);
  asio::co_spawn(executor_, read_loop(shared_from_this()), asio::detached);
}

asio::awaitable<void> fanout_link::read_loop(std::shared_ptr<fanout_link> self) {
  std::string why;
  for (;;) {
    stream_->buffer.clear();
    auto [ec, bytes] = co_await stream_->ws.async_read(stream_->buffer, use_tuple);
    if (ec) {
      why = ec.message();
      break;
    }
    const std::string_view frame(static_cast<const char*>(stream_->buffer.data().data()), bytes);
    if (dialect_ == fanout_dialect::socketio && frame == "2") {
      send_text("3");
      continue;
    }
    on_frame_(frame);
  }
  joined_ = false;
  if (on_end_) on_end_(closed_ ? "closed by the bench" : why);
  (void)self;
}

void fanout_link::send_text(std::string text) {
  outgoing_.push_back(std::move(text));
  if (!writing_) write_next();
}

// One write at a time, each started when the last one is done: no coroutine frame per link for
// what is, for most links, a single Join.
void fanout_link::write_next() {
  writing_ = true;
  stream_->ws.async_write(asio::buffer(outgoing_.front()),
                          [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                            self->on_written(ec);
                          });
}

void fanout_link::on_written(boost::system::error_code ec) {
  outgoing_.pop_front();
  if (ec)
    outgoing_.clear();
  else if (first_sent_ns_ == 0)
    first_sent_ns_ = steady_ns();
  if (outgoing_.empty())
    writing_ = false;
  else
    write_next();
}

std::string fanout_link::event_frame(std::size_t index, const std::string& text) const {
  switch (dialect_) {
    case fanout_dialect::majlis:
      return "{\"command\":{\"requestId\":\"" + std::to_string(index + 1) +
             "\",\"command\":{\"updateMeeting\":{\"title\":\"" + text + "\"}}}}";
    case fanout_dialect::socketio:
      return "42[\"m\",\"" + text + "\"]";
    case fanout_dialect::plain:
      break;
  }
  return text;
}

}  // namespace majlis::bench
