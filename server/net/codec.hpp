// The wire codec: a WebSocket message's bytes <-> the protobuf envelopes of wire.proto.
// Binary frames carry protobuf; text frames carry the protobuf JSON mapping. Pure functions.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "majlis/v1/wire.pb.h"
#include "net/connection.hpp"

namespace majlis::net {

// A decoded client message, or a readable reason why the bytes are not one.
struct decoded_client_message {
  v1::ClientMessage message;
  std::string error;  // empty on success
  bool ok() const { return error.empty(); }
};

// Decodes one frame (binary: protobuf, text: JSON mapping). Unknown JSON fields, a truncated or
// malformed message and a message with no kind set are errors.
decoded_client_message decode_client_message(std::string_view bytes, wire_format format);

// Encodes for a connection speaking `format` (JSON: lowerCamelCase names, default-valued fields
// omitted). A Welcome comes out marked frame::welcome. Throws std::invalid_argument if the message cannot be encoded (e.g. invalid UTF-8 in
// a string field, for JSON).
frame encode_server_message(const v1::ServerMessage& message, wire_format format);

// A projected snapshot encoded once, to be shared by the Welcomes of many joiners
// (compose_welcome): the MeetingState alone, in `format`.
std::shared_ptr<const std::string> encode_snapshot(const v1::MeetingState& snapshot,
                                                   wire_format format);

// The Welcome `head` (you, serverTimeMs, epoch, seq; no snapshot or replay set) with `snapshot`
// (from encode_snapshot, same format) as its snapshot, without copying the snapshot: the frame's
// head + bytes + tail are exactly what encode_server_message gives for the whole ServerMessage.
frame compose_welcome(const v1::Welcome& head, std::shared_ptr<const std::string> snapshot,
                      wire_format format);

// The same, for the other direction (clients and tests).
struct decoded_server_message {
  v1::ServerMessage message;
  std::string error;
  bool ok() const { return error.empty(); }
};
decoded_server_message decode_server_message(std::string_view bytes, wire_format format);
frame encode_client_message(const v1::ClientMessage& message, wire_format format);

// Convenience: the Error envelope sent before a close.
v1::ServerMessage make_error_message(v1::ErrorCode code, std::string message);

}  // namespace majlis::net
