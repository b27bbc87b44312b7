#include "majlis/protocol/codec.hpp"

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <string>

namespace majlis::protocol {
namespace {

constexpr wire_format both_formats[] = {wire_format::binary, wire_format::json};

v1::ClientMessage join_message() {
  v1::ClientMessage message;
  auto& join = *message.mutable_join();
  join.set_meeting_id("m1");
  join.set_token("t.o.k");
  join.mutable_resume()->set_epoch(3);
  join.mutable_resume()->set_seq(41);
  return message;
}

v1::ServerMessage result_message() {
  v1::ServerMessage message;
  auto& result = *message.mutable_result();
  result.set_request_id(5);
  result.set_ok(false);
  result.mutable_error()->set_code(v1::ERROR_CODE_NOT_FOUND);
  result.mutable_error()->set_message("لا يوجد تصويت");  // non-ASCII survives both formats
  return message;
}

TEST(ProtocolCodec, ClientMessageRoundTripsInBothFormats) {
  for (const auto format : both_formats) {
    const auto payload = encode(join_message(), format);
    const auto decoded = decode_client_message(payload, format);
    ASSERT_TRUE(decoded.ok()) << decoded.error;
    EXPECT_EQ(decoded.message.SerializeAsString(), join_message().SerializeAsString());
  }
}

TEST(ProtocolCodec, ServerMessageRoundTripsInBothFormats) {
  for (const auto format : both_formats) {
    const auto payload = encode(result_message(), format);
    const auto decoded = decode_server_message(payload, format);
    ASSERT_TRUE(decoded.ok()) << decoded.error;
    EXPECT_EQ(decoded.message.SerializeAsString(), result_message().SerializeAsString());
  }
}

TEST(ProtocolCodec, JsonUsesTheProtobufMappingWithoutDefaults) {
  const auto text = encode(join_message(), wire_format::json);
  EXPECT_EQ(text,
            R"({"join":{"meetingId":"m1","token":"t.o.k","resume":{"epoch":"3","seq":"41"}}})");
}

TEST(ProtocolCodec, GarbageBinaryFrameGivesAClearError) {
  const auto decoded = decode_client_message(std::string("\xff\xff\xff\xff", 4), wire_format::binary);
  EXPECT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error, "binary frame is not a valid protobuf ClientMessage (malformed or truncated)");
}

TEST(ProtocolCodec, BadJsonFrameNamesTheTypeAndTheParserReason) {
  const auto decoded = decode_server_message("{not json", wire_format::json);
  EXPECT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error.rfind("text frame is not a valid JSON ServerMessage: ", 0), 0u)
      << decoded.error;
  EXPECT_GT(decoded.error.size(), std::string("text frame is not a valid JSON ServerMessage: ").size());
}

TEST(ProtocolCodec, StrictRefusesUnknownFieldsAndMissingKindLenientAccepts) {
  const std::string with_unknown = R"({"ping":{},"future":1})";
  const auto strict = decode_client_message(with_unknown, wire_format::json);
  EXPECT_FALSE(strict.ok());
  EXPECT_NE(strict.error.find("future"), std::string::npos) << strict.error;
  const auto lenient = decode_client_message(with_unknown, wire_format::json, decode_mode::lenient);
  ASSERT_TRUE(lenient.ok()) << lenient.error;
  EXPECT_TRUE(lenient.message.has_ping());

  const auto no_kind = decode_client_message("{}", wire_format::json);
  EXPECT_EQ(no_kind.error, "ClientMessage has no kind set (expected join, command or ping)");
  EXPECT_TRUE(decode_server_message("", wire_format::binary, decode_mode::lenient).ok());
  EXPECT_EQ(decode_server_message("", wire_format::binary).error, "ServerMessage has no kind set");
}

TEST(ProtocolCodec, FailedDecodeLeavesNoPartialMessage) {
  // A valid Join followed by a truncated field: the parse fails and nothing is kept.
  auto payload = encode(join_message(), wire_format::binary);
  payload += std::string("\x12\x05" "ab", 4);
  const auto decoded = decode_client_message(payload, wire_format::binary);
  EXPECT_FALSE(decoded.ok());
  EXPECT_FALSE(decoded.message.has_join());
}

TEST(ProtocolCodec, WelcomeWrappedAroundASharedSnapshotEqualsTheWholeMessage) {
  v1::Welcome head;
  head.set_epoch(2);
  head.set_seq(300);
  head.set_server_time_ms(1'700'000'000'000);
  v1::MeetingState snapshot;
  snapshot.set_title(std::string(200, 'x'));  // long enough for a two-byte length
  for (const auto format : both_formats) {
    const auto snapshot_bytes = encode(snapshot, format);
    const auto wrapping = wrap_welcome(head, snapshot_bytes.size(), format);
    v1::ServerMessage whole;
    *whole.mutable_welcome() = head;
    *whole.mutable_welcome()->mutable_snapshot() = snapshot;
    EXPECT_EQ(wrapping.head + snapshot_bytes + wrapping.tail, encode(whole, format));
  }
}

// The JSON head of a Welcome is written without the protobuf printer when the printer would copy
// every value as it is; otherwise the printer writes it. Either way the bytes are the printer's.
TEST(ProtocolCodec, WelcomeHeadIsThePrintersTextForEveryKindOfName) {
  const std::vector<std::string> names = {
      "Chair",
      "عمر المختار",                     // Arabic letters are copied as they are
      "Zainab Idris 👩🏽‍🏫",                 // four-byte characters and a joiner
      "Omar \"the chair\"",             // the printer escapes these ...
      "a < b",
      "a > b",
      "back\\slash",
      "line\nbreak\ttab",
      std::string("nul\0byte", 8),
      "\x7f",
      "\u0085",                          // a C1 control
      "\u00ad",                          // soft hyphen
      "\u0600 Arabic number sign",
      "\u06dd",
      "ليلى\u200fبن علي",                // right-to-left mark inside an Arabic name
      "\u2028",
      "\u2066isolate\u2069",
      "\ufeff",
      "\U000e0001",
      "\U0001d173",
      "",
  };
  v1::MeetingState snapshot;
  snapshot.set_title("Consultation");
  for (const auto& name : names) {
    for (const bool with_you : {true, false}) {
      v1::Welcome head;
      head.set_epoch(with_you ? 18'446'744'073'709'551'615ULL : 0);
      head.set_seq(with_you ? 0 : 42);
      head.set_server_time_ms(with_you ? -1 : 1'700'000'000'000);
      if (with_you) {
        auto* you = head.mutable_you();
        you->set_participant_id("p-" + std::to_string(name.size()));
        you->set_display_name(name);
        you->set_role(name.empty() ? v1::ROLE_UNSPECIFIED : v1::ROLE_PARTICIPANT);
        you->set_stakeholder_group(name.empty() ? "" : "civil_society");
        you->set_attendance(v1::ATTENDANCE_REMOTE);
        you->set_connection_id("i1-7");
      }
      const auto snapshot_json = encode(snapshot, wire_format::json);
      const auto wrapping = wrap_welcome(head, snapshot_json.size(), wire_format::json);
      v1::ServerMessage whole;
      *whole.mutable_welcome() = head;
      *whole.mutable_welcome()->mutable_snapshot() = snapshot;
      EXPECT_EQ(wrapping.head + snapshot_json + wrapping.tail, encode(whole, wire_format::json))
          << "display name: " << name;
    }
  }
  // An enum value this build has no name for (a newer peer's): the printer writes the number.
  v1::Welcome head;
  head.mutable_you()->set_role(static_cast<v1::Role>(99));
  head.mutable_you()->set_attendance(static_cast<v1::Attendance>(7));
  const auto wrapping = wrap_welcome(head, 2, wire_format::json);
  v1::ServerMessage whole;
  *whole.mutable_welcome() = head;
  whole.mutable_welcome()->mutable_snapshot();
  EXPECT_EQ(wrapping.head + "{}" + wrapping.tail, encode(whole, wire_format::json));
}

// A Join in the form the clients write is read without protobuf's JSON parser; every text must
// decode to what the parser makes of it, and what the parser refuses stays refused.
TEST(ProtocolCodec, JsonJoinDecodesAsTheParserReadsIt) {
  const std::vector<std::string> texts = {
      R"({"join":{"meetingId":"m-1","token":"a.b.c"}})",
      R"({"join":{"token":"a.b.c","meetingId":"m-1"}})",
      R"({"join":{"meetingId":"<m>","token":"x y:z,{}"}})",
      R"({"join":{"meetingId":"","token":""}})",
      R"({"join":{"meetingId":"m-1","token":"a.b.c","resume":{"epoch":"1","seq":"9"}}})",
      R"({"join":{"meeting_id":"m-1","token":"a"}})",
      R"({"join":{"meetingId":"m-1","token":"a","token":"b"}})",
      R"({"join":{"meetingId":"m-1","meetingId":"m-2","token":"a"}})",
      R"({"join":{"meetingId":"m-1"}})",
      R"({"join":{}})",
      R"({"join":{"meetingId":"m-1","token":"a","extra":"x"}})",
      R"({"join":{"meetingId":"m\u002d1","token":"a\"b"}})",
      R"({"join":{"meetingId":"m\u002d1","token":"a"}})",
      R"({"join":{"meetingId":"m-1","token":"a\/b"}})",
      R"({"join":{"meetingId":"عمر","token":"a"}})",
      R"({ "join": { "meetingId": "m-1", "token": "a" } })",
      R"({"join":{"meetingId":"m-1","token":"a"},"ping":{}})",
      R"({"join":{"meetingId":"m-1","token":"a"}}})",
      R"({"join":{"meetingId":"m-1","token":"a"})",
      R"({"join":{"meetingId":"m-1","token":"a",}})",
      R"({"join":{"meetingId":"m-1";"token":"a"}})",
      R"({"join":{"meetingId":m-1,"token":"a"}})",
      R"({"join":{"meetingId":"m-1","token":"a})",
      R"({"join":{"meetingId":"m-1","token":7}})",
      R"({"join":{"meetingId":"m-1","token":"tab	inside"}})",
      "{\"join\":{\"meetingId\":\"m-1\",\"token\":\"\xff\"}}",
      R"({"join":null})",
      R"({"join":{"meetingId":"m-1","token":"a"}} )",
  };
  for (const auto& text : texts) {
    for (const auto mode : {decode_mode::strict, decode_mode::lenient}) {
      v1::ClientMessage expected;
      google::protobuf::util::JsonParseOptions options;
      options.ignore_unknown_fields = mode == decode_mode::lenient;
      const bool parser_ok =
          google::protobuf::util::JsonStringToMessage(text, &expected, options).ok() &&
          (mode == decode_mode::lenient || expected.kind_case() != v1::ClientMessage::KIND_NOT_SET);
      const auto decoded = decode_client_message(text, wire_format::json, mode);
      EXPECT_EQ(decoded.ok(), parser_ok) << text << ": " << decoded.error;
      if (parser_ok && decoded.ok()) {
        EXPECT_EQ(decoded.message.SerializeAsString(), expected.SerializeAsString()) << text;
      }
    }
  }
}

TEST(ProtocolCodec, ErrorMessageCarriesCodeAndText) {
  const auto message = make_error_message(v1::ERROR_CODE_NOT_FOUND, "no such meeting");
  ASSERT_TRUE(message.has_error());
  EXPECT_EQ(message.error().code(), v1::ERROR_CODE_NOT_FOUND);
  EXPECT_EQ(message.error().message(), "no such meeting");
}

}  // namespace
}  // namespace majlis::protocol
