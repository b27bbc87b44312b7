// libFuzzer target: any bytes, as a binary or a text frame, decode to a ClientMessage or to a
// readable error — never a crash, and a decoded message re-encodes and decodes to itself. A text
// frame decodes exactly as protobuf's JSON parser reads it (the codec reads the common Join
// without the parser).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <google/protobuf/util/json_util.h>

#include "net/codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace majlis;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (auto format : {net::wire_format::binary, net::wire_format::json}) {
    auto decoded = net::decode_client_message(bytes, format);
    if (format == net::wire_format::json) {
      v1::ClientMessage parsed;
      const bool parser_ok =
          google::protobuf::util::JsonStringToMessage(
              google::protobuf::StringPiece(bytes.data(), bytes.size()), &parsed).ok() &&
          parsed.kind_case() != v1::ClientMessage::KIND_NOT_SET;
      if (parser_ok != decoded.ok()) __builtin_trap();
      if (parser_ok && parsed.SerializeAsString() != decoded.message.SerializeAsString())
        __builtin_trap();
    }
    if (!decoded.ok()) {
      if (decoded.error.empty()) __builtin_trap();
      continue;
    }
    auto frame = net::encode_client_message(decoded.message, format);
    auto again = net::decode_client_message(*frame.bytes, format);
    if (!again.ok() || again.message.SerializeAsString() != decoded.message.SerializeAsString())
      __builtin_trap();
  }
  return 0;
}
