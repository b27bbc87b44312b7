#include "majlis/client/wire_codec.hpp"

#include <gtest/gtest.h>

namespace majlis::client {
namespace {

v1::ClientMessage join_message() {
  v1::ClientMessage message;
  auto& join = *message.mutable_join();
  join.set_meeting_id("m1");
  join.set_token("t.o.k");
  join.mutable_resume()->set_epoch(3);
  join.mutable_resume()->set_seq(41);
  return message;
}

TEST(WireCodec, BinaryRoundTrip) {
  const auto bytes = encode_client_message(join_message(), frame_format::binary);
  v1::ClientMessage decoded;
  ASSERT_TRUE(decode_client_message(bytes, false, decoded));
  EXPECT_EQ(decoded.SerializeAsString(), join_message().SerializeAsString());
}

TEST(WireCodec, JsonUsesTheProtobufMapping) {
  const auto text = encode_client_message(join_message(), frame_format::json);
  EXPECT_NE(text.find("\"meetingId\":\"m1\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"seq\":\"41\""), std::string::npos) << text;  // uint64 as a string
  v1::ClientMessage decoded;
  ASSERT_TRUE(decode_client_message(text, true, decoded));
  EXPECT_EQ(decoded.join().resume().seq(), 41u);
}

TEST(WireCodec, DecodesServerJsonWithNumbersAndUnknownFields) {
  v1::ServerMessage message;
  ASSERT_TRUE(decode_server_message(
      R"({"events":{"events":[{"seq":7,"meetingStarted":{}},{"seq":"8"}]},"future":1})", true,
      message));
  ASSERT_EQ(message.events().events_size(), 2);
  EXPECT_EQ(message.events().events(0).seq(), 7u);
  EXPECT_TRUE(message.events().events(0).has_meeting_started());
  EXPECT_EQ(message.events().events(1).kind_case(), v1::Event::KIND_NOT_SET);
}

TEST(WireCodec, ServerMessageRoundTripInBothFormats) {
  v1::ServerMessage message;
  auto& result = *message.mutable_result();
  result.set_request_id(5);
  result.set_ok(false);
  result.mutable_error()->set_code(v1::ERROR_CODE_NOT_FOUND);
  result.mutable_error()->set_message("No such poll.");
  for (const auto format : {frame_format::binary, frame_format::json}) {
    const auto payload = encode_server_message(message, format);
    v1::ServerMessage decoded;
    ASSERT_TRUE(decode_server_message(payload, format == frame_format::json, decoded));
    EXPECT_EQ(decoded.result().error().code(), v1::ERROR_CODE_NOT_FOUND);
    EXPECT_EQ(decoded.result().request_id(), 5u);
  }
}

TEST(WireCodec, RejectsGarbage) {
  v1::ServerMessage message;
  EXPECT_FALSE(decode_server_message("{not json", true, message));
  EXPECT_FALSE(decode_server_message(std::string("\xff\xff\xff\xff", 4), false, message));
}

}  // namespace
}  // namespace majlis::client
