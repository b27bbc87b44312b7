#include "majlis/client/wire_codec.hpp"

#include <google/protobuf/util/json_util.h>

namespace majlis::client {
namespace {

std::string encode(const google::protobuf::Message& message, frame_format format) {
  std::string out;
  if (format == frame_format::binary) {
    message.SerializeToString(&out);
    return out;
  }
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = false;
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out;
}

bool decode(std::string_view payload, bool text, google::protobuf::Message& out) {
  if (!text) return out.ParseFromArray(payload.data(), static_cast<int>(payload.size()));
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  return google::protobuf::util::JsonStringToMessage(
             google::protobuf::StringPiece(payload.data(), payload.size()), &out, options)
      .ok();
}

}  // namespace

std::string encode_client_message(const v1::ClientMessage& message, frame_format format) {
  return encode(message, format);
}

bool decode_server_message(std::string_view payload, bool text, v1::ServerMessage& out) {
  out.Clear();
  return decode(payload, text, out);
}

std::string encode_server_message(const v1::ServerMessage& message, frame_format format) {
  return encode(message, format);
}

bool decode_client_message(std::string_view payload, bool text, v1::ClientMessage& out) {
  out.Clear();
  return decode(payload, text, out);
}

}  // namespace majlis::client
