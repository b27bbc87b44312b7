// The HTTP API of majlisd (DESIGN §7) as awaitable calls: create meetings, issue and register
// tokens, read a meeting's summary, minutes and export. One connection per call; plain HTTP
// (no TLS).
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

namespace majlis::client {

struct http_api_config {
  std::string host = "127.0.0.1";
  std::string port = "8080";
  std::string admin_key;  // sent as "Authorization: Bearer <key>" where the endpoint needs it
  std::chrono::milliseconds timeout{10'000};  // per call: connect, write and read
  std::size_t max_reply_bytes = 256u << 20;    // largest answer body read (an export is large)
};

// What came back, before any interpretation. ok() = a 2xx answer arrived.
struct http_reply {
  boost::system::error_code transport_error;  // set when no answer arrived (status is then 0)
  unsigned status = 0;
  std::string content_type;
  std::string body;

  bool ok() const { return !transport_error && status >= 200 && status < 300; }
  // The server's error code ("UNAUTHENTICATED", ...) from {"error": {"code", "message"}}; for a
  // transport failure "UNAVAILABLE"; for a body without it "HTTP_<status>".
  std::string error_code() const;
  // The matching readable message (the transport error's message, or the raw body).
  std::string error_message() const;
};

// A typed answer: `value` is set when the reply was ok and its JSON had the expected shape.
template <class T>
struct http_result {
  http_reply reply;
  std::optional<T> value;
  explicit operator bool() const { return value.has_value(); }
};

// POST /api/meetings body.
struct meeting_spec {
  std::string title;
  std::vector<std::string> languages;           // empty = the server's default
  std::vector<std::string> stakeholder_groups;  // empty = the server's default groups
};

struct role_links {
  std::string moderator;
  std::string participant;
  std::string display;
  std::string observer;
};

struct role_tokens {
  std::string moderator;
  std::string display;
  std::string observer;
};

// POST /api/meetings answer.
struct created_meeting {
  std::string meeting_id;
  role_links links;
  role_tokens tokens;
  std::string invite_code;
};

// POST /api/meetings/{id}/tokens body (admin).
struct token_request {
  std::string role;               // "participant", "moderator", "display" or "observer"
  std::string name;
  std::string stakeholder_group;  // empty = none
  std::string attendance;         // "in_room" or "remote"; empty = the server's default
  std::string participant_id;     // empty = the server picks one
};

// POST /api/meetings/{id}/register body (self-registration from an invite link).
struct registration {
  std::string invite;
  std::string name;
  std::string stakeholder_group;
  std::string attendance;  // "in_room" or "remote"
};

// Answer of both token endpoints.
struct issued_token {
  std::string participant_id;
  std::string token;
};

// Calls run on the given executor; no state is shared between calls, so several may run at
// once. Like meeting_client, use it from its executor only.
class http_api {
 public:
  http_api(boost::asio::any_io_executor executor, http_api_config config);

  const http_api_config& config() const { return config_; }

  boost::asio::awaitable<http_result<created_meeting>> create_meeting(meeting_spec spec);
  boost::asio::awaitable<http_result<issued_token>> issue_token(std::string meeting_id,
                                                                token_request request);
  boost::asio::awaitable<http_result<issued_token>> register_participant(std::string meeting_id,
                                                                         registration request);
  // GET /api/meetings/{id}: with `token` as "Authorization: Bearer" when given, else with the
  // admin key.
  // The summary JSON is the reply body.
  boost::asio::awaitable<http_reply> meeting_summary(std::string meeting_id, std::string token = {});
  // GET /api/meetings/{id}/minutes (Markdown): moderator token or admin key, as above.
  boost::asio::awaitable<http_reply> minutes(std::string meeting_id, std::string token = {});

  // GET /api/meetings/{id}/export (NDJSON, README "HTTP API"): with `token` (a moderator's) as
  // "Authorization: Bearer" when given, else with the admin key.
  boost::asio::awaitable<http_reply> export_meeting(std::string meeting_id, std::string token = {});
  // GET /api/meetings/{id}/links: the participant link with the current invite code, and
  // display and observer links with fresh tokens (a moderator token, else the admin key).
  boost::asio::awaitable<http_reply> meeting_links(std::string meeting_id, std::string token = {});

  // Any request: `target` is the path with its query; `bearer` empty = no Authorization header.
  boost::asio::awaitable<http_reply> request(std::string method, std::string target,
                                             std::string body, std::string bearer);

 private:
  boost::asio::any_io_executor executor_;
  http_api_config config_;
};

// The JSON bodies and their parsing, without I/O (tested on their own).
std::string to_json(const meeting_spec& spec);
std::string to_json(const token_request& request);
std::string to_json(const registration& request);
std::optional<created_meeting> parse_created_meeting(const std::string& json);
std::optional<issued_token> parse_issued_token(const std::string& json);

}  // namespace majlis::client
