// The HTTP API (DESIGN §7): meetings and invite links, tokens, self-registration, the meeting
// summary, minutes and export, and the operator's /healthz, /readyz and /metrics.
#pragma once

#include <functional>
#include <optional>
#include <string_view>

#include <boost/json/object.hpp>
#include <string>
#include <variant>

#include "app/app_metrics.hpp"
#include "app/config.hpp"
#include "app/join_token.hpp"
#include "app/meeting_export.hpp"
#include "app/meeting_registry.hpp"
#include "net/http_types.hpp"

namespace majlis::app {

class api_routes final : public net::http_handler {
 public:
  // `transport_metrics` renders the transport's counters for /metrics.
  api_routes(meeting_registry& registry, const server_config& config, app_metrics& metrics,
             std::function<std::string()> transport_metrics);

  boost::asio::awaitable<net::http_response> handle(net::http_request request) override;

  // The links and tokens a new meeting hands out (also used at start for the demo meeting).
  boost::asio::awaitable<net::http_response> create_meeting(std::string body);

 private:
  boost::asio::awaitable<net::http_response> issue_token(const std::string& meeting_id,
                                                         const std::string& body);
  boost::asio::awaitable<net::http_response> register_participant(const std::string& meeting_id,
                                                                  const std::string& body);
  boost::asio::awaitable<net::http_response> summary(const std::string& meeting_id);
  // GET …/admission: where the bearer of a token stands (a page waiting in the lobby asks).
  boost::asio::awaitable<net::http_response> admission(const std::string& meeting_id,
                                                       std::string_view token);
  // GET /api/meetings: every meeting in the store (id, title, status, creation), for the admin.
  boost::asio::awaitable<net::http_response> list_meetings();
  // GET …/links: the links to re-share (after a rotation), for the admin or a moderator.
  boost::asio::awaitable<net::http_response> links(const std::string& meeting_id);
  // The claims of a valid token of `meeting_id`, or nothing.
  std::optional<token_claims> meeting_token(std::string_view token,
                                            const std::string& meeting_id) const;
  // True when the request carries a Bearer token of a participant the chair removed.
  boost::asio::awaitable<bool> token_holder_removed(const net::http_request& request,
                                                    const std::string& meeting_id);
  // True when `invite` is the meeting's current invite code (it reads the nonce).
  boost::asio::awaitable<bool> invite_valid(const std::string& meeting_id, std::string invite);
  boost::asio::awaitable<net::http_response> minutes(const std::string& meeting_id,
                                                     std::string language);
  boost::asio::awaitable<net::http_response> export_log(const std::string& meeting_id,
                                                        export_reader reader);

  // Who asks for an export: the admin, or a moderator token of the meeting (Authorization:
  // Bearer); otherwise the 401 or 403 to answer.
  std::variant<export_reader, net::http_response> export_reader_of(
      const net::http_request& request, const std::string& meeting_id) const;

  bool is_admin(const net::http_request& request) const;
  // HMAC of the meeting id and the state's invite nonce; an empty nonce gives the code of
  // meetings made before rotation existed, so their links keep working.
  std::string invite_code(const std::string& meeting_id, const std::string& nonce) const;
  // The links a meeting hands out (POST /api/meetings, GET …/links), one place for their format.
  boost::json::object meeting_links(const std::string& meeting_id, const std::string& invite,
                                    const std::string& display_token,
                                    const std::string& observer_token,
                                    const std::string& moderator_token) const;
  std::string token_for(const std::string& meeting_id, const std::string& participant_id,
                        v1::Role role, const std::string& name, const std::string& group,
                        v1::Attendance attendance) const;

  meeting_registry& registry_;
  const server_config& config_;
  app_metrics& metrics_;
  std::function<std::string()> transport_metrics_;
};

}  // namespace majlis::app
