#include "majlis/protocol/codec.hpp"

#include <climits>
#include <stdexcept>
#include <utility>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/util/json_util.h>

namespace majlis::protocol {
namespace {

// Parses `payload` into `message`; returns an empty string or what went wrong.
std::string parse(std::string_view payload, wire_format format, decode_mode mode,
                  google::protobuf::Message& message) {
  const std::string type = message.GetDescriptor()->name();
  if (format == wire_format::binary) {
    if (payload.size() > static_cast<std::size_t>(INT_MAX)) return "frame too large to decode";
    if (!message.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
      return "binary frame is not a valid protobuf " + type + " (malformed or truncated)";
    }
    return {};
  }
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = mode == decode_mode::lenient;
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(payload.data(), payload.size()), &message, options);
  if (!status.ok()) {
    return "text frame is not a valid JSON " + type + ": " + std::string(status.message());
  }
  return {};
}

template <typename Message>
decoded<Message> decode(std::string_view payload, wire_format format, decode_mode mode,
                        const char* no_kind_error) {
  decoded<Message> result;
  result.error = parse(payload, format, mode, result.message);
  if (result.ok() && mode == decode_mode::strict &&
      result.message.kind_case() == Message::KIND_NOT_SET) {
    result.error = no_kind_error;
  }
  if (!result.ok()) result.message.Clear();
  return result;
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

decoded_client_message decode_client_message(std::string_view payload, wire_format format,
                                             decode_mode mode) {
  return decode<v1::ClientMessage>(
      payload, format, mode, "ClientMessage has no kind set (expected join, command or ping)");
}

decoded_server_message decode_server_message(std::string_view payload, wire_format format,
                                             decode_mode mode) {
  return decode<v1::ServerMessage>(payload, format, mode, "ServerMessage has no kind set");
}

std::string encode(const google::protobuf::Message& message, wire_format format) {
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

welcome_wrapping wrap_welcome(const v1::Welcome& head, std::size_t snapshot_size,
                              wire_format format) {
  welcome_wrapping out;
  if (format == wire_format::binary) {
    // Protobuf writes fields in number order, so the snapshot (5) comes last: the head's fields,
    // then its tag and length, then the shared bytes. Only the outer lengths need computing.
    std::string fields;
    if (!head.SerializeToString(&fields)) throw std::invalid_argument("cannot serialize Welcome");
    const std::size_t welcome_size =
        fields.size() + 1 + google::protobuf::io::CodedOutputStream::VarintSize64(snapshot_size) +
        snapshot_size;
    out.head.reserve(fields.size() + 24);
    out.head.push_back(server_message_welcome_tag);
    append_varint(out.head, welcome_size);
    out.head += fields;
    out.head.push_back(welcome_snapshot_tag);
    append_varint(out.head, snapshot_size);
    return out;
  }
  // The JSON printer writes an empty snapshot last as "snapshot":{} — cut there and put the
  // shared object in its place.
  v1::ServerMessage message;
  *message.mutable_welcome() = head;
  message.mutable_welcome()->mutable_snapshot();
  std::string text = encode(message, format);
  constexpr std::string_view empty_end = "\"snapshot\":{}}}";
  if (!std::string_view(text).ends_with(empty_end)) {
    throw std::logic_error("unexpected JSON for a Welcome: " + text);
  }
  text.resize(text.size() - 4);  // drop {}}}, keep "snapshot":
  out.head = std::move(text);
  out.tail = "}}";
  return out;
}

v1::ServerMessage make_error_message(v1::ErrorCode code, std::string message) {
  v1::ServerMessage out;
  auto* error = out.mutable_error();
  error->set_code(code);
  error->set_message(std::move(message));
  return out;
}

}  // namespace majlis::protocol
