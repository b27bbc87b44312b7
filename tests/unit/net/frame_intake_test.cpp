#include "net/frame_intake.hpp"

#include <string>
#include <variant>

#include <gtest/gtest.h>

#include "net/codec.hpp"

namespace majlis::net {
namespace {

using namespace std::chrono_literals;
using clock = command_limiter::clock;
using counter = intake_verdict::counter;

const auto t0 = clock::time_point{} + 1h;
const intake_limits limits{1024, 20};

intake_state make_state(std::uint32_t burst = 4) {
  return intake_state{command_limiter(20, burst, t0)};
}

std::string encoded(const v1::ClientMessage& m, wire_format format) {
  return *encode_client_message(m, format).bytes;
}

v1::ClientMessage make_join() {
  v1::ClientMessage m;
  m.mutable_join()->set_meeting_id("m-1");
  m.mutable_join()->set_token("t");
  return m;
}

v1::ClientMessage make_command(std::uint64_t request_id) {
  v1::ClientMessage m;
  m.mutable_command()->set_request_id(request_id);
  m.mutable_command()->mutable_command()->mutable_end_meeting();
  return m;
}

v1::ClientMessage make_ping() {
  v1::ClientMessage m;
  m.mutable_ping()->set_nonce(7);
  return m;
}

class net_frame_intake : public testing::TestWithParam<wire_format> {
 protected:
  bool binary() const { return GetParam() == wire_format::binary; }
};

TEST_P(net_frame_intake, a_valid_join_is_delivered_and_fixes_the_format) {
  auto state = make_state();
  const auto verdict =
      take_frame(encoded(make_join(), GetParam()), binary(), limits, state, t0);
  const auto* deliver = std::get_if<intake::deliver>(&verdict.action);
  ASSERT_NE(deliver, nullptr);
  EXPECT_EQ(deliver->message.join().meeting_id(), "m-1");
  ASSERT_TRUE(verdict.frame_format.has_value());
  EXPECT_EQ(*verdict.frame_format, GetParam());
  EXPECT_TRUE(verdict.fixes_format);
  EXPECT_EQ(verdict.count, counter::none);
  // Only the first frame fixes the format.
  const auto second = take_frame(encoded(make_ping(), GetParam()), binary(), limits, state, t0);
  EXPECT_TRUE(std::holds_alternative<intake::deliver>(second.action));
  EXPECT_FALSE(second.fixes_format);
}

TEST_P(net_frame_intake, a_frame_over_the_limit_closes_with_1009) {
  auto state = make_state();
  const std::string big(limits.max_frame_bytes + 1, 'x');
  const auto verdict = take_frame(big, binary(), limits, state, t0);
  const auto* close = std::get_if<intake::close>(&verdict.action);
  ASSERT_NE(close, nullptr);
  EXPECT_EQ(close->code, close_code::message_too_big);
  EXPECT_EQ(close->error, v1::ERROR_CODE_RESOURCE_EXHAUSTED);
  EXPECT_EQ(close->reason, "frame larger than 1024 bytes");
  EXPECT_EQ(verdict.count, counter::protocol_errors);
  // Not a frame read: neither counted nor fixing the format.
  EXPECT_FALSE(verdict.frame_format.has_value());
  EXPECT_FALSE(verdict.fixes_format);
  EXPECT_FALSE(state.format_fixed);
}

TEST_P(net_frame_intake, a_frame_of_exactly_the_limit_is_read) {
  auto state = make_state();
  const std::string at_limit(limits.max_frame_bytes, ' ');
  const auto verdict = take_frame(at_limit, binary(), limits, state, t0);
  const auto* close = std::get_if<intake::close>(&verdict.action);
  ASSERT_NE(close, nullptr);
  EXPECT_NE(close->code, close_code::message_too_big);
  EXPECT_TRUE(verdict.frame_format.has_value());
}

TEST_P(net_frame_intake, undecodable_bytes_close_with_1007_in_the_frame_format) {
  auto state = make_state();
  const std::string garbage = binary() ? "\xff\xff\xff\xff\x0f\x07garbage" : "{\"join\": ";
  const auto verdict = take_frame(garbage, binary(), limits, state, t0);
  const auto* close = std::get_if<intake::close>(&verdict.action);
  ASSERT_NE(close, nullptr);
  EXPECT_EQ(close->code, close_code::invalid_payload);
  EXPECT_EQ(close->error, v1::ERROR_CODE_PROTOCOL);
  EXPECT_EQ(close->reason, decode_client_message(garbage, GetParam()).error);
  EXPECT_FALSE(close->reason.empty());
  EXPECT_EQ(verdict.count, counter::protocol_errors);
  // The Error goes out in the format of the frame that failed.
  EXPECT_TRUE(verdict.fixes_format);
  EXPECT_EQ(*verdict.frame_format, GetParam());
}

TEST_P(net_frame_intake, the_other_format_is_decoded_as_what_it_is) {
  // A connection speaks the format of its first frame; a later frame of the other kind is
  // decoded in its own (README "Wire protocol"): a JSON text in a binary frame is garbage.
  auto state = make_state();
  const auto other = binary() ? wire_format::json : wire_format::binary;
  take_frame(encoded(make_join(), GetParam()), binary(), limits, state, t0);
  const auto as_other = take_frame(encoded(make_ping(), other), !binary(), limits, state, t0);
  EXPECT_TRUE(std::holds_alternative<intake::deliver>(as_other.action));
  EXPECT_EQ(*as_other.frame_format, other);
  EXPECT_FALSE(as_other.fixes_format);
  const auto mislabelled = take_frame(encoded(make_join(), wire_format::json), true, limits,
                                      state, t0);
  const auto* close = std::get_if<intake::close>(&mislabelled.action);
  ASSERT_NE(close, nullptr);
  EXPECT_EQ(close->code, close_code::invalid_payload);
}

TEST_P(net_frame_intake, a_command_over_the_rate_is_answered_then_a_flood_closes_with_1008) {
  auto state = make_state(2);
  for (std::uint64_t id = 1; id <= 2; ++id) {
    const auto verdict =
        take_frame(encoded(make_command(id), GetParam()), binary(), limits, state, t0);
    ASSERT_TRUE(std::holds_alternative<intake::deliver>(verdict.action)) << id;
  }
  // Empty bucket: the Result says so, with the request id.
  for (std::uint64_t id = 3; id <= 5; ++id) {
    const auto verdict =
        take_frame(encoded(make_command(id), GetParam()), binary(), limits, state, t0);
    const auto* answer = std::get_if<intake::answer>(&verdict.action);
    ASSERT_NE(answer, nullptr) << id;
    const auto& result = answer->message.result();
    EXPECT_EQ(result.request_id(), id);
    EXPECT_FALSE(result.ok());
    EXPECT_EQ(result.error().code(), v1::ERROR_CODE_RESOURCE_EXHAUSTED);
    EXPECT_EQ(result.error().message(), "rate limit: 20 commands per second");
    EXPECT_EQ(verdict.count, counter::rate_limited_commands);
  }
  // 2 × burst rejections within a second: the connection is closed.
  const auto verdict =
      take_frame(encoded(make_command(6), GetParam()), binary(), limits, state, t0);
  const auto* close = std::get_if<intake::close>(&verdict.action);
  ASSERT_NE(close, nullptr);
  EXPECT_EQ(close->code, close_code::policy_violation);
  EXPECT_EQ(close->error, v1::ERROR_CODE_RESOURCE_EXHAUSTED);
  EXPECT_EQ(close->reason, "rate limit exceeded repeatedly: 20 commands per second");
  EXPECT_EQ(verdict.count, counter::rate_limited_commands);
  // Time refills the bucket.
  const auto later =
      take_frame(encoded(make_command(7), GetParam()), binary(), limits, state, t0 + 1s);
  EXPECT_TRUE(std::holds_alternative<intake::deliver>(later.action));
}

TEST_P(net_frame_intake, a_ping_over_the_rate_is_dropped_and_a_join_is_never_limited) {
  auto state = make_state(1);
  EXPECT_TRUE(std::holds_alternative<intake::deliver>(
      take_frame(encoded(make_ping(), GetParam()), binary(), limits, state, t0).action));
  const auto dropped = take_frame(encoded(make_ping(), GetParam()), binary(), limits, state, t0);
  EXPECT_TRUE(std::holds_alternative<intake::drop>(dropped.action));
  EXPECT_EQ(dropped.count, counter::rate_limited_commands);
  const auto join = take_frame(encoded(make_join(), GetParam()), binary(), limits, state, t0);
  EXPECT_TRUE(std::holds_alternative<intake::deliver>(join.action));
  EXPECT_EQ(join.count, counter::none);
}

INSTANTIATE_TEST_SUITE_P(formats, net_frame_intake,
                         testing::Values(wire_format::binary, wire_format::json),
                         [](const auto& info) {
                           return info.param == wire_format::binary ? "binary" : "json";
                         });

}  // namespace
}  // namespace majlis::net
