// The seam between the transport (net) and the meeting runtime (app): what the app may do with
// one WebSocket connection, and what the connection tells the app. Beast stays out of here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "majlis/protocol/close_code.hpp"
#include "majlis/protocol/codec.hpp"
#include "majlis/v1/wire.pb.h"

namespace boost::asio {
class io_context;
}

namespace majlis::net {

// An encoded server message, shared by every connection it is sent to (encode once). A Welcome
// wraps a shared snapshot in a small head and tail of its own: the message is head + bytes + tail.
struct frame {
  std::shared_ptr<const std::string> bytes;
  bool text = false;  // true: JSON mapping in a text frame; false: protobuf in a binary frame
  std::string head;   // written before `bytes`, in the same WebSocket message
  std::string tail;   // written after `bytes`
  // A Welcome: not counted against the send queue's byte limit, since a join or resume must not
  // fail because the state is large (README "Wire protocol"). It still counts as a frame.
  bool welcome = false;
  // Optional: the whole WebSocket frame (header + head + bytes + tail), built once by frame_once
  // for a message going to many connections, which then write it as it is.
  std::shared_ptr<const std::string> framed;

  std::size_t size() const { return head.size() + (bytes ? bytes->size() : 0) + tail.size(); }
};

// How a connection speaks and how it is closed: the protocol library's, shared with the clients.
using protocol::close_code;
using protocol::wire_format;

// What the app may do with one connection. Implemented by net; every member is thread-safe.
class connection {
 public:
  virtual ~connection() = default;
  // Unique across instances (instance id + counter).
  virtual const std::string& id() const = 0;
  virtual wire_format format() const = 0;
  // Queues a frame; a full queue closes the connection with slow_consumer. A Welcome frame is
  // exempt from the byte limit (not from the frame limit).
  virtual void send(frame f) = 0;
  // Encodes in the connection's format and queues.
  virtual void send(const v1::ServerMessage& message) = 0;
  // Sends Error{code, message} then closes; queued frames before it are still written.
  virtual void close_with_error(close_code code, v1::ErrorCode error, std::string message) = 0;
  // Tells the connection its Join was read: the join timer stops (the idle timeout takes over).
  virtual void mark_joined() = 0;

  // The single-threaded io_context this connection runs on (majlisd spreads connections over one
  // per I/O thread), or null. Deliveries to many connections then go to each thread once
  // (delivery below) instead of once per connection.
  virtual boost::asio::io_context* io_thread() const { return nullptr; }
  // send() for a caller already running on io_thread(): queued at once, nothing dispatched (and
  // the frame copied only when it has to wait in the queue).
  virtual void send_on_thread(const frame& f) { send(f); }

  // A fan-out's batch of at-once sends (net::delivery, on io_thread()). begin_direct_send: the
  // socket `f`'s pre-framed bytes may be written to now (nothing queued, no write in progress),
  // or not_direct (then send_on_thread), or in_this_batch (the connection already has a frame
  // in the batch: send the batch first, then ask again). end_direct_send: what that send did
  // (bytes taken, or -errno); the rest of the frame is queued and written asynchronously.
  static constexpr int not_direct = -1;
  static constexpr int in_this_batch = -2;
  virtual int begin_direct_send(const frame&) { return not_direct; }
  virtual void end_direct_send(const frame&, std::int64_t /*result*/) {}
};

// One fan-out: the receivers of a frame, grouped by I/O thread, so each thread gets one task
// that queues the frame on all its connections (no allocation or dispatch per connection).
// Connections without an io_thread() get a send() each. Not thread-safe; use once.
class delivery {
 public:
  delivery();
  ~delivery();
  delivery(const delivery&) = delete;
  delivery& operator=(const delivery&) = delete;
  // `f` is copied the first time it is seen (compared by its bytes).
  void add(const std::shared_ptr<connection>& to, const frame& f) { add(to, to->io_thread(), f); }
  // The same, with `to->io_thread()` already at hand.
  void add(const std::shared_ptr<connection>& to, boost::asio::io_context* thread, const frame& f);
  // Hands each thread its group; a group on the calling thread is queued before this returns.
  void send();

 private:
  struct group;
  std::vector<frame> frames_;
  std::vector<std::unique_ptr<group>> groups_;
};

// The app's side of one connection. Called on the connection's strand, one call at a time.
class connection_handler {
 public:
  virtual ~connection_handler() = default;
  virtual void on_message(v1::ClientMessage message) = 0;
  // The connection is gone (either side closed it); called exactly once.
  virtual void on_closed() = 0;
};

// Creates the handler for each new WebSocket connection.
class connection_acceptor {
 public:
  virtual ~connection_acceptor() = default;
  virtual std::shared_ptr<connection_handler> on_open(std::shared_ptr<connection> conn) = 0;
};

}  // namespace majlis::net
