// One WebSocket connection of majlis-bench fanout's load generator, in the dialect of the server
// it talks to: majlisd (a Join in the JSON mapping, then the Welcome), a plain broadcast server
// (joined once upgraded), or Socket.IO over its websocket-only transport (Engine.IO v4: the "0{…}"
// open packet answered with "40", joined at the namespace's "40{…}"; pings "2" answered "3").
// Frames are never decoded: a receiver looks for the event marker "#fanout:<index>#" that the
// sender put into every event's text, so the same code measures every server.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

namespace majlis::bench {

enum class fanout_dialect { majlis, plain, socketio };

// The event index in a frame that carries "#fanout:<index>#"; -1 when there is none.
long fanout_marker(std::string_view frame);
// The text a sender puts into event `index`: the marker, then filler up to `bytes` characters.
std::string fanout_event_text(std::size_t index, std::size_t bytes);

class fanout_link : public std::enable_shared_from_this<fanout_link> {
 public:
  fanout_link(boost::asio::any_io_executor executor, fanout_dialect dialect);
  ~fanout_link();
  fanout_link(const fanout_link&) = delete;
  fanout_link& operator=(const fanout_link&) = delete;

  // TCP connect and WebSocket upgrade to `target` (for Socket.IO the Engine.IO query is added;
  // `sender` marks the connection the events come from: /sender, or ?role=sender). Throws on failure.
  boost::asio::awaitable<void> open(const boost::asio::ip::tcp::endpoint& where, bool sender);
  // Until joined: majlisd's Welcome (after sending the Join for `meeting_id` and `token`),
  // Socket.IO's namespace connect; nothing for a plain server. Throws with the reason when refused.
  boost::asio::awaitable<void> join(const std::string& meeting_id, const std::string& token);

  // After join(): reads every frame until the connection ends or close() is called, handing each
  // to `on_frame` (pings are answered here); `on_end` runs once when reading stops.
  void start_reading(std::function<void(std::string_view)> on_frame, std::function<void(const std::string&)> on_end);

  // Queues a text frame; frames leave in order, one write at a time.
  void send_text(std::string text);
  // The frame a sender writes for an event text: a rename command for majlisd, a "m" event for
  // Socket.IO, the text itself for a plain server.
  std::string event_frame(std::size_t index, const std::string& text) const;

  void close();
  bool joined() const { return joined_; }
  // When this link's first frame (majlisd: the Join) was written to its socket; 0 until then.
  std::int64_t first_sent_ns() const { return first_sent_ns_; }

 private:
  struct stream;
  boost::asio::awaitable<void> read_loop(std::shared_ptr<fanout_link> self);
  void write_next();
  void on_written(boost::system::error_code ec);
  // The next whole message, valid until the next read.
  boost::asio::awaitable<std::string_view> read_view();

  boost::asio::any_io_executor executor_;
  fanout_dialect dialect_;
  std::unique_ptr<stream> stream_;
  // Written in order, one at a time. A list: the front's bytes must stay put while they are being
  // written (a vector would move a short string's inline bytes as it grows), and a deque allocates
  // 512 bytes for every link at once.
  std::list<std::string> outgoing_;
  bool writing_ = false;
  bool joined_ = false;
  std::int64_t first_sent_ns_ = 0;
  bool closed_ = false;
  std::function<void(std::string_view)> on_frame_;
  std::function<void(const std::string&)> on_end_;
};

}  // namespace majlis::bench
