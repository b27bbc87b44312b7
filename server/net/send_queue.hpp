// One connection's outgoing frames: queued while a write is in flight, then written all at once
// as one gather write (one const_buffer per piece, no copy). Frames framed once (frame::framed)
// are one buffer; the others get their header here. Pure: the session does the I/O.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include <boost/asio/buffer.hpp>

#include "net/connection.hpp"
#include "net/ws_frame.hpp"

namespace majlis::net {

class send_queue {
 public:
  struct batch {
    std::size_t frames = 0;
    std::size_t bytes = 0;  // payload bytes (WebSocket headers not counted)
  };

  void push(frame f);
  // Drops the frames not yet handed to a write (the one in flight stays until end_write).
  void clear_pending();

  bool has_pending() const { return !pending_.empty(); }
  bool writing() const { return writing_; }
  // Frames and counted bytes (Welcome frames excluded) queued or in flight.
  std::size_t frames() const { return pending_.size() + in_flight_.size(); }
  std::size_t counted_bytes() const { return counted_bytes_; }

  using buffers = std::span<const boost::asio::const_buffer>;
  // Moves every pending frame into the write; the buffers stay valid until end_write.
  // Requires has_pending() and !writing().
  buffers begin_write();
  // The socket took `bytes` of the write at once: what is left of it (empty: all written).
  buffers advance(std::size_t bytes);
  // The write in flight is over (written or failed): what it held.
  batch end_write();

 private:
  struct entry {
    frame f;
    frame_header header;  // unused when f.framed
  };
  // Capacity kept by an idle connection; a burst's larger vectors are released after it.
  static constexpr std::size_t kept_entries = 64;

  std::size_t counted(const frame& f) const { return f.welcome ? 0 : f.size(); }

  std::vector<entry> pending_;
  std::vector<entry> in_flight_;
  std::vector<boost::asio::const_buffer> buffers_;
  std::size_t first_buffer_ = 0;  // buffers_ before it are written (advance)
  std::size_t counted_bytes_ = 0;
  bool writing_ = false;
};

}  // namespace majlis::net
