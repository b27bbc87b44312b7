// A participant loses its connection in the middle of a meeting; while it is away the chair and
// another participant go on. It comes back by itself and resumes: within the server's resume
// window it gets exactly the events it missed (none twice, none lost); past the window it gets a
// fresh snapshot instead. Either way it ends with the state a fresh client of its audience gets.
#include <algorithm>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "meeting_fixture.hpp"

namespace majlis::testing {
namespace {

using client::client_status;
using client::frame_format;

constexpr auto speak = v1::REQUEST_KIND_SPEAK;

class resume_scenario {
 public:
  // `missed_commands` single-event commands run while the participant is away; with the event
  // that records its lost connection it misses one more event than that.
  resume_scenario(asio::io_context& io, const majlisd_process& server, int missed_commands,
                  bool expect_snapshot)
      : io_(io),
        port_(server.port_string()),
        missed_commands_(missed_commands),
        expect_snapshot_(expect_snapshot) {
    client::http_api_config config;
    config.port = port_;
    config.admin_key = majlisd_process::admin_key;
    http_ = std::make_unique<client::http_api>(io.get_executor(), config);
  }

  asio::awaitable<void> run() {
    co_await set_up();
    co_await some_history();
    co_await away_and_back();
    co_await compare_with_fresh();
  }

 private:
  std::vector<test_client*> everyone() const {
    return {chair_.get(), display_.get(), other_.get(), traveller_.get()};
  }

  asio::awaitable<std::unique_ptr<test_client>> participant(std::string name, std::string group,
                                                            std::string attendance,
                                                            client::meeting_client_config config) {
    // A named request, not a braced temporary (GCC 12, see meeting_test.cpp).
    client::token_request request{"participant", name, std::move(group), std::move(attendance), ""};
    const auto issued = co_await http_->issue_token(meeting_id_, request);
    require(bool(issued), "no token for " + name + ": " + issued.reply.error_code());
    co_return std::make_unique<test_client>(io_, std::move(name), issued.value->participant_id,
                                            issued.value->token, v1::ROLE_PARTICIPANT,
                                            std::move(config));
  }

  asio::awaitable<void> set_up() {
    client::meeting_spec spec;
    spec.title = "جلسة الاستماع حول الشمول الرقمي";
    const auto created = co_await http_->create_meeting(spec);
    require(bool(created), "POST /api/meetings failed: " + created.reply.error_code());
    meeting_id_ = created.value->meeting_id;

    client::meeting_client_config binary;
    binary.jitter_seed = 11;
    client::meeting_client_config json = binary;
    json.format = frame_format::json;
    chair_ = std::make_unique<test_client>(io_, "chair", "", created.value->tokens.moderator,
                                           v1::ROLE_MODERATOR, binary);
    display_ = std::make_unique<test_client>(io_, "display", "", created.value->tokens.display,
                                             v1::ROLE_DISPLAY, json);
    other_ = co_await participant("Amina Haddad", "private_sector", "in_room", json);
    // The one who travels: its first reconnect attempt waits 1.5 s exactly, long enough for the
    // others to produce every missed event before it is back.
    client::meeting_client_config travelling = binary;
    travelling.reconnect_backoff.initial = 1500ms;
    travelling.reconnect_backoff.jitter = 0;
    traveller_ = co_await participant("ليلى بن علي", "academia", "remote", travelling);
    traveller_->client->on_status([this](client_status status, const v1::Error&) {
      traveller_statuses_.push_back(status);
    });
    for (auto* who : everyone()) co_await connect_and_join(*who, port_, meeting_id_);
  }

  asio::awaitable<void> settle(std::uint64_t seq) { co_await wait_all(everyone(), seq); }

  // Enough history that the resume window (16 in two of the cases) is full before the loss.
  asio::awaitable<void> some_history() {
    co_await must(*chair_, cmd::add_item("الوصول إلى الإنترنت في الجنوب", "Connectivity", 30), "add an item");
    auto seq = (co_await must(*chair_, cmd::add_item("المهارات الرقمية", "Digital skills", 30),
                              "add an item")).seq();
    // Joins no longer cost an event each (presence is gathered), so the agenda fills the window.
    for (int i = 1; i <= 6; ++i) {
      seq = (co_await must(*chair_, cmd::add_item("بند إضافي " + std::to_string(i), "More", 10),
                           "add another item")).seq();
    }
    co_await settle(seq);
    item_ = chair_->state().agenda(0).id();
    co_await must(*chair_, cmd::start_meeting(), "start the meeting");
    co_await must(*chair_, cmd::start_item(item_), "start item 1");
    co_await must(*other_, cmd::request(speak), "ask for the floor");
    co_await must(*chair_, cmd::next_speaker(), "give the floor");
    co_await must(*traveller_, cmd::request(speak), "ask for the floor");
    const std::string text = "نحتاج إلى تغطية الإنترنت في المدارس الريفية أولاً.";
    seq = (co_await must(*other_, cmd::submit(text), "submit a contribution")).seq();
    co_await settle(seq);
    std::string contribution;
    for (const auto& c : chair_->state().contributions()) {
      if (c.text() == text) contribution = c.id();
    }
    seq = (co_await must(*traveller_, cmd::upvote(contribution), "upvote")).seq();
    co_await settle(seq);
    require(seq > 16, "the history before the loss should be longer than the resume window");
  }

  // Command k of the ones run while the traveller is away; each produces exactly one event.
  asio::awaitable<std::uint64_t> missed_command(int k) {
    switch (k) {
      case 0: {
        std::vector<std::string> options;  // not a braced list: see meeting_test.cpp
        options.push_back("نعم");
        options.push_back("لا");
        const auto result = co_await must(
            *chair_,
            cmd::create_poll("هل نعطي الأولوية للمدارس؟", v1::POLL_KIND_SINGLE, v1::POLL_SECRECY_NAMED,
                             v1::RESULTS_VISIBILITY_AFTER_CLOSE, options),
            "create a poll");
        poll_ = chair_->state().polls(0).id();
        co_return result.seq();
      }
      case 1: co_return (co_await must(*chair_, cmd::open_poll(poll_), "open the poll")).seq();
      case 2: co_return (co_await must(*other_, cmd::cast(poll_, 0), "vote")).seq();
      case 3: co_return (co_await must(*chair_, cmd::cast(poll_, 1), "vote")).seq();
      case 4: co_return (co_await must(*chair_, cmd::close_poll(poll_), "close the poll")).seq();
      case 5: co_return (co_await must(*chair_, cmd::pause_floor(), "pause the speaker")).seq();
      case 6: co_return (co_await must(*chair_, cmd::resume_floor(), "resume the speaker")).seq();
      // A contribution upvoted, then hidden: replayed to a participant, the upvote is a stub
      // (it may not see upvotes of a hidden contribution) that still carries its seq, and the
      // submission comes blanked.
      case 7:
        co_return (co_await must(*other_, cmd::submit(off_topic_), "submit a contribution")).seq();
      case 8: {
        for (const auto& c : chair_->state().contributions()) {
          if (c.text() == off_topic_) off_topic_id_ = c.id();
        }
        co_return (co_await must(*chair_, cmd::upvote(off_topic_id_), "upvote")).seq();
      }
      case 9:
        co_return (co_await must(*chair_, cmd::mark(off_topic_id_, false, true), "hide")).seq();
      default:
        if (k % 2 == 1) {
          co_return (co_await must(*chair_, cmd::add_item("بند إضافي " + std::to_string(k), "", 5),
                                   "add an item")).seq();
        }
        co_return (co_await must(*other_, cmd::submit("ملاحظة رقم " + std::to_string(k)),
                                 "submit a contribution")).seq();
    }
  }

  bool online_for_chair(const test_client& who) const {
    const auto* entry = participant_by_id(chair_->state(), who.participant_id);
    return entry != nullptr && entry->online();
  }

  asio::awaitable<void> away_and_back() {
    require(missed_commands_ >= 10, "the script needs at least 10 missed commands");
    dropped_at_ = traveller_->seq();
    require(dropped_at_ == chair_->seq(), "the traveller should be up to date before the loss");
    const auto events_before = traveller_->received.size();
    traveller_->client->drop_connection();
    require(co_await traveller_->client->wait_for_status(client_status::reconnecting, 5s),
            "the traveller did not notice the lost connection");

    // The server notices too and records the closed connection: the first missed event.
    for (int round = 0; round < 250 && online_for_chair(*traveller_); ++round) co_await sleep_for(20ms);
    require(!online_for_chair(*traveller_), "the server did not record the lost connection");
    require(chair_->seq() == dropped_at_ + 1,
            "only the closed connection should have happened so far, seq " + std::to_string(chair_->seq()));

    // Life goes on without the traveller.
    std::uint64_t seq = 0;
    for (int k = 0; k < missed_commands_; ++k) seq = co_await missed_command(k);
    away_until_ = seq;
    require(away_until_ == dropped_at_ + 1 + static_cast<std::uint64_t>(missed_commands_),
            "each missed command should have produced exactly one event");
    require(traveller_->client->status() == client_status::reconnecting &&
                traveller_->received.size() == events_before && traveller_->seq() == dropped_at_,
            "the traveller came back before the others were done (raise its backoff)");

    // It comes back by itself and is online again.
    require(co_await traveller_->client->wait_for_status(client_status::joined, 20s),
            "the traveller did not come back: " + traveller_->client->last_error().ShortDebugString());
    for (int round = 0; round < 250 && !online_for_chair(*traveller_); ++round) co_await sleep_for(20ms);
    require(online_for_chair(*traveller_), "the server did not record the new connection");
    co_await settle(chair_->seq());
  }

  asio::awaitable<void> compare_with_fresh() {
    client::meeting_client_config config;
    config.jitter_seed = 13;
    fresh_ = co_await participant("Youssef El-Mansouri", "technical_community", "remote", config);
    co_await connect_and_join(*fresh_, port_, meeting_id_);
    for (int round = 0; round < 250 && !online_for_chair(*fresh_); ++round) co_await sleep_for(20ms);
    require(online_for_chair(*fresh_), "the fresh participant is not online");
    final_seq_ = chair_->seq();
    auto all = everyone();
    all.push_back(fresh_.get());
    co_await wait_all(all, final_seq_);
    for (auto* who : all) require(who->seq() == final_seq_, who->name + " went past the final seq");
  }

 public:
  // Everything below runs after the scenario, in the test body.
  void check() const {
    const auto counters = traveller_->client->counters();
    EXPECT_EQ(counters.reconnects, 1u);
    EXPECT_EQ(counters.snapshots_loaded, expect_snapshot_ ? 2u : 1u);
    EXPECT_EQ(counters.duplicates_ignored, 0u);
    EXPECT_EQ(counters.gaps_seen, 0u);
    EXPECT_EQ(traveller_->client->status(), client_status::joined);
    ASSERT_GE(traveller_statuses_.size(), 2u);
    EXPECT_EQ(traveller_statuses_[traveller_statuses_.size() - 2], client_status::reconnecting);
    EXPECT_EQ(traveller_statuses_.back(), client_status::joined);

    // The Welcomes: a snapshot at the first join; on the way back a replay of exactly the missed
    // events, or (past the window) a snapshot at the seq the others had reached.
    ASSERT_EQ(traveller_->welcomes.size(), 2u);
    const auto& first = traveller_->welcomes[0];
    const auto& again = traveller_->welcomes[1];
    ASSERT_TRUE(first.has_snapshot());
    EXPECT_EQ(again.seq(), away_until_);
    EXPECT_EQ(again.epoch(), first.epoch());
    EXPECT_EQ(again.has_snapshot(), expect_snapshot_);
    EXPECT_EQ(again.has_replay(), !expect_snapshot_);
    if (again.has_replay()) {
      const auto missed = away_until_ - dropped_at_;
      ASSERT_EQ(static_cast<std::uint64_t>(again.replay().events_size()), missed);
      for (int i = 0; i < again.replay().events_size(); ++i) {
        EXPECT_EQ(again.replay().events(i).seq(), dropped_at_ + 1 + static_cast<std::uint64_t>(i));
      }
      // The first missed event is the traveller's own lost connection.
      ASSERT_TRUE(again.replay().events(0).has_presence_changed());
      ASSERT_EQ(again.replay().events(0).presence_changed().closed_size(), 1);
      EXPECT_EQ(again.replay().events(0).presence_changed().closed(0).participant_id(),
                traveller_->participant_id);
      // Missed command k is replay event k + 1: the upvote of the contribution hidden since
      // comes as a stub, the hiding itself with the contribution blanked.
      EXPECT_EQ(again.replay().events(9).kind_case(), v1::Event::KIND_NOT_SET);
      ASSERT_TRUE(again.replay().events(10).has_contribution_marked());
      EXPECT_TRUE(again.replay().events(10).contribution_marked().hidden());
      EXPECT_TRUE(again.replay().events(10).contribution_marked().contribution().text().empty());
      // The contribution submitted while it was away and hidden since: its submission reaches
      // the traveller blanked as a snapshot shows it, and no byte of the replay holds its text.
      ASSERT_TRUE(again.replay().events(8).has_contribution_submitted());
      const auto& submitted = again.replay().events(8).contribution_submitted().contribution();
      EXPECT_EQ(submitted.id(), off_topic_id_);
      EXPECT_TRUE(submitted.hidden() && submitted.text().empty() && submitted.upvotes() == 0u)
          << submitted.ShortDebugString();
      EXPECT_EQ(again.replay().SerializeAsString().find(off_topic_), std::string::npos)
          << "the replay carries the text of a contribution hidden since";
      std::size_t stubs = 0;
      for (const auto& event : again.replay().events()) {
        stubs += event.kind_case() == v1::Event::KIND_NOT_SET ? 1 : 0;
      }
      EXPECT_EQ(stubs, 1u);
    } else {
      EXPECT_EQ(again.snapshot().seq(), away_until_);
    }

    // Every seq from 1 to the end reached the traveller exactly once: through a snapshot or as
    // an event (in a batch or in the replay).
    std::map<std::uint64_t, int> delivered;
    for (const auto& event : traveller_->received) delivered[event.seq()]++;
    for (const auto& welcome : traveller_->welcomes) {
      for (const auto& event : welcome.replay().events()) delivered[event.seq()]++;
    }
    std::set<std::uint64_t> expected_events;
    for (std::uint64_t s = first.seq() + 1; s <= final_seq_; ++s) {
      if (expect_snapshot_ && s > dropped_at_ && s <= away_until_) continue;  // in the snapshot
      expected_events.insert(s);
    }
    std::set<std::uint64_t> delivered_seqs;
    for (const auto& [seq, times] : delivered) {
      EXPECT_EQ(times, 1) << "seq " << seq << " was delivered " << times << " times";
      delivered_seqs.insert(seq);
    }
    EXPECT_EQ(delivered_seqs, expected_events);
    std::set<std::uint64_t> covered = delivered_seqs;
    for (const auto& welcome : traveller_->welcomes) {
      if (!welcome.has_snapshot()) continue;
      for (std::uint64_t s = 1; s <= welcome.seq(); ++s) covered.insert(s);
    }
    EXPECT_EQ(covered.size(), final_seq_);
    EXPECT_EQ(*covered.begin(), 1u);
    EXPECT_EQ(*covered.rbegin(), final_seq_);

    // And it ends where everyone else is: a fresh participant's snapshot, the other participant.
    EXPECT_EQ(differences(without_my_choices(traveller_->state()), without_my_choices(fresh_->state())), "");
    EXPECT_EQ(differences(without_my_choices(traveller_->state()), without_my_choices(other_->state())), "");
    const auto* poll = poll_by_id(traveller_->state(), poll_);
    ASSERT_NE(poll, nullptr);
    EXPECT_EQ(poll->status(), v1::POLL_STATUS_CLOSED);
    EXPECT_EQ(std::vector<std::uint32_t>(poll->tally().begin(), poll->tally().end()),
              (std::vector<std::uint32_t>{1, 1}));
    EXPECT_TRUE(poll->ballots().empty()) << "named ballots of an after-close poll before publishing";
    EXPECT_EQ(traveller_->state().agenda_size(), 8 + (missed_commands_ - 10) / 2);
    // The hidden contribution, as every participant has it: there, hidden, blanked.
    const v1::Contribution* hidden = nullptr;
    for (const auto& c : traveller_->state().contributions()) {
      if (c.id() == off_topic_id_) hidden = &c;
    }
    ASSERT_NE(hidden, nullptr);
    EXPECT_TRUE(hidden->hidden() && hidden->text().empty() && hidden->upvotes() == 0u)
        << hidden->ShortDebugString();
  }

 private:
  asio::io_context& io_;
  std::string port_;
  int missed_commands_;
  bool expect_snapshot_;
  std::unique_ptr<client::http_api> http_;
  std::string meeting_id_;
  std::string item_;
  std::string poll_;
  const std::string off_topic_ = "رابط إعلاني خارج الموضوع";
  std::string off_topic_id_;
  std::uint64_t dropped_at_ = 0;
  std::uint64_t away_until_ = 0;
  std::uint64_t final_seq_ = 0;
  std::unique_ptr<test_client> chair_, display_, other_, traveller_, fresh_;
  std::vector<client_status> traveller_statuses_;
};

void run_case(std::vector<std::string> server_args, int missed_commands, bool expect_snapshot) {
  majlisd_process server(std::move(server_args));
  asio::io_context io;
  resume_scenario scenario(io, server, missed_commands, expect_snapshot);
  const auto failure = run_scenario(io, scenario.run(), 60s);
  ASSERT_EQ(failure, "");
  scenario.check();
}

// 13 missed events, the default window of 4096: exactly the missed events are replayed.
TEST(integration_resume, replays_exactly_the_missed_events) { run_case({}, 12, false); }

// 16 missed events with a window of 16: still a replay, the oldest missed event is the oldest
// one kept.
TEST(integration_resume, at_the_edge_of_the_window_still_replays) {
  run_case({"--resume-window", "16"}, 15, false);
}

// 21 missed events with a window of 16: the missed events are gone, a snapshot replaces them.
TEST(integration_resume, past_the_window_gets_a_fresh_snapshot) {
  run_case({"--resume-window", "16"}, 20, true);
}

}  // namespace
}  // namespace majlis::testing
