#include "fanout_link.hpp"

#include <charconv>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
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
}

asio::awaitable<std::string> fanout_link::read_one() {
  stream_->buffer.clear();
  auto [ec, bytes] = co_await stream_->ws.async_read(stream_->buffer, use_tuple);
  require(!ec, "connection lost: " + ec.message());
  co_return beast::buffers_to_string(stream_->buffer.data());
}

asio::awaitable<void> fanout_link::join(const std::string& meeting_id, const std::string& token) {
  if (dialect_ == fanout_dialect::majlis) {
    send_text("{\"join\":{\"meetingId\":\"" + meeting_id + "\",\"token\":\"" + token + "\"}}");
    const std::string first = co_await read_one();
    require(first.rfind("{\"welcome\"", 0) == 0, "join refused: " + first.substr(0, 300));
  } else if (dialect_ == fanout_dialect::socketio) {
    // At most a few frames: the open packet, pings, the namespace connect.
    bool connected = false;
    for (int frames = 0; frames < 16 && !connected; ++frames) {
      const std::string frame = co_await read_one();
      if (frame.rfind("0{", 0) == 0) {
        send_text("40");
      } else if (frame == "2") {
        send_text("3");
      } else if (frame.rfind("40", 0) == 0) {
        connected = true;
      } else if (frame.rfind("44", 0) == 0) {
        throw bench_failure("Socket.IO refused the namespace: " + frame.substr(0, 300));
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
  if (writing_) return;
  writing_ = true;
  asio::co_spawn(executor_, write_loop(shared_from_this()), asio::detached);
}

asio::awaitable<void> fanout_link::write_loop(std::shared_ptr<fanout_link> self) {
  while (!outgoing_.empty()) {
    auto [ec, bytes] = co_await stream_->ws.async_write(asio::buffer(outgoing_.front()), use_tuple);
    outgoing_.pop_front();
    if (ec) {
      outgoing_.clear();
      break;
    }
    if (first_sent_ns_ == 0) first_sent_ns_ = steady_ns();
  }
  writing_ = false;
  (void)self;
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
