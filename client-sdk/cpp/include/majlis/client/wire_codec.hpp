// Frames on /ws: binary frames carry protobuf, text frames the protobuf JSON mapping (DESIGN §6).
// The codec is majlis::protocol's, shared with the server; these are the client's defaults.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "majlis/protocol/codec.hpp"
#include "majlis/v1/wire.pb.h"

namespace majlis::client {

// How a client speaks; the server answers in the format of the client's first frame.
using frame_format = protocol::wire_format;

// Encodes a client message as the payload of one frame of the given format. A message the JSON
// mapping cannot carry (invalid UTF-8) gives an empty payload, which the server refuses (1007).
inline std::string encode_client_message(const v1::ClientMessage& message, frame_format format) {
  try {
    return protocol::encode(message, format);
  } catch (const std::invalid_argument&) {
    return {};
  }
}

// Decodes one server frame; `text` says the frame was a text frame. Unknown JSON fields and
// kinds are accepted (a newer server may add some). Returns false when the bytes are not a
// ServerMessage.
inline bool decode_server_message(std::string_view payload, bool text, v1::ServerMessage& out) {
  auto decoded = protocol::decode_server_message(
      payload, text ? frame_format::json : frame_format::binary, protocol::decode_mode::lenient);
  out = std::move(decoded.message);
  return decoded.ok();
}

// The same, the other way round (used by tests and fakes that play the server).
inline std::string encode_server_message(const v1::ServerMessage& message, frame_format format) {
  return protocol::encode(message, format);
}
inline bool decode_client_message(std::string_view payload, bool text, v1::ClientMessage& out) {
  auto decoded = protocol::decode_client_message(
      payload, text ? frame_format::json : frame_format::binary, protocol::decode_mode::lenient);
  out = std::move(decoded.message);
  return decoded.ok();
}

}  // namespace majlis::client
