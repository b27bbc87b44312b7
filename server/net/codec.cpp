#include "net/codec.hpp"

#include <climits>
#include <memory>
#include <stdexcept>
#include <utility>

#include <google/protobuf/util/json_util.h>

namespace majlis::net {
namespace {

// Parses `bytes` into `message`; returns an empty string or what went wrong.
std::string parse(std::string_view bytes, wire_format format, google::protobuf::Message& message) {
  const std::string type = message.GetDescriptor()->name();
  if (format == wire_format::binary) {
    if (bytes.size() > static_cast<std::size_t>(INT_MAX)) return "frame too large to decode";
    if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return "binary frame is not a valid protobuf " + type + " (malformed or truncated)";
    }
    return {};
  }
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(bytes.data(), bytes.size()), &message, options);
  if (!status.ok()) {
    return "text frame is not a valid JSON " + type + ": " + std::string(status.message());
  }
  return {};
}

frame serialize(const google::protobuf::Message& message, wire_format format) {
  auto bytes = std::make_shared<std::string>();
  if (format == wire_format::binary) {
    if (!message.SerializeToString(bytes.get())) {
      throw std::invalid_argument("cannot serialize " + message.GetDescriptor()->name());
    }
    return frame{std::move(bytes), false};
  }
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = false;
  options.preserve_proto_field_names = false;
  const auto status = google::protobuf::util::MessageToJsonString(message, bytes.get(), options);
  if (!status.ok()) {
    throw std::invalid_argument("cannot encode " + message.GetDescriptor()->name() +
                                " as JSON: " + std::string(status.message()));
  }
  return frame{std::move(bytes), true};
}

}  // namespace

decoded_client_message decode_client_message(std::string_view bytes, wire_format format) {
  decoded_client_message result;
  result.error = parse(bytes, format, result.message);
  if (result.ok() && result.message.kind_case() == v1::ClientMessage::KIND_NOT_SET) {
    result.error = "ClientMessage has no kind set (expected join, command or ping)";
  }
  if (!result.ok()) result.message.Clear();
  return result;
}

decoded_server_message decode_server_message(std::string_view bytes, wire_format format) {
  decoded_server_message result;
  result.error = parse(bytes, format, result.message);
  if (result.ok() && result.message.kind_case() == v1::ServerMessage::KIND_NOT_SET) {
    result.error = "ServerMessage has no kind set";
  }
  if (!result.ok()) result.message.Clear();
  return result;
}

frame encode_server_message(const v1::ServerMessage& message, wire_format format) {
  return serialize(message, format);
}

frame encode_client_message(const v1::ClientMessage& message, wire_format format) {
  return serialize(message, format);
}

v1::ServerMessage make_error_message(v1::ErrorCode code, std::string message) {
  v1::ServerMessage out;
  auto* error = out.mutable_error();
  error->set_code(code);
  error->set_message(std::move(message));
  return out;
}

}  // namespace majlis::net
