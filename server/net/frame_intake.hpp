// Frame intake: what one WebSocket message read from a client comes to — size limit, format,
// decoding and the per-connection command rate limit. Sans-I/O: the session reads the bytes and
// acts on the verdict (README "Close codes" for the closes; "Wire protocol" for the format).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "majlis/v1/wire.pb.h"
#include "net/command_limiter.hpp"
#include "net/connection.hpp"

namespace majlis::net {

struct intake_limits {
  std::size_t max_frame_bytes = 0;       // --max-frame-bytes
  std::uint32_t commands_per_second = 0;  // --commands-per-second (named in the error texts)
};

// What intake remembers between the frames of one connection.
struct intake_state {
  command_limiter limiter;
  bool format_fixed = false;  // the first whole frame fixed the connection's format
};

namespace intake {
// Hand the message to the connection's handler.
struct deliver {
  v1::ClientMessage message;
};
// A command over the rate limit: answer its Result (RESOURCE_EXHAUSTED); the connection goes on.
struct answer {
  v1::ServerMessage message;
};
// A Ping over the rate limit: dropped, it has no request id to answer.
struct drop {};
// Send Error{error, reason}, then close with `code`.
struct close {
  close_code code = close_code::normal;
  v1::ErrorCode error = v1::ERROR_CODE_UNSPECIFIED;
  std::string reason;
};
}  // namespace intake

struct intake_verdict {
  // Which counter of net_metrics the frame bumps, besides frames_in.
  enum class counter : std::uint8_t { none, protocol_errors, rate_limited_commands };

  std::variant<intake::deliver, intake::answer, intake::drop, intake::close> action;
  // Set for a whole frame within the size limit: it counts in frames_in, resets the idle timer
  // and, when it is the connection's first, fixes the connection's format to this one.
  std::optional<wire_format> frame_format;
  bool fixes_format = false;
  counter count = counter::none;
};

// `bytes`: the message read so far; the caller asks once the message is complete or as soon as
// it holds more than max_frame_bytes (then the rest is not worth reading). `binary`: the opcode
// (binary: protobuf; text: JSON). A frame is decoded in its own format, whatever the first was.
intake_verdict take_frame(std::string_view bytes, bool binary, const intake_limits& limits,
                          intake_state& state, command_limiter::clock::time_point now);

}  // namespace majlis::net
