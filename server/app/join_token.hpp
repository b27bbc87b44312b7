// Join tokens: HS256-signed JWTs that say which meeting a person may join, as whom and until
// when. Verification is constant-time in the signature.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "majlis/v1/common.pb.h"

namespace majlis::app {

struct token_claims {
  std::string meeting_id;      // "mid"
  std::string participant_id;  // "sub"
  std::string display_name;    // "name"
  v1::Role role = v1::ROLE_UNSPECIFIED;              // "role": moderator | participant | display | observer
  std::string stakeholder_group;                     // "grp"
  v1::Attendance attendance = v1::ATTENDANCE_UNSPECIFIED;  // "att": in_room | remote
  int64_t issued_at_s = 0;     // "iat"
  int64_t expires_at_s = 0;    // "exp"
};

enum class token_error { malformed, bad_signature, expired, wrong_algorithm };

std::string_view describe(token_error error);

std::string sign_token(const token_claims& claims, std::string_view secret);

std::variant<token_claims, token_error> verify_token(std::string_view token,
                                                     std::string_view secret, int64_t now_s);

// Wire names of roles and attendance, as they appear in tokens and the HTTP API.
std::string_view role_name(v1::Role role);
v1::Role role_from_name(std::string_view name);
std::string_view attendance_name(v1::Attendance attendance);
v1::Attendance attendance_from_name(std::string_view name);

// HMAC-SHA256 of `message`, base64url without padding.
std::string hmac_base64url(std::string_view secret, std::string_view message);
// Constant-time comparison of two strings (length leaks, content does not).
bool constant_time_equal(std::string_view a, std::string_view b);
// Random bytes as base64url / as a lower-case id of `length` characters from [a-z0-9].
std::string random_base64url(size_t bytes);
std::string random_id(size_t length);

}  // namespace majlis::app
