#include "net/codec.hpp"

#include <utility>

namespace majlis::net {
namespace {

frame serialize(const google::protobuf::Message& message, wire_format format) {
  frame f;
  f.bytes = std::make_shared<const std::string>(protocol::encode(message, format));
  f.text = format == wire_format::json;
  return f;
}

}  // namespace

std::shared_ptr<const std::string> encode_snapshot(const v1::MeetingState& snapshot,
                                                   wire_format format) {
  return std::make_shared<const std::string>(protocol::encode(snapshot, format));
}

frame compose_welcome(const v1::Welcome& head, std::shared_ptr<const std::string> snapshot,
                      wire_format format) {
  auto wrapping = protocol::wrap_welcome(head, snapshot->size(), format);
  frame f;
  f.text = format == wire_format::json;
  f.welcome = true;
  f.head = std::move(wrapping.head);
  f.tail = std::move(wrapping.tail);
  f.bytes = std::move(snapshot);
  return f;
}

frame encode_server_message(const v1::ServerMessage& message, wire_format format) {
  frame f = serialize(message, format);
  f.welcome = message.has_welcome();
  return f;
}

frame encode_client_message(const v1::ClientMessage& message, wire_format format) {
  return serialize(message, format);
}

}  // namespace majlis::net
