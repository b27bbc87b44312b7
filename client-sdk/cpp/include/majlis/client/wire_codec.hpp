// Frames on /ws: binary frames carry protobuf, text frames the protobuf JSON mapping (DESIGN §6).
#pragma once

#include <string>
#include <string_view>

#include "majlis/v1/wire.pb.h"

namespace majlis::client {

// How a client speaks; the server answers in the format of the client's first frame.
enum class frame_format { binary, json };

// Encodes a client message as the payload of one frame of the given format.
std::string encode_client_message(const v1::ClientMessage& message, frame_format format);

// Decodes one server frame; `text` says the frame was a text frame. Unknown JSON fields are
// ignored (a newer server may add some). Returns false when the bytes are not a ServerMessage.
bool decode_server_message(std::string_view payload, bool text, v1::ServerMessage& out);

// The same, the other way round (used by tests and fakes that play the server).
std::string encode_server_message(const v1::ServerMessage& message, frame_format format);
bool decode_client_message(std::string_view payload, bool text, v1::ClientMessage& out);

}  // namespace majlis::client
