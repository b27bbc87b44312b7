// Admission and roster control against real majlisd processes (issue 6):
//   1. vote stuffing through the invite link: refused beyond the cap (429); in approval mode the
//      registrants wait in the lobby (join closed 4010, no vote) until the chair admits them; a
//      rotated invite code is refused at once; closed registration refuses everyone (403);
//   2. two instances sharing one redis-server: the chair on A removes a participant on B; B
//      closes their connection with 4003, their waiting request is gone, their ballot stays
//      counted, their token is refused on both instances, and readmission lets them back in;
//   3. on the durable store, the lobby, a removal and a rotated invite survive a restart.
#include <filesystem>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>

#include "meeting_fixture.hpp"
#include "redis_server_process.hpp"

namespace majlis::testing {
namespace {

namespace fs = std::filesystem;
namespace beast = boost::beast;
namespace http = beast::http;
using steady = std::chrono::steady_clock;

// One GET with the Authorization header as given (the C++ client only sends "Bearer"); the
// status, or 0 when no answer came.
asio::awaitable<unsigned> status_of_get(std::string port, std::string target,
                                        std::string authorization) {
  auto executor = co_await asio::this_coro::executor;
  asio::ip::tcp::resolver resolver(executor);
  beast::tcp_stream stream(executor);
  stream.expires_after(10s);
  const std::string host = "127.0.0.1";
  auto endpoints = co_await resolver.async_resolve(host, port, asio::use_awaitable);
  co_await stream.async_connect(endpoints, asio::use_awaitable);
  http::request<http::empty_body> request{http::verb::get, target, 11};
  request.set(http::field::host, host);
  request.set(http::field::authorization, authorization);
  co_await http::async_write(stream, request, asio::use_awaitable);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  co_await http::async_read(stream, buffer, response, asio::use_awaitable);
  co_return response.result_int();
}

// The string value of "key" in a flat JSON answer (the answers here hold no escapes in them).
std::string json_string(const std::string& body, const std::string& key) {
  const auto at = body.find("\"" + key + "\":\"");
  if (at == std::string::npos) return {};
  const auto begin = at + key.size() + 4;
  const auto end = body.find('"', begin);
  return end == std::string::npos ? std::string() : body.substr(begin, end - begin);
}

std::string describe(const client::http_reply& reply) {
  return std::to_string(reply.status) + " " + reply.body;
}

v1::Command set_registration(v1::RegistrationMode mode, std::uint32_t cap) {
  v1::Command c;
  c.mutable_set_registration()->set_mode(mode);
  c.mutable_set_registration()->set_registration_cap(cap);
  return c;
}
v1::Command rotate_invite() {
  v1::Command c;
  c.mutable_rotate_invite_code();
  return c;
}
v1::Command admit(const std::string& id) {
  v1::Command c;
  c.mutable_admit_participant()->set_participant_id(id);
  return c;
}
v1::Command remove(const std::string& id) {
  v1::Command c;
  c.mutable_remove_participant()->set_participant_id(id);
  return c;
}

struct registered {
  client::http_reply reply;
  std::string participant_id, token, admission;
};

asio::awaitable<registered> register_with(client::http_api& api, const std::string& meeting_id,
                                          const std::string& invite, const std::string& name) {
  registered out;
  out.reply = co_await api.request(
      "POST", "/api/meetings/" + meeting_id + "/register",
      R"({"invite":")" + invite + R"(","name":")" + name + R"(","attendance":"remote"})", "");
  out.participant_id = json_string(out.reply.body, "participantId");
  out.token = json_string(out.reply.body, "token");
  out.admission = json_string(out.reply.body, "admission");
  co_return out;
}

asio::awaitable<std::string> admission_of(client::http_api& api, const std::string& meeting_id,
                                          const std::string& token) {
  auto reply = co_await api.request("GET", "/api/meetings/" + meeting_id + "/admission", "", token);
  require(reply.status == 200, "GET /admission: " + describe(reply));
  co_return json_string(reply.body, "admission");
}

// Joins with `token` and expects the server to close with `code` before any Welcome.
asio::awaitable<void> join_refused(asio::io_context& io, const std::string& port,
                                   const std::string& meeting_id, const std::string& token,
                                   std::uint16_t code, v1::ErrorCode error, const std::string& who) {
  client::meeting_client refused(io.get_executor(), client_config(99, 3));
  const auto ec = co_await refused.connect("127.0.0.1", port);
  require(!ec, who + ": connect failed: " + ec.message());
  const auto joined = co_await refused.join(meeting_id, token);
  require(!joined.ok, who + " joined, but should have been refused with " + std::to_string(code));
  require(joined.close_code == code, who + " was closed with " + std::to_string(joined.close_code) +
                                         " (" + joined.error.ShortDebugString() + "), expected " +
                                         std::to_string(code));
  require(joined.error.code() == error, who + ": the error is " + joined.error.ShortDebugString());
  co_await refused.close();
}

asio::awaitable<client::created_meeting> create(client::http_api& api, const std::string& title) {
  client::meeting_spec spec;
  spec.title = title;
  const auto created = co_await api.create_meeting(spec);
  require(bool(created), "POST /api/meetings failed: " + describe(created.reply));
  co_return *created.value;
}

asio::awaitable<std::string> current_invite(client::http_api& api, const std::string& meeting_id,
                                            const std::string& moderator_token) {
  auto links = co_await api.request("GET", "/api/meetings/" + meeting_id + "/links", "",
                                    moderator_token);
  require(links.status == 200, "GET /links: " + describe(links));
  const auto invite = json_string(links.body, "inviteCode");
  require(!invite.empty(), "GET /links has no inviteCode: " + links.body);
  require(links.body.find("invite=" + invite) != std::string::npos,
          "the participant link does not carry the current invite code: " + links.body);
  co_return invite;
}

TEST(admission, vote_stuffing_is_capped_and_approval_keeps_registrants_in_the_lobby) {
  majlisd_process server;
  asio::io_context io;
  auto api = make_api(io, server.port_string());
  std::unique_ptr<test_client> chair;
  const auto failure = run_scenario(io, [&]() -> asio::awaitable<void> {
    const auto meeting = co_await create(api, "Stuffing");
    const auto& id = meeting.meeting_id;
    chair = std::make_unique<test_client>(io, std::string("chair"), std::string(), meeting.tokens.moderator,
                                          v1::ROLE_MODERATOR, client_config(1, 3));
    co_await connect_and_join(*chair, server.port_string(), id);
    co_await must(*chair, cmd::add_item("Item", "", 10), "add an item");
    co_await must(*chair, cmd::start_meeting(), "start");
    co_await must(*chair, cmd::start_item(chair->state().agenda(0).id()), "start the item");

    // Open with a cap of 3: the fourth registration through the invite link is refused.
    co_await must(*chair, set_registration(v1::REGISTRATION_MODE_OPEN, 3), "cap registrations");
    for (int i = 0; i < 3; ++i) {
      const auto r = co_await register_with(api, id, meeting.invite_code, "Voter " + std::to_string(i));
      require(r.reply.status == 200, "registration " + std::to_string(i) + ": " + describe(r.reply));
      require(r.admission == "admitted", "open registration should admit: " + r.reply.body);
    }
    const auto stuffed = co_await register_with(api, id, meeting.invite_code, "Sock puppet");
    require(stuffed.reply.status == 429 && stuffed.reply.error_code() == "RESOURCE_EXHAUSTED",
            "registration beyond the cap: " + describe(stuffed.reply));

    // Approval: the registrant waits in the lobby, cannot join nor vote, until admitted.
    co_await must(*chair, set_registration(v1::REGISTRATION_MODE_APPROVAL, 10), "ask for approval");
    const auto waiting = co_await register_with(api, id, meeting.invite_code, "Waiting Person");
    require(waiting.reply.status == 200 && waiting.admission == "lobby",
            "approval registration: " + describe(waiting.reply));
    require(co_await admission_of(api, id, waiting.token) == "lobby", "/admission should say lobby");
    co_await join_refused(io, server.port_string(), id, waiting.token, 4010,
                          v1::ERROR_CODE_FAILED_PRECONDITION, "the registrant in the lobby");
    const auto* in_lobby = participant_by_id(chair->state(), waiting.participant_id);
    require(in_lobby != nullptr && in_lobby->admission() == v1::ADMISSION_STATUS_LOBBY,
            "the chair does not see the registrant in the lobby");
    const auto poll_id_seq = co_await must(
        *chair, cmd::create_poll("Adopt?", v1::POLL_KIND_YES_NO_ABSTAIN, v1::POLL_SECRECY_NAMED,
                                 v1::RESULTS_VISIBILITY_LIVE),
        "create a poll");
    co_await wait_all(std::vector<test_client*>(1, chair.get()), poll_id_seq.seq());
    const auto poll_id = chair->state().polls(0).id();
    co_await must(*chair, cmd::open_poll(poll_id), "open the poll");

    const auto admitted = co_await must(*chair, admit(waiting.participant_id), "admit");
    co_await wait_all(std::vector<test_client*>(1, chair.get()), admitted.seq());
    require(co_await admission_of(api, id, waiting.token) == "admitted",
            "/admission should say admitted");
    test_client person(io, "admitted person", waiting.participant_id, waiting.token,
                       v1::ROLE_PARTICIPANT, client_config(2, 3));
    co_await connect_and_join(person, server.port_string(), id);
    co_await must(person, cmd::cast(poll_id, 0), "vote once admitted");

    // A rotated invite code: the old one is refused at once, for registration and reading.
    const auto old_invite = meeting.invite_code;
    co_await must(*chair, rotate_invite(), "rotate the invite code");
    const auto with_old = co_await register_with(api, id, old_invite, "Late Stuffer");
    require(with_old.reply.status == 401 && with_old.reply.error_code() == "UNAUTHENTICATED",
            "registration with the replaced code: " + describe(with_old.reply));
    const auto summary_old = co_await status_of_get(server.port_string(), "/api/meetings/" + id,
                                                    "Invite " + old_invite);
    require(summary_old == 401, "summary with the replaced code: " + std::to_string(summary_old));
    const auto new_invite = co_await current_invite(api, id, meeting.tokens.moderator);
    require(new_invite != old_invite, "/links still gives the old invite code");
    const auto summary_new = co_await status_of_get(server.port_string(), "/api/meetings/" + id,
                                                    "Invite " + new_invite);
    require(summary_new == 200, "summary with the new code: " + std::to_string(summary_new));
    const auto with_new = co_await register_with(api, id, new_invite, "New Invitee");
    require(with_new.reply.status == 200 && with_new.admission == "lobby",
            "registration with the new code: " + describe(with_new.reply));
    // Participants never learn the nonce.
    require(person.state().settings().admission().invite_nonce().empty(),
            "a participant's mirror holds the invite nonce");

    // Closed: nobody registers through the link any more.
    co_await must(*chair, set_registration(v1::REGISTRATION_MODE_CLOSED, 0), "close registration");
    const auto closed = co_await register_with(api, id, new_invite, "Too Late");
    require(closed.reply.status == 403, "registration while closed: " + describe(closed.reply));
    // /links is for the admin and moderators only.
    auto links_as_person =
        co_await api.request("GET", "/api/meetings/" + id + "/links", "", waiting.token);
    require(links_as_person.status == 403, "/links with a participant token: " + describe(links_as_person));
  }(), 90s);
  ASSERT_EQ(failure, "");
}

TEST(admission, a_removed_participant_is_closed_and_refused_on_every_instance) {
  redis_server_process redis(redis_server_process::options{});
  const std::vector<std::string> common = {"--redis", redis.url(), "--heartbeat-ttl-ms", "2000"};
  std::vector<std::string> args_a = common, args_b = common;
  args_a.insert(args_a.end(), {"--instance-id", "a"});
  args_b.insert(args_b.end(), {"--instance-id", "b"});
  majlisd_process a(args_a), b(args_b);
  asio::io_context io;
  auto api = make_api(io, a.port_string());
  std::unique_ptr<test_client> chair, person;
  const auto failure = run_scenario(io, [&]() -> asio::awaitable<void> {
    const auto meeting = co_await create(api, "Removal");
    const auto& id = meeting.meeting_id;
    client::token_request request{"participant", "Disruptor", "academia", "remote", ""};
    const auto issued = co_await api.issue_token(id, request);
    require(bool(issued), "no token: " + describe(issued.reply));
    chair = std::make_unique<test_client>(io, std::string("chair"), std::string(), meeting.tokens.moderator,
                                          v1::ROLE_MODERATOR, client_config(1, 3));
    person = std::make_unique<test_client>(io, std::string("person"), issued.value->participant_id,
                                           issued.value->token, v1::ROLE_PARTICIPANT, client_config(2, 3));
    co_await connect_and_join(*chair, a.port_string(), id);
    co_await connect_and_join(*person, b.port_string(), id);
    co_await must(*chair, cmd::add_item("Item", "", 10), "add an item");
    co_await must(*chair, cmd::start_meeting(), "start");
    co_await must(*chair, cmd::start_item(chair->state().agenda(0).id()), "start the item");
    const auto created = co_await must(
        *chair, cmd::create_poll("Adopt?", v1::POLL_KIND_YES_NO_ABSTAIN, v1::POLL_SECRECY_NAMED,
                                 v1::RESULTS_VISIBILITY_LIVE),
        "create a poll");
    co_await wait_all(std::vector<test_client*>(1, chair.get()), created.seq());
    const auto poll_id = chair->state().polls(0).id();
    co_await must(*chair, cmd::open_poll(poll_id), "open the poll");
    co_await must(*person, cmd::cast(poll_id, 1), "vote");
    const auto hand = co_await must(*person, cmd::request(v1::REQUEST_KIND_SPEAK), "raise a hand");
    co_await wait_all(std::vector<test_client*>(1, chair.get()), hand.seq());
    require(chair->state().agenda(0).speakers().waiting_size() == 1, "the hand is not waiting");

    const auto removed = co_await must(*chair, remove(person->participant_id), "remove");
    const bool closed = co_await person->client->wait_for_status(client::client_status::closed, 10s);
    require(closed, std::string("the removed participant's connection on B is still ") +
                        client::to_string(person->client->status()));
    require(person->client->last_close_code() == 4003,
            "closed with " + std::to_string(person->client->last_close_code()) + ", expected 4003");
    co_await wait_all(std::vector<test_client*>(1, chair.get()), removed.seq());
    const auto& item = chair->state().agenda(0);
    require(item.speakers().waiting_size() == 0, "the removed participant's request still waits");
    const auto* who = participant_by_id(chair->state(), person->participant_id);
    require(who != nullptr && who->admission() == v1::ADMISSION_STATUS_REMOVED, "not marked removed");
    const auto* poll = poll_by_id(chair->state(), poll_id);
    require(poll != nullptr && poll->tally_size() == 3 && poll->tally(1) == 1,
            "the removed participant's ballot is no longer counted: " +
                (poll ? poll->ShortDebugString() : std::string("no poll")));

    // The old token is refused on both instances, B included (it only heard of the removal).
    co_await join_refused(io, b.port_string(), id, person->token, 4003,
                          v1::ERROR_CODE_PERMISSION_DENIED, "the removed participant on B");
    co_await join_refused(io, a.port_string(), id, person->token, 4003,
                          v1::ERROR_CODE_PERMISSION_DENIED, "the removed participant on A");
    // Over HTTP too: the summary refuses the removed participant's token.
    const auto summary_removed =
        co_await api.request("GET", "/api/meetings/" + id, "", person->token);
    require(summary_removed.status == 403, "summary with a removed token: " + describe(summary_removed));
    auto admission_b = make_api(io, b.port_string());
    require(co_await admission_of(admission_b, id, person->token) == "removed",
            "/admission on B should say removed");

    // Readmitted: the same token joins again, on B.
    const auto back = co_await must(*chair, admit(person->participant_id), "readmit");
    const auto deadline = steady::now() + 10s;
    for (;;) {
      // B applies the admission from pub/sub; until then it still refuses.
      client::meeting_client again(io.get_executor(), client_config(3, 3));
      require(!(co_await again.connect("127.0.0.1", b.port_string())), "connect to B");
      const auto joined = co_await again.join(id, person->token);
      if (joined.ok) {
        require(joined.welcome.seq() >= back.seq(), "B admitted before it applied the admission");
        co_await again.close();
        break;
      }
      require(steady::now() < deadline, "the readmitted participant cannot join B: " +
                                            joined.error.ShortDebugString());
      co_await sleep_for(50ms);
    }
  }(), 90s);
  ASSERT_EQ(failure, "");
}

TEST(admission, the_lobby_a_removal_and_a_rotated_invite_survive_a_restart) {
  const fs::path data = make_temp_folder("majlis-admission");
  std::uint16_t port = 0;
  std::string meeting_id, moderator, old_invite, lobby_token, removed_token;
  {
    majlisd_process server({"--data-dir", data.string(), "--sync", "full"});
    port = server.port();
    asio::io_context io;
    auto api = make_api(io, server.port_string());
    const auto failure = run_scenario(io, [&]() -> asio::awaitable<void> {
      const auto meeting = co_await create(api, "Durable admission");
      meeting_id = meeting.meeting_id;
      moderator = meeting.tokens.moderator;
      old_invite = meeting.invite_code;
      test_client chair(io, "chair", "", moderator, v1::ROLE_MODERATOR, client_config(1, 3));
      co_await connect_and_join(chair, server.port_string(), meeting_id);
      co_await must(chair, set_registration(v1::REGISTRATION_MODE_APPROVAL, 0), "ask for approval");
      const auto waiting = co_await register_with(api, meeting_id, old_invite, "Waiting");
      require(waiting.admission == "lobby", "not in the lobby: " + describe(waiting.reply));
      lobby_token = waiting.token;
      const auto other = co_await register_with(api, meeting_id, old_invite, "Removed Later");
      co_await must(chair, admit(other.participant_id), "admit");
      removed_token = other.token;
      co_await must(chair, remove(other.participant_id), "remove");
      co_await must(chair, rotate_invite(), "rotate the invite code");
    }(), 60s);
    ASSERT_EQ(failure, "");
    ASSERT_EQ(server.stop(), 0);
  }
  majlisd_process server({"--data-dir", data.string(), "--sync", "full", "--listen",
                          "127.0.0.1:" + std::to_string(port)});
  asio::io_context io;
  auto api = make_api(io, server.port_string());
  const auto failure = run_scenario(io, [&]() -> asio::awaitable<void> {
    co_await join_refused(io, server.port_string(), meeting_id, lobby_token, 4010,
                          v1::ERROR_CODE_FAILED_PRECONDITION, "the registrant in the lobby");
    co_await join_refused(io, server.port_string(), meeting_id, removed_token, 4003,
                          v1::ERROR_CODE_PERMISSION_DENIED, "the removed participant");
    const auto with_old = co_await register_with(api, meeting_id, old_invite, "Old Code");
    require(with_old.reply.status == 401, "the replaced code after a restart: " + describe(with_old.reply));
    const auto invite = co_await current_invite(api, meeting_id, moderator);
    const auto with_new = co_await register_with(api, meeting_id, invite, "New Code");
    require(with_new.reply.status == 200 && with_new.admission == "lobby",
            "the current code after a restart: " + describe(with_new.reply));
  }(), 60s);
  server.stop();
  fs::remove_all(data);
  ASSERT_EQ(failure, "");
}

}  // namespace
}  // namespace majlis::testing
