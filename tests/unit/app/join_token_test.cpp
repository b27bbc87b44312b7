#include "app/join_token.hpp"

#include <gtest/gtest.h>

namespace majlis::app {
namespace {

token_claims sample_claims() {
  token_claims claims;
  claims.meeting_id = "m1";
  claims.participant_id = "p1";
  claims.display_name = "فاطمة الزهراء";
  claims.role = v1::ROLE_PARTICIPANT;
  claims.stakeholder_group = "civil_society";
  claims.attendance = v1::ATTENDANCE_REMOTE;
  claims.issued_at_s = 1000;
  claims.expires_at_s = 2000;
  return claims;
}

TEST(join_token, round_trip_keeps_every_claim_including_arabic_names) {
  const auto token = sign_token(sample_claims(), "secret");
  auto verified = verify_token(token, "secret", 1500);
  ASSERT_TRUE(std::holds_alternative<token_claims>(verified));
  const auto& claims = std::get<token_claims>(verified);
  EXPECT_EQ(claims.meeting_id, "m1");
  EXPECT_EQ(claims.participant_id, "p1");
  EXPECT_EQ(claims.display_name, "فاطمة الزهراء");
  EXPECT_EQ(claims.role, v1::ROLE_PARTICIPANT);
  EXPECT_EQ(claims.stakeholder_group, "civil_society");
  EXPECT_EQ(claims.attendance, v1::ATTENDANCE_REMOTE);
  EXPECT_EQ(claims.expires_at_s, 2000);
}

TEST(join_token, has_three_base64url_parts) {
  const auto token = sign_token(sample_claims(), "secret");
  EXPECT_EQ(std::count(token.begin(), token.end(), '.'), 2);
  EXPECT_EQ(token.find_first_of("+/="), std::string::npos);
}

TEST(join_token, another_secret_fails_the_signature) {
  const auto token = sign_token(sample_claims(), "secret");
  auto verified = verify_token(token, "other", 1500);
  ASSERT_TRUE(std::holds_alternative<token_error>(verified));
  EXPECT_EQ(std::get<token_error>(verified), token_error::bad_signature);
}

TEST(join_token, a_changed_payload_fails_the_signature) {
  auto token = sign_token(sample_claims(), "secret");
  const auto first = token.find('.');
  token[first + 5] = token[first + 5] == 'A' ? 'B' : 'A';
  auto verified = verify_token(token, "secret", 1500);
  ASSERT_TRUE(std::holds_alternative<token_error>(verified));
  EXPECT_EQ(std::get<token_error>(verified), token_error::bad_signature);
}

TEST(join_token, expired_tokens_are_refused) {
  const auto token = sign_token(sample_claims(), "secret");
  auto verified = verify_token(token, "secret", 2000);
  ASSERT_TRUE(std::holds_alternative<token_error>(verified));
  EXPECT_EQ(std::get<token_error>(verified), token_error::expired);
}

TEST(join_token, garbage_is_malformed_or_unsigned) {
  for (std::string_view garbage : {"", "abc", "a.b", "..", "a.b.c", "\xff\xfe.\x01.x"}) {
    auto verified = verify_token(garbage, "secret", 1500);
    EXPECT_TRUE(std::holds_alternative<token_error>(verified)) << garbage;
  }
}

TEST(join_token, other_algorithms_are_refused_even_when_signed_with_the_secret) {
  // {"alg":"none","typ":"JWT"} with a correct HMAC over it: the algorithm check still refuses.
  const std::string header = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0";
  const auto good = sign_token(sample_claims(), "secret");
  const auto payload = good.substr(good.find('.') + 1, good.rfind('.') - good.find('.') - 1);
  const auto input = header + "." + payload;
  auto verified = verify_token(input + "." + hmac_base64url("secret", input), "secret", 1500);
  ASSERT_TRUE(std::holds_alternative<token_error>(verified));
  EXPECT_EQ(std::get<token_error>(verified), token_error::wrong_algorithm);
}

// RFC 4231 test cases 1, 2 and 6 (a key longer than a block), in turns, so that a kept key is
// never used for another secret.
TEST(join_token, hmac_matches_the_rfc_4231_vectors_when_the_secret_changes) {
  const std::string long_key(131, '\xaa');
  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(hmac_base64url(std::string(20, '\x0b'), "Hi There"),
              "sDRMYdjbOFNcqK_OrwvxK4gdwgDJgz2nJuk3bC4yz_c");
    EXPECT_EQ(hmac_base64url("Jefe", "what do ya want for nothing?"),
              "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM");
    EXPECT_EQ(hmac_base64url("Jefe", "what do ya want for nothing?"),
              "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM");
    EXPECT_EQ(hmac_base64url(long_key, "Test Using Larger Than Block-Size Key - Hash Key First"),
              "YOQxWR7gtn8Niiaqy_W3f44LxiE3KMUUBUYEDw7jf1Q");
  }
}

TEST(join_token, constant_time_equal_compares_content_and_length) {
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "abcd"));
}

TEST(join_token, random_ids_differ_and_use_the_id_alphabet) {
  const auto a = random_id(12), b = random_id(12);
  EXPECT_EQ(a.size(), 12u);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find_first_not_of("abcdefghijkmnopqrstuvwxyz23456789"), std::string::npos);
}

}  // namespace
}  // namespace majlis::app
