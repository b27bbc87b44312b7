#include "app/api_routes.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <spdlog/spdlog.h>

#include "app/join_token.hpp"
#include "app/wall_clock.hpp"
#include "app/minutes.hpp"
#include "domain/decider.hpp"
#include "domain/limits.hpp"
#include "domain/state_lookup.hpp"
#include "domain/text_rules.hpp"

namespace majlis::app {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// The credential of an `Authorization: <scheme> …` header; empty when there is none or it has
// another scheme. "Bearer" carries an admin key or a token, "Invite" an invite code.
std::string_view authorization_of(const net::http_request& request, std::string_view scheme) {
  auto it = request.headers.find("authorization");
  if (it == request.headers.end()) return {};
  std::string_view value = it->second;
  if (value.size() <= scheme.size() || !value.starts_with(scheme) || value[scheme.size()] != ' ')
    return {};
  return value.substr(scheme.size() + 1);
}

std::string_view bearer_of(const net::http_request& request) {
  return authorization_of(request, "Bearer");
}

// Credentials never travel in a URL: proxies log it, browsers keep it in history and send it
// on in Referer headers. A query that holds one is refused, so no client comes to rely on it.
bool has_credential_in_query(const net::http_request& request) {
  for (const char* name : {"token", "invite", "key"})
    if (request.query.contains(name)) return true;
  return false;
}

// A page link: the meeting id in the query, the credential in the fragment, which browsers
// never send to a server (README "Links").
std::string page_link(std::string_view base, std::string_view page, std::string_view meeting_id,
                      std::string_view credential_name, std::string_view credential) {
  return std::string(base) + "/" + std::string(page) + "?meeting=" + std::string(meeting_id) +
         "#" + std::string(credential_name) + "=" + std::string(credential);
}

net::http_response json_response(unsigned status, const json::value& body) {
  net::http_response response;
  response.status = status;
  response.body = json::serialize(body);
  return response;
}

net::http_response error_response(unsigned status, std::string_view code, std::string_view message) {
  return json_response(status, {{"error", {{"code", code}, {"message", message}}}});
}

std::string string_field(const json::object& o, std::string_view key) {
  if (auto* v = o.if_contains(key); v && v->is_string()) return std::string(v->as_string());
  return {};
}

std::vector<std::string> string_list(const json::object& o, std::string_view key) {
  std::vector<std::string> out;
  if (auto* v = o.if_contains(key); v && v->is_array())
    for (const auto& item : v->as_array())
      if (item.is_string()) out.emplace_back(item.as_string());
  return out;
}

// Parses a JSON object body, or says why not.
std::optional<json::object> parse_object(const std::string& body, net::http_response& error) {
  boost::system::error_code ec;
  auto value = json::parse(body.empty() ? std::string_view("{}") : std::string_view(body), ec);
  if (ec || !value.is_object()) {
    error = error_response(400, "INVALID_ARGUMENT", "the body must be a JSON object in UTF-8");
    return std::nullopt;
  }
  return std::move(value.as_object());
}

std::string_view status_name(v1::MeetingStatus status) {
  switch (status) {
    case v1::MEETING_STATUS_SCHEDULED: return "scheduled";
    case v1::MEETING_STATUS_LIVE: return "live";
    case v1::MEETING_STATUS_ENDED: return "ended";
    default: return "unknown";
  }
}

// /api/meetings/{id}[/{action}] -> {id, action}
std::pair<std::string, std::string> meeting_path(std::string_view path) {
  constexpr std::string_view prefix = "/api/meetings/";
  if (!path.starts_with(prefix)) return {};
  path.remove_prefix(prefix.size());
  const auto slash = path.find('/');
  if (slash == std::string_view::npos) return {std::string(path), ""};
  return {std::string(path.substr(0, slash)), std::string(path.substr(slash + 1))};
}

}  // namespace

api_routes::api_routes(meeting_registry& registry, const server_config& config,
                       app_metrics& metrics, std::function<std::string()> transport_metrics)
    : registry_(registry),
      config_(config),
      metrics_(metrics),
      transport_metrics_(std::move(transport_metrics)) {}

std::variant<export_reader, net::http_response> api_routes::export_reader_of(
    const net::http_request& request, const std::string& meeting_id) const {
  if (is_admin(request)) return export_reader::operator_admin;
  const std::string token(bearer_of(request));
  const auto unauthenticated = error_response(
      401, "UNAUTHENTICATED", "an admin key or a moderator token of this meeting is required");
  if (token.empty()) return unauthenticated;
  auto verified = verify_token(token, config_.signing_secret, unix_seconds());
  const auto* claims = std::get_if<token_claims>(&verified);
  if (claims == nullptr) return unauthenticated;
  if (claims->meeting_id != meeting_id)
    return error_response(403, "PERMISSION_DENIED", "the token is for another meeting");
  if (claims->role != v1::ROLE_MODERATOR)
    return error_response(403, "PERMISSION_DENIED",
                          "only a moderator or the admin may export a meeting");
  return export_reader::moderator;
}

bool api_routes::is_admin(const net::http_request& request) const {
  std::string_view key;
  if (request.headers.contains("authorization")) {
    key = bearer_of(request);
  } else if (auto it2 = request.headers.find("x-admin-key"); it2 != request.headers.end()) {
    key = it2->second;
  }
  return !key.empty() && constant_time_equal(key, config_.admin_key);
}

std::string api_routes::invite_code(const std::string& meeting_id,
                                    const std::string& nonce) const {
  // Derived, not stored: every instance with the same secret checks it the same way, and a
  // new nonce in the state (RotateInviteCode) voids every earlier code at once.
  const std::string message =
      nonce.empty() ? "invite:" + meeting_id : "invite:" + meeting_id + ":" + nonce;
  return hmac_base64url(config_.signing_secret, message).substr(0, 22);
}

json::object api_routes::meeting_links(const std::string& meeting_id, const std::string& invite,
                                       const std::string& display_token,
                                       const std::string& observer_token,
                                       const std::string& moderator_token) const {
  const auto& base = config_.public_url;
  json::object links;
  if (!moderator_token.empty())
    links["moderator"] = page_link(base, "console.html", meeting_id, "token", moderator_token);
  links["participant"] = page_link(base, "join.html", meeting_id, "invite", invite);
  links["display"] = page_link(base, "display.html", meeting_id, "token", display_token);
  links["observer"] = page_link(base, "display.html", meeting_id, "token", observer_token);
  return links;
}

std::optional<token_claims> api_routes::meeting_token(std::string_view token,
                                                      const std::string& meeting_id) const {
  if (token.empty()) return std::nullopt;
  auto verified = verify_token(token, config_.signing_secret, unix_seconds());
  auto* claims = std::get_if<token_claims>(&verified);
  if (claims == nullptr || claims->meeting_id != meeting_id) return std::nullopt;
  return std::move(*claims);
}

asio::awaitable<bool> api_routes::token_holder_removed(const net::http_request& request,
                                                     const std::string& meeting_id) {
  const auto claims = meeting_token(bearer_of(request), meeting_id);
  if (!claims) co_return false;
  auto replica = co_await registry_.open(meeting_id);
  if (!replica) co_return false;
  const auto state = co_await replica->state_copy();
  const auto* participant = domain::find_participant(state, claims->participant_id);
  co_return participant != nullptr && participant->admission() == v1::ADMISSION_STATUS_REMOVED;
}

asio::awaitable<bool> api_routes::invite_valid(const std::string& meeting_id, std::string invite) {
  if (invite.empty()) co_return false;
  auto replica = co_await registry_.open(meeting_id);
  if (!replica) co_return false;
  const auto state = co_await replica->state_copy();
  co_return constant_time_equal(invite,
                                invite_code(meeting_id, state.settings().admission().invite_nonce()));
}

std::string api_routes::token_for(const std::string& meeting_id,
                                  const std::string& participant_id, v1::Role role,
                                  const std::string& name, const std::string& group,
                                  v1::Attendance attendance) const {
  token_claims claims;
  claims.meeting_id = meeting_id;
  claims.participant_id = participant_id;
  claims.display_name = name;
  claims.role = role;
  claims.stakeholder_group = group;
  claims.attendance = attendance;
  claims.issued_at_s = unix_seconds();
  claims.expires_at_s = claims.issued_at_s + config_.token_ttl.count();
  return sign_token(claims, config_.signing_secret);
}

asio::awaitable<net::http_response> api_routes::handle(net::http_request request) {
  const auto& path = request.path;
  if (has_credential_in_query(request))
    co_return error_response(400, "INVALID_ARGUMENT",
                             "credentials go in the Authorization header, not the URL");
  if (path == "/healthz") co_return json_response(200, {{"status", "ok"}});
  if (path == "/readyz") {
    const bool ready = registry_.log().ready();
    co_return json_response(ready ? 200 : 503, {{"ready", ready}});
  }
  if (path == "/metrics") {
    net::http_response response;
    response.content_type = "text/plain; version=0.0.4";
    response.body = metrics_.render() + (transport_metrics_ ? transport_metrics_() : "");
    co_return response;
  }
  if (path == "/api/meetings") {
    if (request.method != "POST" && request.method != "GET")
      co_return error_response(405, "INVALID_ARGUMENT", "use GET or POST");
    if (!is_admin(request))
      co_return error_response(401, "UNAUTHENTICATED", "an admin key is required");
    if (request.method == "GET") co_return co_await list_meetings();
    co_return co_await create_meeting(request.body);
  }
  auto [meeting_id, action] = meeting_path(path);
  if (meeting_id.empty()) co_return error_response(404, "NOT_FOUND", "no such route");

  // Who may read a meeting: the admin, a valid token of that meeting, or its invite code.
  const auto may_read = [&](bool moderators_only) {
    if (is_admin(request)) return true;
    const auto claims = meeting_token(bearer_of(request), meeting_id);
    // An invite code is checked against the state's nonce (invite_valid).
    return claims && (!moderators_only || claims->role == v1::ROLE_MODERATOR);
  };

  // A removed participant's tokens are refused here as on /ws (their signature stays valid).
  const auto removed_refusal = error_response(403, "PERMISSION_DENIED",
                                              "the chair removed you from this meeting");
  const bool reads = request.method == "GET" && action != "admission";
  if (reads && !is_admin(request)) {
    const bool removed = co_await token_holder_removed(request, meeting_id);
    if (removed) co_return removed_refusal;
  }

  if (action.empty() && request.method == "GET") {
    // The invite code is checked against the current nonce, which the state holds.
    bool allowed = may_read(false);
    if (!allowed)
      allowed = co_await invite_valid(meeting_id, std::string(authorization_of(request, "Invite")));
    if (!allowed)
      co_return error_response(401, "UNAUTHENTICATED", "an admin key, token or invite code is required");
    co_return co_await summary(meeting_id);
  }
  if (action == "admission" && request.method == "GET")
    co_return co_await admission(meeting_id, bearer_of(request));
  if (action == "links" && request.method == "GET") {
    // Like the export: the admin key, or a moderator token of this meeting, as a Bearer.
    auto reader = export_reader_of(request, meeting_id);
    if (auto* refusal = std::get_if<net::http_response>(&reader)) co_return std::move(*refusal);
    co_return co_await links(meeting_id);
  }
  if (action == "minutes" && request.method == "GET") {
    if (!may_read(true))
      co_return error_response(401, "UNAUTHENTICATED", "an admin key or a moderator token is required");
    // ?lang=ar: the minutes in Arabic; anything else is English.
    const auto lang = request.query.find("lang");
    std::string language = lang == request.query.end() ? std::string("en") : lang->second;
    co_return co_await minutes(meeting_id, std::move(language));
  }
  if (action == "export" && request.method == "GET") {
    auto reader = export_reader_of(request, meeting_id);
    if (auto* refusal = std::get_if<net::http_response>(&reader)) co_return std::move(*refusal);
    co_return co_await export_log(meeting_id, std::get<export_reader>(reader));
  }
  if (action == "tokens" && request.method == "POST") {
    if (!is_admin(request))
      co_return error_response(401, "UNAUTHENTICATED", "an admin key is required");
    co_return co_await issue_token(meeting_id, request.body);
  }
  if (action == "register" && request.method == "POST")
    co_return co_await register_participant(meeting_id, request.body);
  co_return error_response(404, "NOT_FOUND", "no such route");
}

asio::awaitable<net::http_response> api_routes::create_meeting(std::string body) {
  net::http_response error;
  auto request = parse_object(body, error);
  if (!request) co_return error;
  const auto title = string_field(*request, "title");
  if (auto problem = domain::check_text(title, domain::limits::max_title_chars, "The title"))
    co_return error_response(400, "INVALID_ARGUMENT", problem->message);
  auto languages = string_list(*request, "languages");
  if (languages.empty()) languages = {"ar", "en"};
  auto groups = string_list(*request, "stakeholderGroups");
  if (groups.empty()) groups = domain::default_stakeholder_groups();
  if (languages.size() > domain::limits::max_languages ||
      groups.size() > domain::limits::max_stakeholder_groups)
    co_return error_response(400, "INVALID_ARGUMENT", "too many languages or stakeholder groups");
  for (const auto& language : languages)
    if (auto problem = domain::check_text(language, domain::limits::max_language_chars, "A language"))
      co_return error_response(400, "INVALID_ARGUMENT", problem->message);
  for (const auto& group : groups)
    if (auto problem = domain::check_text(group, domain::limits::max_group_name_chars, "A stakeholder group"))
      co_return error_response(400, "INVALID_ARGUMENT", problem->message);

  const auto meeting_id = random_id(10);
  const auto now_ms = unix_millis();
  auto status = co_await registry_.create(
      meeting_id, domain::meeting_created(meeting_id, title, languages, groups, now_ms));
  if (status == store::append_status::too_large)
    co_return error_response(429, "RESOURCE_EXHAUSTED", "the server holds its maximum number of meetings");
  if (status != store::append_status::ok)
    co_return error_response(503, "UNAVAILABLE", "the event store is unavailable");

  const auto moderator = token_for(meeting_id, "chair-" + random_id(8), v1::ROLE_MODERATOR, "Chair", "", v1::ATTENDANCE_IN_ROOM);
  const auto display = token_for(meeting_id, "display-" + random_id(8), v1::ROLE_DISPLAY, "Room display", "", v1::ATTENDANCE_IN_ROOM);
  const auto observer = token_for(meeting_id, "observer-" + random_id(8), v1::ROLE_OBSERVER, "Observer", "", v1::ATTENDANCE_REMOTE);
  const auto invite = invite_code(meeting_id, "");  // a new meeting has no nonce yet
  spdlog::info("event=meeting_created meeting={}", meeting_id);
  co_return json_response(
      201, {{"meetingId", meeting_id},
            {"title", title},
            {"inviteCode", invite},
            {"links", meeting_links(meeting_id, invite, display, observer, moderator)},
            {"tokens", {{"moderator", moderator}, {"display", display}, {"observer", observer}}}});
}

asio::awaitable<net::http_response> api_routes::list_meetings() {
  const auto ids = co_await registry_.log().meeting_ids();
  if (!ids) co_return error_response(503, "UNAVAILABLE", "the event store is unavailable");
  json::array meetings;
  for (const auto& id : *ids) {
    auto replica = co_await registry_.open(id);
    if (!replica) continue;  // lost from the store since it was listed
    const auto state = co_await replica->state_copy();
    // The chair who has joined, so the console can open the meeting as that same person (a
    // token with this participantId) instead of adding a second "Chair" to the roster.
    const v1::Participant* chair = nullptr;
    for (const auto& p : state.participants())
      if (p.role() == v1::ROLE_MODERATOR && chair == nullptr) chair = &p;
    meetings.push_back(json::object{{"meetingId", state.meeting_id()},
                                    {"title", state.title()},
                                    {"status", status_name(state.status())},
                                    {"createdAtMs", state.created_at_ms()},
                                    {"chairId", chair ? chair->id() : std::string()},
                                    {"chairName", chair ? chair->display_name() : std::string()}});
  }
  // Newest first: the meeting a chair just made (or the demo) is at the top.
  std::stable_sort(meetings.begin(), meetings.end(), [](const json::value& a, const json::value& b) {
    return a.as_object().at("createdAtMs").as_int64() > b.as_object().at("createdAtMs").as_int64();
  });
  co_return json_response(200, {{"meetings", std::move(meetings)}});
}

asio::awaitable<net::http_response> api_routes::links(const std::string& meeting_id) {
  auto replica = co_await registry_.open(meeting_id);
  if (!replica) co_return error_response(404, "NOT_FOUND", "no such meeting");
  const auto state = co_await replica->state_copy();
  const auto invite = invite_code(meeting_id, state.settings().admission().invite_nonce());
  // Fresh display and observer tokens: the links of the creation may have been shared widely.
  const auto display = token_for(meeting_id, "display-" + random_id(8), v1::ROLE_DISPLAY, "Room display", "", v1::ATTENDANCE_IN_ROOM);
  const auto observer = token_for(meeting_id, "observer-" + random_id(8), v1::ROLE_OBSERVER, "Observer", "", v1::ATTENDANCE_REMOTE);
  co_return json_response(
      200, {{"meetingId", meeting_id},
            {"inviteCode", invite},
            {"links", meeting_links(meeting_id, invite, display, observer, "")},
            {"tokens", {{"display", display}, {"observer", observer}}}});
}

asio::awaitable<net::http_response> api_routes::admission(const std::string& meeting_id,
                                                          std::string_view token) {
  const auto unauthenticated =
      error_response(401, "UNAUTHENTICATED", "a token of this meeting is required (Authorization: Bearer)");
  const auto claims = meeting_token(token, meeting_id);
  if (!claims) co_return unauthenticated;
  auto replica = co_await registry_.open(meeting_id);
  if (!replica) co_return error_response(404, "NOT_FOUND", "no such meeting");
  const auto state = co_await replica->state_copy();
  // Not on the roster yet: an admin-issued token, admitted when it first connects.
  std::string_view standing = "admitted";
  if (const auto* participant = domain::find_participant(state, claims->participant_id)) {
    if (participant->admission() == v1::ADMISSION_STATUS_LOBBY) standing = "lobby";
    if (participant->admission() == v1::ADMISSION_STATUS_REMOVED) standing = "removed";
  }
  co_return json_response(200, {{"participantId", claims->participant_id}, {"admission", standing}});
}

asio::awaitable<net::http_response> api_routes::issue_token(const std::string& meeting_id,
                                                            const std::string& body) {
  net::http_response error;
  auto request = parse_object(body, error);
  if (!request) co_return error;
  auto replica = co_await registry_.open(meeting_id);
  if (!replica) co_return error_response(404, "NOT_FOUND", "no such meeting");
  const auto role = role_from_name(string_field(*request, "role"));
  if (role == v1::ROLE_UNSPECIFIED)
    co_return error_response(400, "INVALID_ARGUMENT", "role must be moderator, participant, display or observer");
  auto name = string_field(*request, "name");
  if (name.empty()) name = std::string(role_name(role));
  if (auto problem = domain::check_text(name, domain::limits::max_display_name_chars, "The name"))
    co_return error_response(400, "INVALID_ARGUMENT", problem->message);
  auto participant_id = string_field(*request, "participantId");
  if (participant_id.empty()) participant_id = random_id(12);
  if (participant_id.size() > 64)
    co_return error_response(400, "INVALID_ARGUMENT", "participantId is longer than 64 bytes");
  const auto group = string_field(*request, "stakeholderGroup");
  if (auto problem = domain::check_text(group, domain::limits::max_group_name_chars,
                                        "The stakeholder group", domain::text_presence::optional))
    co_return error_response(400, "INVALID_ARGUMENT", problem->message);
  // The same rule as self-registration: a group the meeting does not have would let a token
  // skew the queue's balancing and the equity figures.
  const auto groups = co_await replica->stakeholder_groups();
  if (!group.empty() && std::find(groups.begin(), groups.end(), group) == groups.end())
    co_return error_response(400, "INVALID_ARGUMENT", "unknown stakeholder group: " + group);
  auto attendance = attendance_from_name(string_field(*request, "attendance"));
  if (attendance == v1::ATTENDANCE_UNSPECIFIED) attendance = v1::ATTENDANCE_REMOTE;
  co_return json_response(
      200, {{"participantId", participant_id},
            {"token", token_for(meeting_id, participant_id, role, name, group, attendance)}});
}

asio::awaitable<net::http_response> api_routes::register_participant(const std::string& meeting_id,
                                                                     const std::string& body) {
  net::http_response error;
  auto request = parse_object(body, error);
  if (!request) co_return error;
  const auto invalid_invite =
      error_response(401, "UNAUTHENTICATED", "the invite code is not valid for this meeting");
  auto replica = co_await registry_.open(meeting_id);
  if (!replica) {
    // Only a holder of a real code (of a meeting since deleted) learns that it does not exist.
    if (!constant_time_equal(string_field(*request, "invite"), invite_code(meeting_id, "")))
      co_return invalid_invite;
    co_return error_response(404, "NOT_FOUND", "no such meeting");
  }
  const auto state = co_await replica->state_copy();
  const auto nonce = state.settings().admission().invite_nonce();
  if (!constant_time_equal(string_field(*request, "invite"), invite_code(meeting_id, nonce)))
    co_return invalid_invite;
  auto attendance = attendance_from_name(string_field(*request, "attendance"));
  if (attendance == v1::ATTENDANCE_UNSPECIFIED) attendance = v1::ATTENDANCE_REMOTE;
  const auto participant_id = random_id(12);
  const auto name = string_field(*request, "name");
  // Checked here too, so a bad request costs no trip through the commit pipeline.
  if (auto problem = domain::check_text(name, domain::limits::max_display_name_chars, "The name"))
    co_return error_response(400, "INVALID_ARGUMENT", problem->message);
  const auto group = string_field(*request, "stakeholderGroup");
  // Decided and committed like any command, so the mode, the cap and the nonce are checked
  // against the meeting as it is when the registration is appended, on every instance.
  v1::Command command;
  auto& registration = *command.mutable_register_participant();
  registration.set_participant_id(participant_id);
  registration.set_display_name(name);
  registration.set_stakeholder_group(group);
  registration.set_attendance(attendance);
  registration.set_invite_nonce(nonce);
  auto outcome = co_await replica->decide_system(std::move(command));
  if (auto* refused = std::get_if<domain::rejection>(&outcome)) {
    spdlog::info("event=registration_refused meeting={} code={} reason=\"{}\"", meeting_id,
                 v1::ErrorCode_Name(refused->code), refused->message);
    switch (refused->code) {
      case v1::ERROR_CODE_RESOURCE_EXHAUSTED:
        co_return error_response(429, "RESOURCE_EXHAUSTED", refused->message);
      case v1::ERROR_CODE_FAILED_PRECONDITION:
        co_return error_response(403, "FAILED_PRECONDITION", refused->message);
      case v1::ERROR_CODE_UNAUTHENTICATED:
        co_return error_response(401, "UNAUTHENTICATED", refused->message);
      case v1::ERROR_CODE_INVALID_ARGUMENT:
        co_return error_response(400, "INVALID_ARGUMENT", refused->message);
      case v1::ERROR_CODE_NOT_FOUND:
        co_return error_response(404, "NOT_FOUND", refused->message);
      default:
        co_return error_response(503, "UNAVAILABLE", refused->message);
    }
  }
  const auto& events = std::get<std::vector<v1::Event>>(outcome);
  const bool in_lobby = !events.empty() && events.front().has_participant_registered() &&
                        events.front().participant_registered().participant().admission() ==
                            v1::ADMISSION_STATUS_LOBBY;
  spdlog::info("event=registered meeting={} participant={} lobby={}", meeting_id, participant_id,
               in_lobby);
  co_return json_response(
      200, {{"participantId", participant_id},
            {"token", token_for(meeting_id, participant_id, v1::ROLE_PARTICIPANT, name, group,
                                attendance)},
            {"admission", in_lobby ? "lobby" : "admitted"}});
}

asio::awaitable<net::http_response> api_routes::summary(const std::string& meeting_id) {
  auto replica = co_await registry_.open(meeting_id);
  if (!replica) co_return error_response(404, "NOT_FOUND", "no such meeting");
  const auto state = co_await replica->state_copy();
  json::array languages, groups;
  for (const auto& l : state.languages()) languages.emplace_back(l);
  for (const auto& g : state.stakeholder_groups()) groups.emplace_back(g);
  size_t online = 0;
  for (const auto& p : state.participants()) online += p.online() ? 1 : 0;
  std::string current_item;
  for (const auto& item : state.agenda())
    if (item.id() == state.current_item_id()) current_item = item.title();
  co_return json_response(200, {{"meetingId", state.meeting_id()},
                                {"title", state.title()},
                                {"status", status_name(state.status())},
                                {"languages", languages},
                                {"stakeholderGroups", groups},
                                {"participants", state.participants_size()},
                                {"online", online},
                                {"audience", domain::audience_online(state)},
                                {"agendaItems", state.agenda_size()},
                                {"currentItem", current_item},
                                {"polls", state.polls_size()},
                                {"contributions", state.contributions_size()},
                                {"seq", state.seq()}});
}

asio::awaitable<net::http_response> api_routes::minutes(const std::string& meeting_id,
                                                       std::string language) {
  auto replica = co_await registry_.open(meeting_id);
  if (!replica) co_return error_response(404, "NOT_FOUND", "no such meeting");
  net::http_response response;
  response.content_type = "text/markdown; charset=utf-8";
  const auto state = co_await replica->state_copy();
  response.body = render_minutes(state, language);
  co_return response;
}

asio::awaitable<net::http_response> api_routes::export_log(const std::string& meeting_id,
                                                           export_reader reader) {
  auto result = co_await export_meeting(registry_.log(), meeting_id, reader, unix_millis(),
                                            config_.signing_secret);
  switch (result.status) {
    case export_status::ok:
      break;
    case export_status::not_found:
      co_return error_response(404, "NOT_FOUND", "no such meeting");
    case export_status::unavailable:
      co_return error_response(503, "UNAVAILABLE", result.problem);
    case export_status::broken:
      spdlog::error("event=export_failed meeting={} problem=\"{}\"", meeting_id, result.problem);
      co_return error_response(500, "INTERNAL", result.problem);
  }
  spdlog::info("event=meeting_exported meeting={} reader={} bytes={}", meeting_id,
               reader == export_reader::moderator ? "moderator" : "admin", result.body.size());
  net::http_response response;
  response.content_type = "application/x-ndjson; charset=utf-8";
  response.headers.emplace_back("Cache-Control", "no-store");
  response.body = std::move(result.body);
  co_return response;
}

}  // namespace majlis::app
