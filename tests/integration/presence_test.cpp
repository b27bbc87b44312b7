// Presence at scale against a real majlisd (issue 7): distinct people joining at once cost a few
// PresenceChanged events, not one or two per person; observers and displays are counted, not
// listed; a participant's first command finds them on the roster however soon it follows the
// join; and the counts fall back when the audience leaves.
#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "meeting_fixture.hpp"

namespace majlis::testing {
namespace {

constexpr int observers = 150;
constexpr int participants = 30;

std::uint32_t audience_online(const v1::MeetingState& state) {
  std::uint32_t online = 0;
  for (const auto& count : state.audience()) online += count.observers() + count.displays();
  return online;
}

int online_participants(const v1::MeetingState& state) {
  return static_cast<int>(std::count_if(state.participants().begin(), state.participants().end(),
                                        [](const v1::Participant& p) { return p.online(); }));
}

class presence_storm {
 public:
  explicit presence_storm(asio::io_context& io, const std::string& port) : io_(io), port_(port), api_(make_api(io, port)) {}

  asio::awaitable<void> run() {
    // Named, not braced temporaries: GCC 12 and coroutine arguments (STYLE).
    client::meeting_spec spec;
    spec.title = "Presence storm";
    auto meeting = co_await api_.create_meeting(spec);
    require(bool(meeting), "create meeting failed");
    meeting_id_ = meeting.value->meeting_id;
    chair_ = std::make_unique<test_client>(io_, "chair", "", meeting.value->tokens.moderator,
                                           v1::ROLE_MODERATOR, client_config(1));
    co_await connect_and_join(*chair_, port_, meeting_id_);
    co_await wait_for([&] { return online_participants(chair_->state()) == 1; }, "the chair online");
    const auto seq_before = chair_->seq();

    // Every person with a token of their own.
    for (int i = 0; i < observers + participants; ++i) {
      const bool observer = i < observers;
      client::token_request request{observer ? "observer" : "participant",
                                    (observer ? "Observer " : "Participant ") + std::to_string(i),
                                    "", "remote", ""};
      auto issued = co_await api_.issue_token(meeting_id_, request);
      require(bool(issued), "no token for person " + std::to_string(i));
      people_.push_back(std::make_unique<test_client>(
          io_, request.name, issued.value->participant_id, issued.value->token,
          observer ? v1::ROLE_OBSERVER : v1::ROLE_PARTICIPANT, client_config(100 + i)));
    }
    // All at once.
    auto left = std::make_shared<int>(static_cast<int>(people_.size()));
    auto failures = std::make_shared<std::string>();
    for (auto& who : people_) {
      asio::co_spawn(io_, connect_and_join(*who, port_, meeting_id_),
                     [left, failures](std::exception_ptr error) {
                       --*left;
                       if (!error) return;
                       try {
                         std::rethrow_exception(error);
                       } catch (const std::exception& e) {
                         *failures += std::string(e.what()) + "; ";
                       }
                     });
    }
    co_await wait_for([&] { return *left == 0; }, "every join answered", 60s);
    require(failures->empty(), "joins failed: " + *failures);

    // The chair sees every participant online and the audience as a count.
    co_await wait_for(
        [&] {
          return online_participants(chair_->state()) == participants + 1 &&
                 audience_online(chair_->state()) == static_cast<std::uint32_t>(observers);
        },
        "the chair sees everyone present");
    const auto& state = chair_->state();
    EXPECT_EQ(state.participants_size(), participants + 1) << "observers must not be listed";
    for (const auto& p : state.participants()) EXPECT_NE(p.role(), v1::ROLE_OBSERVER);
    // A few events for 180 people, where one per observer and two per participant were written.
    const auto storm_events = chair_->seq() - seq_before;
    EXPECT_LE(storm_events, 40u) << "the storm took " << storm_events << " events";
    std::size_t presence_events = 0, per_connection_events = 0;
    for (const auto& event : chair_->received) {
      if (event.has_presence_changed()) ++presence_events;
      if (event.has_connection_opened() || event.has_participant_added()) ++per_connection_events;
    }
    EXPECT_GE(presence_events, 1u);
    EXPECT_EQ(per_connection_events, 0u);

    // An observer sees the count too (and the participants, by name).
    auto& observer = *people_.front();
    co_await wait_for([&] { return audience_online(observer.state()) == static_cast<std::uint32_t>(observers); },
                      "an observer sees the audience count");
    EXPECT_EQ(observer.state().participants_size(), participants + 1);

    // A participant who joins and acts at once is on the roster when the command is decided.
    client::token_request late_request{"participant", "Late Lina", "", "remote", ""};
    auto issued = co_await api_.issue_token(meeting_id_, late_request);
    require(bool(issued), "no token for the late participant");
    test_client late(io_, "late", issued.value->participant_id, issued.value->token, v1::ROLE_PARTICIPANT,
                     client_config(7));
    co_await connect_and_join(late, port_, meeting_id_);
    v1::Command rename;
    rename.mutable_update_participant()->set_display_name("Lina");
    co_await must(late, rename, "rename themself right after joining");
    co_await late.client->close();

    // The audience leaves: the count falls back to zero.
    for (int i = 0; i < observers; ++i) co_await people_[static_cast<std::size_t>(i)]->client->close();
    co_await wait_for([&] { return audience_online(chair_->state()) == 0; }, "the audience count back to 0");
    EXPECT_EQ(chair_->state().audience_size(), 0);
  }

 private:
  asio::awaitable<void> wait_for(std::function<bool()> done, const std::string& what,
                                 std::chrono::milliseconds limit = 20s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      require(std::chrono::steady_clock::now() < deadline, "timed out waiting for " + what);
      co_await sleep_for(10ms);
    }
  }

  asio::io_context& io_;
  std::string port_;
  client::http_api api_;
  std::string meeting_id_;
  std::unique_ptr<test_client> chair_;
  std::vector<std::unique_ptr<test_client>> people_;
};

TEST(integration_presence, distinct_people_joining_at_once_cost_a_few_events) {
  // The default gathering interval, explicitly: the harness shortens it for the other tests.
  majlisd_process server({"--presence-interval-ms", "200", "--store", "memory"});
  asio::io_context io;
  presence_storm storm(io, std::to_string(server.port()));
  const auto failure = run_scenario(io, storm.run(), 120s);
  EXPECT_TRUE(failure.empty()) << failure;
}

}  // namespace
}  // namespace majlis::testing
