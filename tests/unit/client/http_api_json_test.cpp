#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "majlis/client/http_api.hpp"

namespace majlis::client {
namespace {

namespace json = boost::json;

TEST(HttpApiJson, MeetingSpecUsesTheApiNames) {
  meeting_spec spec{"مشاورة وطنية", {"ar", "en"}, {"government", "academia"}};
  const auto body = json::parse(to_json(spec)).as_object();
  EXPECT_EQ(body.at("title").as_string(), "مشاورة وطنية");
  EXPECT_EQ(body.at("languages").as_array().size(), 2u);
  EXPECT_EQ(body.at("stakeholderGroups").as_array().at(1).as_string(), "academia");
}

TEST(HttpApiJson, EmptyListsAreLeftToTheServer) {
  const auto body = json::parse(to_json(meeting_spec{"T", {}, {}})).as_object();
  EXPECT_FALSE(body.contains("languages"));
  EXPECT_FALSE(body.contains("stakeholderGroups"));
}

TEST(HttpApiJson, TokenRequestAndRegistration) {
  token_request request{"participant", "Rania", "academia", "remote", ""};
  const auto token_body = json::parse(to_json(request)).as_object();
  EXPECT_EQ(token_body.at("role").as_string(), "participant");
  EXPECT_EQ(token_body.at("stakeholderGroup").as_string(), "academia");
  EXPECT_FALSE(token_body.contains("participantId"));

  const auto register_body =
      json::parse(to_json(registration{"INV", "Omar", "", "in_room"})).as_object();
  EXPECT_EQ(register_body.at("invite").as_string(), "INV");
  EXPECT_EQ(register_body.at("attendance").as_string(), "in_room");
  EXPECT_FALSE(register_body.contains("stakeholderGroup"));
}

TEST(HttpApiJson, ParsesTheCreatedMeeting) {
  const auto meeting = parse_created_meeting(R"({
    "meetingId": "m42", "title": "T", "inviteCode": "inv",
    "links": {"moderator": "http://h/console.html?x", "participant": "http://h/join.html?y",
              "display": "http://h/display.html?z", "observer": "http://h/display.html?w"},
    "tokens": {"moderator": "tm", "display": "td", "observer": "to"}})");
  ASSERT_TRUE(meeting);
  EXPECT_EQ(meeting->meeting_id, "m42");
  EXPECT_EQ(meeting->invite_code, "inv");
  EXPECT_EQ(meeting->links.participant, "http://h/join.html?y");
  EXPECT_EQ(meeting->tokens.moderator, "tm");
  EXPECT_EQ(meeting->tokens.observer, "to");
}

TEST(HttpApiJson, RefusesAnswersWithoutTheEssentials) {
  EXPECT_FALSE(parse_created_meeting(R"({"links": {}})"));
  EXPECT_FALSE(parse_created_meeting("not json"));
  EXPECT_FALSE(parse_issued_token(R"({"participantId": "p"})"));
  const auto issued = parse_issued_token(R"({"participantId": "p", "token": "t"})");
  ASSERT_TRUE(issued);
  EXPECT_EQ(issued->participant_id, "p");
}

TEST(HttpApiJson, ReadsTheServerErrorShape) {
  http_reply reply;
  reply.status = 401;
  reply.body = R"({"error": {"code": "UNAUTHENTICATED", "message": "an admin key is required"}})";
  EXPECT_FALSE(reply.ok());
  EXPECT_EQ(reply.error_code(), "UNAUTHENTICATED");
  EXPECT_EQ(reply.error_message(), "an admin key is required");

  reply.status = 502;
  reply.body = "Bad gateway";
  EXPECT_EQ(reply.error_code(), "HTTP_502");
  EXPECT_EQ(reply.error_message(), "Bad gateway");

  reply.transport_error = make_error_code(boost::system::errc::connection_refused);
  EXPECT_EQ(reply.error_code(), "UNAVAILABLE");
}

}  // namespace
}  // namespace majlis::client
