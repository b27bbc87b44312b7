#include "net/frame_intake.hpp"

#include <utility>

#include "net/codec.hpp"

namespace majlis::net {

intake_verdict take_frame(std::string_view bytes, bool binary, const intake_limits& limits,
                          intake_state& state, command_limiter::clock::time_point now) {
  intake_verdict verdict;
  if (bytes.size() > limits.max_frame_bytes) {
    verdict.count = intake_verdict::counter::protocol_errors;
    verdict.action = intake::close{close_code::message_too_big, v1::ERROR_CODE_RESOURCE_EXHAUSTED,
                                   "frame larger than " + std::to_string(limits.max_frame_bytes) +
                                       " bytes"};
    return verdict;
  }
  const auto format = binary ? wire_format::binary : wire_format::json;
  verdict.frame_format = format;
  if (!state.format_fixed) {
    state.format_fixed = true;
    verdict.fixes_format = true;
  }
  auto decoded = decode_client_message(bytes, format);
  if (!decoded.ok()) {
    verdict.count = intake_verdict::counter::protocol_errors;
    verdict.action = intake::close{close_code::invalid_payload, v1::ERROR_CODE_PROTOCOL,
                                   std::move(decoded.error)};
    return verdict;
  }
  if (decoded.message.has_command() || decoded.message.has_ping()) {
    switch (state.limiter.admit(now)) {
      case command_limiter::verdict::accept:
        break;
      case command_limiter::verdict::reject: {
        verdict.count = intake_verdict::counter::rate_limited_commands;
        if (!decoded.message.has_command()) {
          verdict.action = intake::drop{};
          return verdict;
        }
        v1::ServerMessage reply;
        auto* result = reply.mutable_result();
        result->set_request_id(decoded.message.command().request_id());
        result->set_ok(false);
        result->mutable_error()->set_code(v1::ERROR_CODE_RESOURCE_EXHAUSTED);
        result->mutable_error()->set_message(
            "rate limit: " + std::to_string(limits.commands_per_second) + " commands per second");
        verdict.action = intake::answer{std::move(reply)};
        return verdict;
      }
      case command_limiter::verdict::flood:
        verdict.count = intake_verdict::counter::rate_limited_commands;
        verdict.action = intake::close{close_code::policy_violation,
                                       v1::ERROR_CODE_RESOURCE_EXHAUSTED,
                                       "rate limit exceeded repeatedly: " +
                                           std::to_string(limits.commands_per_second) +
                                           " commands per second"};
        return verdict;
    }
  }
  verdict.action = intake::deliver{std::move(decoded.message)};
  return verdict;
}

}  // namespace majlis::net
