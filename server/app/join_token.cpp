#include "app/join_token.hpp"

#include <array>
#include <boost/json.hpp>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <stdexcept>

namespace majlis::app {

namespace {

constexpr std::string_view base64url_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64url_encode(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += base64url_alphabet[(v >> 18) & 63];
    out += base64url_alphabet[(v >> 12) & 63];
    out += base64url_alphabet[(v >> 6) & 63];
    out += base64url_alphabet[v & 63];
  }
  if (i + 1 == in.size()) {
    const uint32_t v = uint8_t(in[i]) << 16;
    out += base64url_alphabet[(v >> 18) & 63];
    out += base64url_alphabet[(v >> 12) & 63];
  } else if (i + 2 == in.size()) {
    const uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += base64url_alphabet[(v >> 18) & 63];
    out += base64url_alphabet[(v >> 12) & 63];
    out += base64url_alphabet[(v >> 6) & 63];
  }
  return out;
}

bool base64url_decode(std::string_view in, std::string& out) {
  static const std::array<int8_t, 256> table = [] {
    std::array<int8_t, 256> t{};
    t.fill(-1);
    for (size_t i = 0; i < base64url_alphabet.size(); ++i)
      t[uint8_t(base64url_alphabet[i])] = int8_t(i);
    return t;
  }();
  if (in.size() % 4 == 1) return false;
  out.clear();
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : in) {
    const int8_t v = table[uint8_t(c)];
    if (v < 0) return false;
    buffer = (buffer << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += char((buffer >> bits) & 0xff);
    }
  }
  return true;
}

// HMAC-SHA256 with one keyed context per thread, set up again only when the secret changes:
// OpenSSL 3's one-shot HMAC() looks the algorithms up in the provider on every call, which was
// half of a token check in a join storm.
class hmac_sha256_context {
 public:
  hmac_sha256_context() : mac_(EVP_MAC_fetch(nullptr, "HMAC", nullptr)) {
    if (mac_ != nullptr) ctx_ = EVP_MAC_CTX_new(mac_);
    if (ctx_ == nullptr) throw std::runtime_error("HMAC-SHA256 is not available");
  }
  ~hmac_sha256_context() {
    EVP_MAC_CTX_free(ctx_);
    EVP_MAC_free(mac_);
  }
  hmac_sha256_context(const hmac_sha256_context&) = delete;
  hmac_sha256_context& operator=(const hmac_sha256_context&) = delete;

  std::string sign(std::string_view secret, std::string_view message) {
    const bool same_key = keyed_ && secret == key_;
    char digest_name[] = "SHA256";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
        OSSL_PARAM_construct_end()};
    // A null key starts the same key over (OpenSSL's HMAC keeps it in the context).
    const int initialised =
        same_key ? EVP_MAC_init(ctx_, nullptr, 0, nullptr)
                 : EVP_MAC_init(ctx_, reinterpret_cast<const unsigned char*>(secret.data()),
                                secret.size(), params);
    keyed_ = initialised == 1;
    if (!keyed_) throw std::runtime_error("HMAC-SHA256 failed");
    if (!same_key) key_ = secret;
    unsigned char digest[EVP_MAX_MD_SIZE];
    std::size_t length = 0;
    if (EVP_MAC_update(ctx_, reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) != 1 ||
        EVP_MAC_final(ctx_, digest, &length, sizeof digest) != 1)
      throw std::runtime_error("HMAC-SHA256 failed");
    return std::string(reinterpret_cast<const char*>(digest), length);
  }

 private:
  EVP_MAC* mac_ = nullptr;
  EVP_MAC_CTX* ctx_ = nullptr;
  bool keyed_ = false;
  std::string key_;
};

std::string hmac_sha256(std::string_view secret, std::string_view message) {
  thread_local hmac_sha256_context context;
  return context.sign(secret, message);
}

// The header never changes: {"alg":"HS256","typ":"JWT"}.
const std::string& encoded_header() {
  static const std::string header = base64url_encode(R"({"alg":"HS256","typ":"JWT"})");
  return header;
}

std::string string_field(const boost::json::object& o, std::string_view key) {
  if (auto* v = o.if_contains(key); v && v->is_string()) return std::string(v->as_string());
  return {};
}

int64_t int_field(const boost::json::object& o, std::string_view key) {
  if (auto* v = o.if_contains(key)) {
    if (v->is_int64()) return v->as_int64();
    if (v->is_uint64()) return int64_t(v->as_uint64());
  }
  return 0;
}

}  // namespace

std::string_view describe(token_error error) {
  switch (error) {
    case token_error::malformed: return "the token is malformed";
    case token_error::bad_signature: return "the token's signature does not verify";
    case token_error::expired: return "the token has expired";
    case token_error::wrong_algorithm: return "the token is not signed with HS256";
  }
  return "the token is invalid";
}

std::string_view role_name(v1::Role role) {
  switch (role) {
    case v1::ROLE_MODERATOR: return "moderator";
    case v1::ROLE_PARTICIPANT: return "participant";
    case v1::ROLE_DISPLAY: return "display";
    case v1::ROLE_OBSERVER: return "observer";
    default: return "";
  }
}

v1::Role role_from_name(std::string_view name) {
  if (name == "moderator") return v1::ROLE_MODERATOR;
  if (name == "participant") return v1::ROLE_PARTICIPANT;
  if (name == "display") return v1::ROLE_DISPLAY;
  if (name == "observer") return v1::ROLE_OBSERVER;
  return v1::ROLE_UNSPECIFIED;
}

std::string_view attendance_name(v1::Attendance attendance) {
  switch (attendance) {
    case v1::ATTENDANCE_IN_ROOM: return "in_room";
    case v1::ATTENDANCE_REMOTE: return "remote";
    default: return "";
  }
}

v1::Attendance attendance_from_name(std::string_view name) {
  if (name == "in_room") return v1::ATTENDANCE_IN_ROOM;
  if (name == "remote") return v1::ATTENDANCE_REMOTE;
  return v1::ATTENDANCE_UNSPECIFIED;
}

std::string hmac_base64url(std::string_view secret, std::string_view message) {
  return base64url_encode(hmac_sha256(secret, message));
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string random_base64url(size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), int(bytes)) != 1)
    throw std::runtime_error("RAND_bytes failed");
  return base64url_encode(raw);
}

std::string random_id(size_t length) {
  static constexpr std::string_view alphabet = "abcdefghijkmnopqrstuvwxyz23456789";
  std::string raw(length, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), int(length)) != 1)
    throw std::runtime_error("RAND_bytes failed");
  for (auto& c : raw) c = alphabet[uint8_t(c) % alphabet.size()];
  return raw;
}

std::string sign_token(const token_claims& claims, std::string_view secret) {
  boost::json::object payload;
  payload["mid"] = claims.meeting_id;
  payload["sub"] = claims.participant_id;
  payload["name"] = claims.display_name;
  payload["role"] = role_name(claims.role);
  payload["grp"] = claims.stakeholder_group;
  payload["att"] = attendance_name(claims.attendance);
  payload["iat"] = claims.issued_at_s;
  payload["exp"] = claims.expires_at_s;
  std::string signing_input = encoded_header() + "." + base64url_encode(boost::json::serialize(payload));
  std::string signature = hmac_base64url(secret, signing_input);
  return signing_input + "." + signature;
}

std::variant<token_claims, token_error> verify_token(std::string_view token,
                                                     std::string_view secret, int64_t now_s) {
  if (token.size() > 4096) return token_error::malformed;
  const auto first_dot = token.find('.');
  const auto last_dot = token.rfind('.');
  if (first_dot == std::string_view::npos || first_dot == last_dot) return token_error::malformed;
  const auto signing_input = token.substr(0, last_dot);
  const auto signature = token.substr(last_dot + 1);
  if (!constant_time_equal(hmac_base64url(secret, signing_input), signature))
    return token_error::bad_signature;

  std::string header_json, payload_json;
  if (!base64url_decode(token.substr(0, first_dot), header_json) ||
      !base64url_decode(token.substr(first_dot + 1, last_dot - first_dot - 1), payload_json))
    return token_error::malformed;
  boost::system::error_code ec;
  auto header = boost::json::parse(header_json, ec);
  if (ec || !header.is_object()) return token_error::malformed;
  if (string_field(header.as_object(), "alg") != "HS256") return token_error::wrong_algorithm;
  auto payload = boost::json::parse(payload_json, ec);
  if (ec || !payload.is_object()) return token_error::malformed;
  const auto& o = payload.as_object();

  token_claims claims;
  claims.meeting_id = string_field(o, "mid");
  claims.participant_id = string_field(o, "sub");
  claims.display_name = string_field(o, "name");
  claims.role = role_from_name(string_field(o, "role"));
  claims.stakeholder_group = string_field(o, "grp");
  claims.attendance = attendance_from_name(string_field(o, "att"));
  claims.issued_at_s = int_field(o, "iat");
  claims.expires_at_s = int_field(o, "exp");
  if (claims.meeting_id.empty() || claims.participant_id.empty() ||
      claims.role == v1::ROLE_UNSPECIFIED)
    return token_error::malformed;
  if (claims.expires_at_s != 0 && claims.expires_at_s <= now_s) return token_error::expired;
  return claims;
}

}  // namespace majlis::app
