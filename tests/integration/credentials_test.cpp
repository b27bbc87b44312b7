// Credentials stay out of URLs, logs and metrics (issue 6, README "Links" and "HTTP API"): a new
// meeting's links carry their token or invite code in the fragment only; the API refuses a
// credential in the query and takes it in the Authorization header; after a whole meeting
// (create, register, join, minutes, export) majlisd's log at trace level and /metrics hold none.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "meeting_fixture.hpp"

namespace majlis::testing {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;

struct raw_reply {
  unsigned status = 0;
  std::string body;
};

// One GET with the Authorization header as given (the C++ client only sends "Bearer").
asio::awaitable<raw_reply> raw_get(std::string port, std::string target, std::string authorization) {
  auto executor = co_await asio::this_coro::executor;
  asio::ip::tcp::resolver resolver(executor);
  beast::tcp_stream stream(executor);
  stream.expires_after(10s);
  const std::string host = "127.0.0.1";
  auto endpoints = co_await resolver.async_resolve(host, port, asio::use_awaitable);
  co_await stream.async_connect(endpoints, asio::use_awaitable);
  http::request<http::empty_body> request{http::verb::get, target, 11};
  request.set(http::field::host, host);
  if (!authorization.empty()) request.set(http::field::authorization, authorization);
  co_await http::async_write(stream, request, asio::use_awaitable);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  co_await http::async_read(stream, buffer, response, asio::use_awaitable);
  raw_reply reply;
  reply.status = response.result_int();
  reply.body = response.body();
  co_return reply;
}

std::string error_message(const std::string& body) {
  boost::system::error_code ec;
  const auto value = json::parse(body, ec);
  if (ec || !value.is_object()) return {};
  const auto* error = value.as_object().if_contains("error");
  if (!error || !error->is_object() || !error->as_object().contains("message")) return {};
  const auto& message = error->as_object().at("message");
  return message.is_string() ? std::string(message.as_string()) : std::string();
}

// A link's query and its fragment.
struct split_link {
  std::string query;
  std::string fragment;
};

split_link split(const std::string& link) {
  split_link out;
  const auto hash = link.find('#');
  const auto before = link.substr(0, hash);
  if (const auto question = before.find('?'); question != std::string::npos)
    out.query = before.substr(question + 1);
  if (hash != std::string::npos) out.fragment = link.substr(hash + 1);
  return out;
}

// A credential and the part of it that is secret: a token's signature (its header and claims are
// not secret on their own), else the whole text.
struct credential {
  std::string what;
  std::string text;
  std::string secret_part() const {
    const auto dot = text.rfind('.');
    return dot == std::string::npos ? text : text.substr(dot + 1);
  }
};

TEST(integration_credentials, stay_out_of_urls_logs_and_metrics) {
  const auto folder = make_temp_folder("majlis-credentials");
  const auto log_file = folder / "majlisd.log";
  std::vector<credential> credentials{{"the admin key", majlisd_process::admin_key}};
  std::string metrics;
  // (Outside the coroutine: GCC 12 mishandles braced arguments across a co_await.)
  const auto keep = [&credentials](const char* what, const std::string& text) {
    credentials.push_back({what, text});
  };
  {
    majlisd_process server({"--log-level", "trace"}, log_file);
    const auto port = server.port_string();
    asio::io_context io;
    client::http_api api(io.get_executor(), {"127.0.0.1", port, majlisd_process::admin_key});
    const auto failure = run_scenario(io, [&]() -> asio::awaitable<void> {
      client::meeting_spec spec;
      spec.title = "Credentials";
      const auto created = co_await api.create_meeting(spec);
      require(bool(created), "create: " + created.reply.body);
      const auto& meeting = *created.value;
      const auto& id = meeting.meeting_id;
      keep("the moderator token", meeting.tokens.moderator);
      keep("the display token", meeting.tokens.display);
      keep("the observer token", meeting.tokens.observer);
      keep("the invite code", meeting.invite_code);

      // The links: the meeting in the query, the credential in the fragment and only there.
      const std::vector<std::pair<std::string, std::string>> links{
          {meeting.links.moderator, "token=" + meeting.tokens.moderator},
          {meeting.links.participant, "invite=" + meeting.invite_code},
          {meeting.links.display, "token=" + meeting.tokens.display},
          {meeting.links.observer, "token=" + meeting.tokens.observer}};
      for (const auto& [link, fragment] : links) {
        const auto parts = split(link);
        require(parts.query == "meeting=" + id, "a link's query is not just the meeting: " + link);
        require(parts.fragment == fragment, "a link's fragment is not its credential: " + link);
      }

      // A credential in the query is refused, whatever it is and whether it is valid.
      const auto base = "/api/meetings/" + id;
      const std::vector<std::string> in_query{
          base + "?token=" + meeting.tokens.moderator, base + "?invite=" + meeting.invite_code,
          base + "/minutes?token=" + meeting.tokens.moderator,
          base + "/export?token=" + meeting.tokens.moderator,
          base + "?key=" + std::string(majlisd_process::admin_key), base + "?token=nonsense"};
      for (const auto& target : in_query) {
        const auto reply = co_await raw_get(port, target, std::string());
        require(reply.status == 400, target + ": " + std::to_string(reply.status));
        require(error_message(reply.body) ==
                    "credentials go in the Authorization header, not the URL",
                target + ": " + reply.body);
      }
      // ... even next to a good header.
      const auto both = co_await raw_get(port, base + "?token=" + meeting.tokens.moderator,
                                         "Bearer " + meeting.tokens.moderator);
      require(both.status == 400, "a token in the query and the header: " + std::to_string(both.status));

      // In the Authorization header they work: Bearer for a token or the admin key, Invite for
      // the invite code.
      auto reply = co_await raw_get(port, base, "Bearer " + meeting.tokens.display);
      require(reply.status == 200, "summary with Bearer token: " + std::to_string(reply.status));
      reply = co_await raw_get(port, base, "Invite " + meeting.invite_code);
      require(reply.status == 200, "summary with Invite: " + std::to_string(reply.status));
      reply = co_await raw_get(port, base, "Invite not-the-code");
      require(reply.status == 401, "summary with a wrong invite: " + std::to_string(reply.status));
      reply = co_await raw_get(port, base, "Bearer " + meeting.invite_code);
      require(reply.status == 401, "the invite code as a Bearer: " + std::to_string(reply.status));
      reply = co_await raw_get(port, base + "/minutes", "Bearer " + meeting.tokens.moderator);
      require(reply.status == 200, "minutes with Bearer: " + std::to_string(reply.status));
      reply = co_await raw_get(port, base + "/minutes", "Invite " + meeting.invite_code);
      require(reply.status == 401, "minutes with the invite: " + std::to_string(reply.status));

      // A whole meeting: register (the invite in the body), a token from the admin, everyone
      // joins, a command, minutes and exports.
      client::registration registration{meeting.invite_code, "Amal", "", "remote"};
      const auto registered = co_await api.register_participant(id, registration);
      require(bool(registered), "register: " + registered.reply.body);
      keep("the registered token", registered.value->token);
      client::token_request request{"participant", "Badr", "", "in_room", ""};
      const auto issued = co_await api.issue_token(id, request);
      require(bool(issued), "issue token: " + issued.reply.body);
      keep("the issued token", issued.value->token);

      test_client chair(io, "chair", "", meeting.tokens.moderator, v1::ROLE_MODERATOR);
      test_client amal(io, "Amal", registered.value->participant_id, registered.value->token,
                       v1::ROLE_PARTICIPANT);
      test_client badr(io, "Badr", issued.value->participant_id, issued.value->token,
                       v1::ROLE_PARTICIPANT);
      test_client room(io, "display", "", meeting.tokens.display, v1::ROLE_DISPLAY);
      co_await connect_and_join(chair, port, id);
      co_await connect_and_join(amal, port, id);
      co_await connect_and_join(badr, port, id);
      co_await connect_and_join(room, port, id);
      co_await must(chair, cmd::start_meeting(), "start");
      // A join with a forged token is refused (and logged as a failure) without the token.
      test_client forger(io, "forger", "", meeting.tokens.observer + "x", v1::ROLE_OBSERVER);
      const auto ec = co_await forger.client->connect("127.0.0.1", port);
      require(!ec, "forger: connect failed");
      const auto forged = co_await forger.client->join(id, forger.token);
      require(!forged.ok, "a forged token joined");

      const auto minutes = co_await api.minutes(id, meeting.tokens.moderator);
      require(minutes.ok(), "minutes: " + std::to_string(minutes.status));
      const auto chair_export = co_await api.export_meeting(id, meeting.tokens.moderator);
      require(chair_export.ok(), "chair export: " + std::to_string(chair_export.status));
      const auto admin_export = co_await api.export_meeting(id);
      require(admin_export.ok(), "admin export: " + std::to_string(admin_export.status));

      reply = co_await raw_get(port, "/metrics", std::string());
      require(reply.status == 200, "/metrics: " + std::to_string(reply.status));
      metrics = reply.body;
    }(), 60s);
    ASSERT_EQ(failure, "");
    EXPECT_EQ(server.stop(), 0);
  }

  const auto log = read_file(log_file);
  std::filesystem::remove_all(folder);
  // The log at trace level says something about the requests, so an empty file cannot pass.
  ASSERT_NE(log.find("level="), std::string::npos) << "majlisd's log is empty";
  ASSERT_FALSE(metrics.empty());
  for (const auto& c : credentials) {
    ASSERT_FALSE(c.text.empty()) << c.what;
    EXPECT_EQ(log.find(c.secret_part()), std::string::npos) << "majlisd's log shows " << c.what;
    EXPECT_EQ(metrics.find(c.secret_part()), std::string::npos) << "/metrics shows " << c.what;
  }
  EXPECT_EQ(log.find(majlisd_process::signing_secret), std::string::npos)
      << "majlisd's log shows the signing secret";
}

}  // namespace
}  // namespace majlis::testing
