// WebSocket framing of server messages (RFC 6455 §5.2). A server's frames are unmasked, final and
// carry no extension bits, so a message's frame is the same bytes for every receiver: a message
// going to thousands is framed once and written raw to each transport. Pure.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "net/connection.hpp"

namespace majlis::net {

// The header of one unfragmented server frame: 2, 4 or 10 bytes.
struct frame_header {
  std::array<unsigned char, 10> bytes{};
  std::uint8_t size = 0;
};

frame_header encode_frame_header(bool text, std::uint64_t payload_size);

// `f` framed once for many receivers: `f.framed` holds header + head + bytes + tail.
frame frame_once(frame f);

}  // namespace majlis::net
