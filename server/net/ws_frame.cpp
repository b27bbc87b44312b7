#include "net/ws_frame.hpp"

#include <utility>

namespace majlis::net {

frame_header encode_frame_header(bool text, std::uint64_t payload_size) {
  frame_header h;
  h.bytes[0] = 0x80 | (text ? 0x1 : 0x2);  // FIN, opcode text or binary
  if (payload_size <= 125) {
    h.bytes[1] = static_cast<unsigned char>(payload_size);
    h.size = 2;
  } else if (payload_size <= 0xffff) {
    h.bytes[1] = 126;
    h.bytes[2] = static_cast<unsigned char>(payload_size >> 8);
    h.bytes[3] = static_cast<unsigned char>(payload_size);
    h.size = 4;
  } else {
    h.bytes[1] = 127;
    for (int i = 0; i < 8; ++i)
      h.bytes[2 + i] = static_cast<unsigned char>(payload_size >> (8 * (7 - i)));
    h.size = 10;
  }
  return h;
}

frame frame_once(frame f) {
  if (!f.bytes || f.framed) return f;
  const auto header = encode_frame_header(f.text, f.size());
  auto framed = std::make_shared<std::string>();
  framed->reserve(header.size + f.size());
  framed->append(reinterpret_cast<const char*>(header.bytes.data()), header.size);
  framed->append(f.head).append(*f.bytes).append(f.tail);
  f.framed = std::move(framed);
  return f;
}

}  // namespace majlis::net
