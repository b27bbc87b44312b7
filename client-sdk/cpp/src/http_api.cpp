#include "majlis/client/http_api.hpp"

#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/version.hpp>
#include <boost/json.hpp>

#include "majlis/client/server_url.hpp"

namespace majlis::client {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

json::array string_array(const std::vector<std::string>& items) {
  json::array out;
  for (const auto& item : items) out.emplace_back(item);
  return out;
}

// Adds key: value unless value is empty (the server treats a missing field as "default").
void put_if_set(json::object& object, std::string_view key, const std::string& value) {
  if (!value.empty()) object[key] = value;
}

std::optional<json::object> parse_object(const std::string& text) {
  boost::system::error_code ec;
  auto value = json::parse(text, ec);
  if (ec || !value.is_object()) return std::nullopt;
  return std::move(value.as_object());
}

std::string string_at(const json::object& object, std::string_view key) {
  if (const auto* value = object.if_contains(key); value != nullptr && value->is_string())
    return std::string(value->as_string());
  return {};
}

const json::object* object_at(const json::object& object, std::string_view key) {
  if (const auto* value = object.if_contains(key); value != nullptr && value->is_object())
    return &value->as_object();
  return nullptr;
}

template <class T, class Parse>
http_result<T> interpret(http_reply reply, Parse parse) {
  http_result<T> result;
  if (reply.ok()) result.value = parse(reply.body);
  result.reply = std::move(reply);
  return result;
}

std::string meeting_target(const std::string& meeting_id, std::string_view action) {
  std::string target = "/api/meetings/" + percent_encode(meeting_id);
  if (!action.empty()) target += "/" + std::string(action);
  return target;
}

}  // namespace

std::string http_reply::error_code() const {
  if (transport_error) return "UNAVAILABLE";
  if (const auto body_object = parse_object(body)) {
    if (const auto* error = object_at(*body_object, "error")) {
      if (auto code = string_at(*error, "code"); !code.empty()) return code;
    }
  }
  return "HTTP_" + std::to_string(status);
}

std::string http_reply::error_message() const {
  if (transport_error) return transport_error.message();
  if (const auto body_object = parse_object(body)) {
    if (const auto* error = object_at(*body_object, "error")) {
      if (auto message = string_at(*error, "message"); !message.empty()) return message;
    }
  }
  return body;
}

std::string to_json(const meeting_spec& spec) {
  json::object object;
  object["title"] = spec.title;
  if (!spec.languages.empty()) object["languages"] = string_array(spec.languages);
  if (!spec.stakeholder_groups.empty())
    object["stakeholderGroups"] = string_array(spec.stakeholder_groups);
  return json::serialize(object);
}

std::string to_json(const token_request& request) {
  json::object object;
  object["role"] = request.role;
  put_if_set(object, "name", request.name);
  put_if_set(object, "stakeholderGroup", request.stakeholder_group);
  put_if_set(object, "attendance", request.attendance);
  put_if_set(object, "participantId", request.participant_id);
  return json::serialize(object);
}

std::string to_json(const registration& request) {
  json::object object;
  object["invite"] = request.invite;
  object["name"] = request.name;
  put_if_set(object, "stakeholderGroup", request.stakeholder_group);
  put_if_set(object, "attendance", request.attendance);
  return json::serialize(object);
}

std::optional<created_meeting> parse_created_meeting(const std::string& text) {
  const auto object = parse_object(text);
  if (!object) return std::nullopt;
  created_meeting meeting;
  meeting.meeting_id = string_at(*object, "meetingId");
  if (meeting.meeting_id.empty()) return std::nullopt;
  meeting.invite_code = string_at(*object, "inviteCode");
  if (const auto* links = object_at(*object, "links")) {
    meeting.links.moderator = string_at(*links, "moderator");
    meeting.links.participant = string_at(*links, "participant");
    meeting.links.display = string_at(*links, "display");
    meeting.links.observer = string_at(*links, "observer");
  }
  if (const auto* tokens = object_at(*object, "tokens")) {
    meeting.tokens.moderator = string_at(*tokens, "moderator");
    meeting.tokens.display = string_at(*tokens, "display");
    meeting.tokens.observer = string_at(*tokens, "observer");
  }
  return meeting;
}

std::optional<issued_token> parse_issued_token(const std::string& text) {
  const auto object = parse_object(text);
  if (!object) return std::nullopt;
  issued_token issued;
  issued.participant_id = string_at(*object, "participantId");
  issued.token = string_at(*object, "token");
  if (issued.token.empty()) return std::nullopt;
  return issued;
}

http_api::http_api(asio::any_io_executor executor, http_api_config config)
    : executor_(std::move(executor)), config_(std::move(config)) {}

asio::awaitable<http_result<created_meeting>> http_api::create_meeting(meeting_spec spec) {
  auto reply = co_await request("POST", "/api/meetings", to_json(spec), config_.admin_key);
  co_return interpret<created_meeting>(std::move(reply), parse_created_meeting);
}

asio::awaitable<http_result<issued_token>> http_api::issue_token(std::string meeting_id,
                                                                 token_request body) {
  auto reply = co_await request("POST", meeting_target(meeting_id, "tokens"), to_json(body),
                                config_.admin_key);
  co_return interpret<issued_token>(std::move(reply), parse_issued_token);
}

asio::awaitable<http_result<issued_token>> http_api::register_participant(std::string meeting_id,
                                                                          registration body) {
  auto reply = co_await request("POST", meeting_target(meeting_id, "register"), to_json(body), {});
  co_return interpret<issued_token>(std::move(reply), parse_issued_token);
}

asio::awaitable<http_reply> http_api::meeting_summary(std::string meeting_id, std::string token) {
  // The credential goes in the Authorization header, never the URL (README "HTTP API").
  std::string bearer = token.empty() ? config_.admin_key : std::move(token);
  co_return co_await request("GET", meeting_target(meeting_id, ""), {}, std::move(bearer));
}

asio::awaitable<http_reply> http_api::minutes(std::string meeting_id, std::string token) {
  std::string bearer = token.empty() ? config_.admin_key : std::move(token);
  co_return co_await request("GET", meeting_target(meeting_id, "minutes"), {}, std::move(bearer));
}

asio::awaitable<http_reply> http_api::export_meeting(std::string meeting_id, std::string token) {
  std::string bearer = token.empty() ? config_.admin_key : std::move(token);
  co_return co_await request("GET", meeting_target(meeting_id, "export"), {}, std::move(bearer));
}

asio::awaitable<http_reply> http_api::meeting_links(std::string meeting_id, std::string token) {
  std::string bearer = token.empty() ? config_.admin_key : std::move(token);
  co_return co_await request("GET", meeting_target(meeting_id, "links"), {}, std::move(bearer));
}

asio::awaitable<http_reply> http_api::request(std::string method, std::string target,
                                              std::string body, std::string bearer) {
  http_reply reply;
  tcp::resolver resolver(executor_);
  beast::tcp_stream stream(executor_);

  // Resolve and connect.
  auto [resolve_ec, endpoints] = co_await resolver.async_resolve(config_.host, config_.port, use_tuple);
  if (resolve_ec) {
    reply.transport_error = resolve_ec;
    co_return reply;
  }
  stream.expires_after(config_.timeout);
  auto [connect_ec, endpoint] = co_await stream.async_connect(endpoints, use_tuple);
  if (connect_ec) {
    reply.transport_error = connect_ec;
    co_return reply;
  }

  // Send the request.
  http::request<http::string_body> message{http::string_to_verb(method), target, 11};
  const bool ipv6 = config_.host.find(':') != std::string::npos;
  message.set(http::field::host,
              (ipv6 ? "[" + config_.host + "]" : config_.host) + ":" + config_.port);
  message.set(http::field::user_agent, std::string(BOOST_BEAST_VERSION_STRING) + " majlis-client");
  message.set(http::field::accept, "application/json");
  if (!bearer.empty()) message.set(http::field::authorization, "Bearer " + bearer);
  if (!body.empty()) {
    message.set(http::field::content_type, "application/json");
    message.body() = std::move(body);
  }
  message.prepare_payload();
  auto [write_ec, written] = co_await http::async_write(stream, message, use_tuple);
  if (write_ec) {
    reply.transport_error = write_ec;
    co_return reply;
  }

  // Read the answer.
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(config_.max_reply_bytes);
  auto [read_ec, read] = co_await http::async_read(stream, buffer, parser, use_tuple);
  if (read_ec) {
    reply.transport_error = read_ec;
    co_return reply;
  }
  auto response = parser.release();
  reply.status = response.result_int();
  reply.content_type = std::string(response[http::field::content_type]);
  reply.body = std::move(response.body());
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  co_return reply;
}

}  // namespace majlis::client
