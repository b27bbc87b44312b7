// The wire codec: one WebSocket message's payload <-> the protobuf envelopes of wire.proto.
// Binary frames carry protobuf; text frames carry the protobuf JSON mapping (lowerCamelCase
// names, default-valued fields omitted). Pure functions, no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "majlis/v1/wire.pb.h"

namespace majlis::protocol {

// How a connection speaks: decided by the kind of its first frame (the Join).
enum class wire_format : std::uint8_t { binary, json };

// strict: unknown JSON fields and a message with no kind set are errors (the server reading a
// client). lenient: both are accepted, for a client reading a newer server that may add fields
// and kinds.
enum class decode_mode : std::uint8_t { strict, lenient };

// A decoded message, or a readable reason why the bytes are not one (then `message` is empty).
template <typename Message>
struct decoded {
  Message message;
  std::string error;  // empty on success
  bool ok() const { return error.empty(); }
};
using decoded_client_message = decoded<v1::ClientMessage>;
using decoded_server_message = decoded<v1::ServerMessage>;

decoded_client_message decode_client_message(std::string_view payload, wire_format format,
                                             decode_mode mode = decode_mode::strict);
decoded_server_message decode_server_message(std::string_view payload, wire_format format,
                                             decode_mode mode = decode_mode::strict);

// Encodes one message (a ClientMessage, a ServerMessage, a snapshot) as a frame payload.
// Throws std::invalid_argument if protobuf refuses to serialize it (binary) or to print it as
// JSON (protobuf 3.21 prints invalid UTF-8 in a string field without complaint).
std::string encode(const google::protobuf::Message& message, wire_format format);

// A Welcome written around a snapshot encoded apart (encode(snapshot, format)), so one encoded
// snapshot can be shared by many joiners: head + snapshot + tail is exactly
// encode() of the ServerMessage{welcome: head with that snapshot}.
struct welcome_wrapping {
  std::string head;
  std::string tail;
};
// `head` has no snapshot or replay set; `snapshot_size` is the encoded snapshot's size.
welcome_wrapping wrap_welcome(const v1::Welcome& head, std::size_t snapshot_size,
                              wire_format format);

// The Error envelope sent before a close.
v1::ServerMessage make_error_message(v1::ErrorCode code, std::string message);

}  // namespace majlis::protocol
