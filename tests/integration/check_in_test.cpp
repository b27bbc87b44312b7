// In-room check-in against real majlisd processes (issue 6), with the rotation period
// shortened by the hidden test hook --test-check-in-rotation-ms (the grace is a third of it):
//
//   1. one instance: once the chair opens check-in, the room display sees a code and the chair
//      too, while a participant and an observer never receive one (snapshot or events); a
//      participant who enters the display's code is in the room and verified; a code past its
//      grace is refused; five wrong codes a minute and the participant is throttled, even with
//      the right code;
//   2. two instances on one redis-server, both proposing every rotation: the log holds one
//      rotation per period (each decided no earlier than the one before allowed), and both
//      instances' clients see the same codes.
#include <gtest/gtest.h>

#include "meeting_fixture.hpp"
#ifdef MAJLIS_HAVE_REDIS_SERVER
#include "redis_server_process.hpp"
#endif

namespace majlis::testing {
namespace {

using steady = std::chrono::steady_clock;

constexpr int rotation_ms = 1500;  // grace: 500 ms

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

v1::Command set_check_in(bool open) {
  v1::Command c;
  c.mutable_set_check_in()->set_open(open);
  return c;
}

v1::Command check_in(const std::string& code) {
  v1::Command c;
  c.mutable_check_in()->set_code(code);
  return c;
}

// Waits (bounded) until the client's mirror shows a check-in code other than `other`.
asio::awaitable<std::string> wait_for_code(test_client& who, const std::string& other,
                                           std::chrono::milliseconds timeout = 10s) {
  const auto until = steady::now() + timeout;
  while (steady::now() < until) {
    const auto& code = who.state().check_in().code();
    if (!code.empty() && code != other) co_return code;
    co_await sleep_for(10ms);
  }
  throw scenario_failure(who.name + " saw no new check-in code within " +
                         std::to_string(timeout.count()) + " ms");
}

// Nothing a participant or observer was sent may carry a check-in code.
void require_no_code(const test_client& who) {
  for (const auto& welcome : who.welcomes) {
    require(welcome.snapshot().check_in().code().empty() &&
                welcome.snapshot().check_in().previous_code().empty(),
            who.name + "'s Welcome carries a check-in code");
  }
  require(who.state().check_in().code().empty() && who.state().check_in().previous_code().empty(),
          who.name + "'s mirror holds a check-in code");
  for (const auto& event : who.received) {
    require(!event.has_check_in_code_rotated() || event.check_in_code_rotated().code().empty(),
            who.name + " was sent a check-in code: " + event.ShortDebugString());
  }
}

asio::awaitable<client::issued_token> issue(client::http_api& http, const std::string& meeting_id,
                                            const std::string& name) {
  client::token_request request{"participant", name, "academia", "remote", ""};
  auto issued = co_await http.issue_token(meeting_id, request);
  require(bool(issued), "no token for " + name + ": " + issued.reply.error_message());
  co_return *issued.value;
}

asio::awaitable<client::created_meeting> create(client::http_api& http) {
  client::meeting_spec spec;
  spec.title = "Check-in";
  const auto created = co_await http.create_meeting(spec);
  require(bool(created), "POST /api/meetings failed: " + created.reply.error_message());
  co_return *created.value;
}

std::unique_ptr<client::http_api> http_for(asio::io_context& io, const std::string& port) {
  client::http_api_config config;
  config.port = port;
  config.admin_key = majlisd_process::admin_key;
  return std::make_unique<client::http_api>(io.get_executor(), config);
}

TEST(integration_check_in, the_display_code_checks_in_stale_codes_and_guessing_are_refused) {
  majlisd_process server({"--store", "memory", "--test-check-in-rotation-ms",
                          std::to_string(rotation_ms)});
  asio::io_context io;
  auto http = http_for(io, server.port_string());
  const auto port = server.port_string();
  std::unique_ptr<test_client> chair, display, observer, amina, omar;

  auto scenario = [&]() -> asio::awaitable<void> {
    const auto meeting = co_await create(*http);
    const auto amina_token = co_await issue(*http, meeting.meeting_id, "Amina");
    const auto omar_token = co_await issue(*http, meeting.meeting_id, "Omar");
    chair = std::make_unique<test_client>(io, "chair", "", meeting.tokens.moderator,
                                          v1::ROLE_MODERATOR);
    display = std::make_unique<test_client>(io, "display", "", meeting.tokens.display,
                                            v1::ROLE_DISPLAY);
    observer = std::make_unique<test_client>(io, "observer", "", meeting.tokens.observer,
                                             v1::ROLE_OBSERVER);
    amina = std::make_unique<test_client>(io, "amina", amina_token.participant_id,
                                          amina_token.token, v1::ROLE_PARTICIPANT);
    omar = std::make_unique<test_client>(io, "omar", omar_token.participant_id, omar_token.token,
                                         v1::ROLE_PARTICIPANT);
    const std::vector<test_client*> everyone = {chair.get(), display.get(), observer.get(),
                                                amina.get(), omar.get()};
    for (auto* who : everyone) co_await connect_and_join(*who, port, meeting.meeting_id);
    const std::vector<test_client*> without_codes = {amina.get(), observer.get()};
    const std::vector<test_client*> chair_only = {chair.get()};

    co_await refused(*amina, check_in("123456"), v1::ERROR_CODE_FAILED_PRECONDITION,
                     "checking in before check-in opens");
    co_await refused(*amina, set_check_in(true), v1::ERROR_CODE_PERMISSION_DENIED,
                     "opening check-in");
    co_await must(*chair, set_check_in(true), "open check-in");
    const std::string first = co_await wait_for_code(*display, "");
    require(first.size() == 6, "the code is not six digits: " + first);
    const std::string seen_by_chair = co_await wait_for_code(*chair, "");
    co_await wait_all(without_codes, display->seq());
    require(amina->state().check_in().open(), "amina does not see check-in open");
    require_no_code(*amina);
    require_no_code(*observer);

    // Amina reads the display's code: in the room, verified.
    const std::string code = display->state().check_in().code();
    const auto done = co_await must(*amina, check_in(code), "check in with the display's code");
    co_await wait_all(chair_only, done.seq());
    const auto* checked = participant_by_id(chair->state(), amina->participant_id);
    require(checked != nullptr && checked->attendance() == v1::ATTENDANCE_IN_ROOM &&
                checked->attendance_verified() && checked->checked_in_at_ms() > 0,
            "amina is not checked in: " + (checked ? checked->ShortDebugString() : "absent"));
    (void)seen_by_chair;

    // A code past its grace: wait for the next rotation, then for its grace to end.
    const std::string next = co_await wait_for_code(*display, code);
    const int64_t grace_end = display->state().check_in().previous_valid_until_ms();
    for (int i = 0; i < 500 && wall_ms() <= grace_end + 20; ++i) co_await sleep_for(10ms);
    const auto stale = co_await refused(*omar, check_in(code), v1::ERROR_CODE_INVALID_ARGUMENT,
                                        "a code past its grace");
    require(stale.error().message() == "The check-in code is not valid or has expired.",
            "unexpected message: " + stale.error().message());
    require(participant_by_id(chair->state(), omar->participant_id)->attendance() ==
                v1::ATTENDANCE_REMOTE,
            "omar moved into the room with a stale code");

    // Guessing: four more wrong codes (malformed, so never right by chance) use up the minute.
    for (int i = 0; i < 4; ++i)
      co_await refused(*omar, check_in("guess" + std::to_string(i)),
                       v1::ERROR_CODE_INVALID_ARGUMENT, "a wrong code");
    const std::string right = display->state().check_in().code();
    co_await refused(*omar, check_in(right), v1::ERROR_CODE_RESOURCE_EXHAUSTED,
                     "a sixth code within the minute, even the right one");
    // Amina is not throttled by Omar's guesses.
    co_await must(*amina, check_in(display->state().check_in().code()), "check in again");
    (void)next;
  };
  const auto failure = run_scenario(io, scenario(), 30s);
  EXPECT_EQ(failure, "");
}

#ifdef MAJLIS_HAVE_REDIS_SERVER
TEST(integration_check_in, two_instances_commit_one_rotation_per_period) {
  constexpr int period_ms = 400;
  redis_server_process redis{redis_server_process::options{}};
  std::vector<std::unique_ptr<majlisd_process>> instances;
  for (const char* id : {"a", "b"}) {
    instances.push_back(std::make_unique<majlisd_process>(std::vector<std::string>{
        "--redis", redis.url(), "--instance-id", id, "--test-check-in-rotation-ms",
        std::to_string(period_ms)}));
  }
  asio::io_context io;
  auto http = http_for(io, instances[0]->port_string());
  std::unique_ptr<test_client> chair, display;

  auto scenario = [&]() -> asio::awaitable<void> {
    const auto meeting = co_await create(*http);
    chair = std::make_unique<test_client>(io, "chair on a", "", meeting.tokens.moderator,
                                          v1::ROLE_MODERATOR);
    display = std::make_unique<test_client>(io, "display on b", "", meeting.tokens.display,
                                            v1::ROLE_DISPLAY);
    co_await connect_and_join(*chair, instances[0]->port_string(), meeting.meeting_id);
    co_await connect_and_join(*display, instances[1]->port_string(), meeting.meeting_id);
    co_await must(*chair, set_check_in(true), "open check-in");
    co_await sleep_for(std::chrono::milliseconds(period_ms * 6));
    const auto closed = co_await must(*chair, set_check_in(false), "close check-in");
    const std::vector<test_client*> both = {chair.get(), display.get()};
    co_await wait_all(both, closed.seq());

    std::vector<v1::Event> rotations;
    for (const auto& event : chair->received)
      if (event.has_check_in_code_rotated()) rotations.push_back(event);
    require(rotations.size() >= 3, "only " + std::to_string(rotations.size()) +
                                       " rotations in " + std::to_string(period_ms * 6) + " ms");
    // One a period at most: as many as whole periods between the first and the last, plus one
    // (both instances proposed every one of them).
    const int64_t span = rotations.back().at_ms() - rotations.front().at_ms();
    require(static_cast<int64_t>(rotations.size()) <= span / period_ms + 1,
            std::to_string(rotations.size()) + " rotations in " + std::to_string(span) +
                " ms: more than one a period");
    for (std::size_t i = 1; i < rotations.size(); ++i) {
      const auto& before = rotations[i - 1].check_in_code_rotated();
      require(rotations[i].at_ms() >= before.next_rotation_ms(),
              "a rotation decided before it was due: " + rotations[i].ShortDebugString() +
                  " after " + rotations[i - 1].ShortDebugString());
    }
    // The display on the other instance was sent the same codes, in the same order.
    std::vector<std::string> on_a, on_b;
    for (const auto& e : rotations) on_a.push_back(e.check_in_code_rotated().code());
    for (const auto& e : display->received)
      if (e.has_check_in_code_rotated()) on_b.push_back(e.check_in_code_rotated().code());
    require(on_a == on_b, "the instances' clients saw different codes");
    require(display->state().check_in().code().empty() && !display->state().check_in().open(),
            "closing check-in left a code");
  };
  const auto failure = run_scenario(io, scenario(), 30s);
  EXPECT_EQ(failure, "");
}
#endif

}  // namespace
}  // namespace majlis::testing
