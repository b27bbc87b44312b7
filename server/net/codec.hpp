// The wire codec as net uses it: majlis::protocol's codec (shared with the C++ client), with
// server messages encoded into shareable frames. Pure functions.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "majlis/protocol/codec.hpp"
#include "majlis/v1/wire.pb.h"
#include "net/connection.hpp"

namespace majlis::net {

using protocol::decode_client_message;
using protocol::decode_server_message;
using protocol::decoded_client_message;
using protocol::decoded_server_message;
using protocol::make_error_message;

// Encodes for a connection speaking `format` (JSON: lowerCamelCase names, default-valued fields
// omitted). A Welcome comes out marked frame::welcome. Throws std::invalid_argument if the
// message cannot be encoded (e.g. invalid UTF-8 in a string field, for JSON).
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

// A client message as a frame (tests and tools that play the client).
frame encode_client_message(const v1::ClientMessage& message, wire_format format);

}  // namespace majlis::net
