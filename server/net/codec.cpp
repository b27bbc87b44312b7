#include "net/codec.hpp"

#include <climits>
#include <memory>
#include <stdexcept>
#include <string_view>
#include <utility>

#include <google/protobuf/io/coded_stream.h>
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

std::string to_bytes(const google::protobuf::Message& message, wire_format format) {
  std::string bytes;
  if (format == wire_format::binary) {
    if (!message.SerializeToString(&bytes)) {
      throw std::invalid_argument("cannot serialize " + message.GetDescriptor()->name());
    }
    return bytes;
  }
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = false;
  options.preserve_proto_field_names = false;
  const auto status = google::protobuf::util::MessageToJsonString(message, &bytes, options);
  if (!status.ok()) {
    throw std::invalid_argument("cannot encode " + message.GetDescriptor()->name() +
                                " as JSON: " + std::string(status.message()));
  }
  return bytes;
}

frame serialize(const google::protobuf::Message& message, wire_format format) {
  frame f;
  f.bytes = std::make_shared<const std::string>(to_bytes(message, format));
  f.text = format == wire_format::json;
  return f;
}

void append_varint(std::string& out, std::uint64_t value) {
  std::uint8_t buffer[10];  // the longest varint of 64 bits
  const auto* end = google::protobuf::io::CodedOutputStream::WriteVarint64ToArray(value, buffer);
  out.append(reinterpret_cast<const char*>(buffer), static_cast<std::size_t>(end - buffer));
}

// Length-delimited field tags (wire type 2): ServerMessage.welcome = 1, Welcome.snapshot = 5.
constexpr char server_message_welcome_tag = (1 << 3) | 2;
constexpr char welcome_snapshot_tag = (5 << 3) | 2;

}  // namespace

std::shared_ptr<const std::string> encode_snapshot(const v1::MeetingState& snapshot,
                                                   wire_format format) {
  return std::make_shared<const std::string>(to_bytes(snapshot, format));
}

frame compose_welcome(const v1::Welcome& head, std::shared_ptr<const std::string> snapshot,
                      wire_format format) {
  frame f;
  f.text = format == wire_format::json;
  f.welcome = true;
  if (format == wire_format::binary) {
    // Protobuf writes fields in number order, so the snapshot (5) comes last: the head's fields,
    // then its tag and length, then the shared bytes. Only the outer lengths need computing.
    std::string fields;
    if (!head.SerializeToString(&fields)) throw std::invalid_argument("cannot serialize Welcome");
    const std::size_t welcome_size =
        fields.size() + 1 +
        google::protobuf::io::CodedOutputStream::VarintSize64(snapshot->size()) + snapshot->size();
    f.head.reserve(fields.size() + 24);
    f.head.push_back(server_message_welcome_tag);
    append_varint(f.head, welcome_size);
    f.head += fields;
    f.head.push_back(welcome_snapshot_tag);
    append_varint(f.head, snapshot->size());
  } else {
    // The JSON printer writes an empty snapshot last as "snapshot":{} — cut there and put the
    // shared object in its place.
    v1::ServerMessage message;
    *message.mutable_welcome() = head;
    message.mutable_welcome()->mutable_snapshot();
    std::string text = to_bytes(message, format);
    constexpr std::string_view empty_end = "\"snapshot\":{}}}";
    if (!std::string_view(text).ends_with(empty_end)) {
      throw std::logic_error("unexpected JSON for a Welcome: " + text);
    }
    text.resize(text.size() - 4);  // drop {}}}, keep "snapshot":
    f.head = std::move(text);
    f.tail = "}}";
  }
  f.bytes = std::move(snapshot);
  return f;
}

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
  frame f = serialize(message, format);
  f.welcome = message.has_welcome();
  return f;
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
