#include "net/codec.hpp"

#include <gtest/gtest.h>

namespace majlis::net {
namespace {

v1::ClientMessage make_join() {
  v1::ClientMessage m;
  m.mutable_join()->set_meeting_id("m-42");
  m.mutable_join()->set_token("header.payload.signature-with-some-length");
  m.mutable_join()->mutable_resume()->set_epoch(3);
  m.mutable_join()->mutable_resume()->set_seq(99);
  return m;
}

TEST(net_codec, garbage_bytes_are_an_error) {
  const std::string garbage = "\xff\xff\xff\xff\x0f\x07garbage";
  const auto decoded = decode_client_message(garbage, wire_format::binary);
  EXPECT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error.find("protobuf"), std::string::npos) << decoded.error;
}

TEST(net_codec, truncated_protobuf_is_an_error) {
  const std::string bytes = make_join().SerializeAsString();
  ASSERT_GT(bytes.size(), 10u);
  const auto decoded =
      decode_client_message(std::string_view(bytes).substr(0, bytes.size() - 5), wire_format::binary);
  EXPECT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error.find("truncated"), std::string::npos) << decoded.error;
}

TEST(net_codec, invalid_json_is_an_error) {
  const auto decoded = decode_client_message(R"({"join": {"meetingId": )", wire_format::json);
  EXPECT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error.find("JSON"), std::string::npos) << decoded.error;
}

TEST(net_codec, unknown_json_field_is_an_error_naming_it) {
  const auto decoded =
      decode_client_message(R"({"join": {"meetingId": "m", "colour": "red"}})", wire_format::json);
  EXPECT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error.find("colour"), std::string::npos) << decoded.error;
}

TEST(net_codec, message_without_kind_is_an_error) {
  EXPECT_FALSE(decode_client_message("", wire_format::binary).ok());
  const auto decoded = decode_client_message("{}", wire_format::json);
  EXPECT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error.find("no kind"), std::string::npos) << decoded.error;
}

TEST(net_codec, binary_round_trip) {
  const auto original = make_join();
  const frame f = encode_client_message(original, wire_format::binary);
  EXPECT_FALSE(f.text);
  const auto decoded = decode_client_message(*f.bytes, wire_format::binary);
  ASSERT_TRUE(decoded.ok()) << decoded.error;
  EXPECT_EQ(decoded.message.SerializeAsString(), original.SerializeAsString());
}

TEST(net_codec, json_round_trip_uses_lower_camel_case_and_omits_defaults) {
  v1::ServerMessage message;
  message.mutable_result()->set_request_id(7);
  message.mutable_result()->set_ok(true);
  const frame f = encode_server_message(message, wire_format::json);
  EXPECT_TRUE(f.text);
  EXPECT_NE(f.bytes->find("\"requestId\""), std::string::npos) << *f.bytes;
  EXPECT_EQ(f.bytes->find("\"seq\""), std::string::npos) << *f.bytes;
  const auto decoded = decode_server_message(*f.bytes, wire_format::json);
  ASSERT_TRUE(decoded.ok()) << decoded.error;
  EXPECT_EQ(decoded.message.result().request_id(), 7u);
  EXPECT_TRUE(decoded.message.result().ok());
}

TEST(net_codec, json_client_message_decodes) {
  const auto decoded = decode_client_message(
      R"({"command": {"requestId": "12", "command": {"startMeeting": {}}}})", wire_format::json);
  ASSERT_TRUE(decoded.ok()) << decoded.error;
  EXPECT_EQ(decoded.message.command().request_id(), 12u);
  EXPECT_TRUE(decoded.message.command().command().has_start_meeting());
}

TEST(net_codec, arabic_text_survives_json) {
  const std::string arabic = "الإصلاح الرقمي: مداخلة من المجتمع المدني";
  const auto message = make_error_message(v1::ERROR_CODE_INVALID_ARGUMENT, arabic);
  const frame f = encode_server_message(message, wire_format::json);
  const auto decoded = decode_server_message(*f.bytes, wire_format::json);
  ASSERT_TRUE(decoded.ok()) << decoded.error;
  EXPECT_EQ(decoded.message.error().message(), arabic);
  EXPECT_EQ(decoded.message.error().code(), v1::ERROR_CODE_INVALID_ARGUMENT);

  v1::ClientMessage join;
  join.mutable_join()->set_meeting_id(arabic);
  const auto client = decode_client_message(*encode_client_message(join, wire_format::json).bytes,
                                            wire_format::json);
  ASSERT_TRUE(client.ok()) << client.error;
  EXPECT_EQ(client.message.join().meeting_id(), arabic);
}

}  // namespace
}  // namespace majlis::net

namespace majlis::net {
namespace {

v1::Welcome welcome_head() {
  v1::Welcome head;
  head.mutable_you()->set_participant_id("p-7");
  head.mutable_you()->set_display_name("ليلى \"بن\" علي");
  head.mutable_you()->set_role(v1::ROLE_PARTICIPANT);
  head.mutable_you()->set_connection_id("inst-12");
  head.set_server_time_ms(1'764'000'000'000);
  head.set_epoch(3);
  head.set_seq(123'456'789'012);
  return head;
}

// A state of `contributions` entries of 1,990 emoji each (about 8 kB): lengths of several bytes.
v1::MeetingState large_state(int contributions) {
  v1::MeetingState state;
  state.set_meeting_id("m-1");
  state.set_title("جلسة \\ «الحوار»\n");
  state.set_seq(123'456'789'012);
  std::string text;
  for (int i = 0; i < 1990; ++i) text += "\xF0\x9F\x99\x82";
  for (int i = 0; i < contributions; ++i) {
    auto* c = state.add_contributions();
    c->set_id("c-" + std::to_string(i));
    c->set_text(text);
  }
  return state;
}

// compose_welcome must give exactly the bytes of encoding the whole Welcome.
void expect_same_as_whole(const v1::MeetingState& snapshot, wire_format format) {
  const auto head = welcome_head();
  const auto composed = compose_welcome(head, encode_snapshot(snapshot, format), format);
  v1::ServerMessage whole;
  *whole.mutable_welcome() = head;
  *whole.mutable_welcome()->mutable_snapshot() = snapshot;
  const auto expected = encode_server_message(whole, format);
  EXPECT_TRUE(composed.welcome);
  EXPECT_TRUE(expected.welcome);
  EXPECT_EQ(composed.text, expected.text);
  const std::string bytes = composed.head + *composed.bytes + composed.tail;
  EXPECT_EQ(bytes, *expected.bytes);
  EXPECT_EQ(composed.size(), expected.bytes->size());
  const auto decoded = decode_server_message(bytes, format);
  ASSERT_TRUE(decoded.ok()) << decoded.error;
  EXPECT_EQ(decoded.message.SerializeAsString(), whole.SerializeAsString());
}

TEST(net_codec, composed_welcome_is_the_whole_welcome_in_binary) {
  expect_same_as_whole(large_state(0), wire_format::binary);
  expect_same_as_whole(large_state(3), wire_format::binary);
  expect_same_as_whole(large_state(300), wire_format::binary);  // > 2 MB: 4-byte lengths
  expect_same_as_whole(v1::MeetingState(), wire_format::binary);
}

TEST(net_codec, composed_welcome_is_the_whole_welcome_in_json) {
  expect_same_as_whole(large_state(0), wire_format::json);
  expect_same_as_whole(large_state(3), wire_format::json);
  expect_same_as_whole(large_state(300), wire_format::json);
  expect_same_as_whole(v1::MeetingState(), wire_format::json);
}

TEST(net_codec, composed_welcomes_share_the_snapshot_bytes) {
  const auto snapshot = encode_snapshot(large_state(3), wire_format::binary);
  const auto a = compose_welcome(welcome_head(), snapshot, wire_format::binary);
  auto other = welcome_head();
  other.mutable_you()->set_participant_id("p-8");
  const auto b = compose_welcome(other, snapshot, wire_format::binary);
  EXPECT_EQ(a.bytes.get(), snapshot.get());
  EXPECT_EQ(b.bytes.get(), snapshot.get());
  EXPECT_NE(a.head, b.head);
}

TEST(net_codec, only_a_welcome_is_marked_welcome) {
  v1::ServerMessage events;
  events.mutable_events();
  EXPECT_FALSE(encode_server_message(events, wire_format::binary).welcome);
  v1::ServerMessage replay;
  replay.mutable_welcome()->mutable_replay();
  EXPECT_TRUE(encode_server_message(replay, wire_format::json).welcome);
}

}  // namespace
}  // namespace majlis::net
