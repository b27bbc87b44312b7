#include "app/meeting_export.hpp"

#include <sstream>

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include "domain/decider.hpp"
#include "domain/projection.hpp"
#include "domain/state_lookup.hpp"
#include "meeting_builder.hpp"
#include "store/embedded_event_log.hpp"

namespace majlis::app {
namespace {

namespace json = boost::json;
using domain::testing::meeting_builder;

// One export's lines, decoded.
struct lines {
  json::object header;
  std::vector<v1::MeetingState> snapshots;
  std::vector<v1::Event> events;
  std::vector<v1::MeetingState> states;
};

template <class Message>
Message decode(const json::value& value) {
  Message message;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json::serialize(value), &message).ok());
  return message;
}

lines decode_export(const std::string& body) {
  lines out;
  std::istringstream in(body);
  std::string line;
  while (std::getline(in, line)) {
    const auto value = json::parse(line);
    const auto& object = value.as_object();
    EXPECT_EQ(object.size(), 1U) << line;
    if (const auto* header = object.if_contains("export")) out.header = header->as_object();
    if (const auto* snapshot = object.if_contains("snapshot"))
      out.snapshots.push_back(decode<v1::MeetingState>(*snapshot));
    if (const auto* event = object.if_contains("event"))
      out.events.push_back(decode<v1::Event>(*event));
    if (const auto* state = object.if_contains("state"))
      out.states.push_back(decode<v1::MeetingState>(*state));
  }
  return out;
}

bool same(const google::protobuf::Message& a, const google::protobuf::Message& b) {
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

// A live meeting with a named and a secret poll, both voted in and closed.
class meeting_export_test : public ::testing::Test {
 protected:
  meeting_export_test() : m(meeting_builder::live_with_item()) {
    using namespace domain::testing;
    m.join("amina", "Amina", v1::ROLE_PARTICIPANT, "academia");
    m.join("omar", "عمر", v1::ROLE_PARTICIPANT, "government");
    named_poll = m.run(create_poll(v1::POLL_KIND_SINGLE, v1::POLL_SECRECY_NAMED,
                                   v1::RESULTS_VISIBILITY_AFTER_CLOSE))
                     .at(0)
                     .poll_created()
                     .poll()
                     .id();
    secret_poll = m.run(create_poll(v1::POLL_KIND_YES_NO_ABSTAIN, v1::POLL_SECRECY_SECRET,
                                    v1::RESULTS_VISIBILITY_AFTER_CLOSE, {}))
                      .at(0)
                      .poll_created()
                      .poll()
                      .id();
    for (const auto& poll : {named_poll, secret_poll}) {
      m.run(open_poll(poll));
      m.run(cast_ballot(poll, {1}), "amina", v1::ROLE_PARTICIPANT);
      m.run(cast_ballot(poll, {0}), "omar", v1::ROLE_PARTICIPANT);
      m.run(close_poll(poll));
    }
    m.run(submit("Publish the draft"), "amina", v1::ROLE_PARTICIPANT);
  }

  // The builder's log written to `log` as the runtime would: secret ballots sealed.
  void store(store::event_log& log) {
    const ballot_seal seal(secret, meeting_id());
    stored = m.log;
    for (auto& event : stored) {
      if (is_secret_ballot(m.state, event)) {
        EXPECT_TRUE(seal.seal_event(event));
      }
    }
    run(log.create(meeting_id(), stored.front()));
    std::vector<v1::Event> rest(stored.begin() + 1, stored.end());
    const auto appended = run(log.append(meeting_id(), 1, rest));
    ASSERT_EQ(appended.status, store::append_status::ok);
  }

  // The state after the first `count` events.
  v1::MeetingState state_after(std::size_t count) const {
    v1::MeetingState state;
    for (std::size_t i = 0; i < count; ++i) domain::evolve(state, m.log[i]);
    state.set_seq(m.log[count - 1].seq());
    return state;
  }

  template <class T>
  T run(boost::asio::awaitable<T> task) {
    auto future = boost::asio::co_spawn(io, std::move(task), boost::asio::use_future);
    io.restart();
    io.run();
    return future.get();
  }

  export_result export_as(store::event_log& log, export_reader reader) {
    return run(export_meeting(log, meeting_id(), reader, 1'700'000'123'000, secret));
  }

  std::string meeting_id() const { return m.state.meeting_id(); }

  meeting_builder m;
  std::vector<v1::Event> stored;  // m.log as the store holds it
  std::string secret = "export-test-signing-secret-32-bytes-long";
  std::string named_poll, secret_poll;
  boost::asio::io_context io;
};

TEST_F(meeting_export_test, a_whole_log_is_exported_in_order_and_folds_to_the_live_state) {
  store::embedded_event_log log;
  store(log);
  const auto result = export_as(log, export_reader::operator_admin);
  ASSERT_EQ(result.status, export_status::ok) << result.problem;
  const auto exported = decode_export(result.body);
  EXPECT_EQ(exported.header.at("meetingId").as_string(), meeting_id());
  EXPECT_EQ(exported.header.at("headSeq").as_string(), std::to_string(m.state.seq()));
  EXPECT_EQ(exported.header.at("exportedAtMs").as_string(), "1700000123000");
  EXPECT_TRUE(exported.header.at("complete").as_bool());
  EXPECT_FALSE(exported.header.at("secretChoicesRedacted").as_bool());
  EXPECT_TRUE(exported.snapshots.empty());
  ASSERT_EQ(exported.events.size(), m.log.size());
  for (std::size_t i = 0; i < m.log.size(); ++i)
    EXPECT_TRUE(same(exported.events[i], stored[i])) << "event " << i;
  // The events as stored: a secret ballot sealed, a named one in clear.
  int sealed = 0, named = 0;
  for (const auto& event : exported.events) {
    if (!event.has_ballot_cast()) continue;
    if (event.ballot_cast().poll_id() == secret_poll) {
      ++sealed;
      EXPECT_TRUE(event.ballot_cast().choices().empty());
      EXPECT_FALSE(event.ballot_cast().sealed_choices().empty());
    } else {
      ++named;
      EXPECT_EQ(event.ballot_cast().choices_size(), 1);
      EXPECT_TRUE(event.ballot_cast().sealed_choices().empty());
    }
  }
  EXPECT_EQ(sealed, 2);
  EXPECT_EQ(named, 2);
  ASSERT_EQ(exported.states.size(), 1U);
  // The fold opened the sealed ballots: the state is the live one, secret tally included.
  EXPECT_TRUE(same(exported.states[0], m.state)) << exported.states[0].ShortDebugString();
}

TEST_F(meeting_export_test, an_open_secret_polls_running_tally_is_sealed_in_the_admin_export) {
  // One ballot in an open secret poll: a running tally in clear would be that ballot's choice.
  using namespace domain::testing;
  const auto open_secret = m.run(create_poll(v1::POLL_KIND_YES_NO_ABSTAIN, v1::POLL_SECRECY_SECRET,
                                             v1::RESULTS_VISIBILITY_ON_PUBLISH, {}))
                               .at(0)
                               .poll_created()
                               .poll()
                               .id();
  m.run(open_poll(open_secret));
  m.run(cast_ballot(open_secret, {2}), "omar", v1::ROLE_PARTICIPANT);
  ASSERT_EQ(m.poll(open_secret).tally(2), 1U);
  store::embedded_event_log log;
  store(log);
  const auto result = export_as(log, export_reader::operator_admin);
  ASSERT_EQ(result.status, export_status::ok) << result.problem;
  auto state = decode_export(result.body).states.at(0);
  const v1::Poll* poll = domain::find_poll(state, open_secret);
  ASSERT_NE(poll, nullptr);
  EXPECT_EQ(poll->voter_ids_size(), 1);  // who voted is in clear
  EXPECT_TRUE(poll->tally().empty());
  EXPECT_FALSE(poll->sealed_tally().empty());
  // Whoever holds the secret opens it: the ballot was counted.
  EXPECT_EQ(ballot_seal(secret, meeting_id()).open_running_tallies(state), 0);
  EXPECT_TRUE(same(state, m.state)) << state.ShortDebugString();
}

TEST_F(meeting_export_test, sealed_ballots_that_do_not_open_are_not_counted) {
  using namespace domain::testing;
  const auto open_secret = m.run(create_poll(v1::POLL_KIND_YES_NO_ABSTAIN, v1::POLL_SECRECY_SECRET,
                                             v1::RESULTS_VISIBILITY_ON_PUBLISH, {}))
                               .at(0)
                               .poll_created()
                               .poll()
                               .id();
  m.run(open_poll(open_secret));
  m.run(cast_ballot(open_secret, {2}), "omar", v1::ROLE_PARTICIPANT);
  store::embedded_event_log log;
  store(log);
  // The secret changed since the ballots were sealed: they are not counted, nothing crashes.
  export_document document(meeting_id(), 1, export_reader::operator_admin,
                           "another-signing-secret-32-bytes-or-more");
  for (const auto& event : stored) ASSERT_TRUE(document.add_event(event));
  EXPECT_EQ(document.unopened_ballots(), 3U);  // two in the closed secret poll, one here
  const v1::Poll* poll = domain::find_poll(document.state(), open_secret);
  ASSERT_NE(poll, nullptr);
  EXPECT_EQ(poll->voter_ids_size(), 1);
  for (auto count : poll->tally()) EXPECT_EQ(count, 0U) << "counted without the key";
}

TEST_F(meeting_export_test, a_trimmed_log_starts_from_its_snapshot_and_says_it_is_incomplete) {
  store::embedded_event_log log({.retention_events = 2});
  store(log);
  const std::size_t at = m.log.size() - 4;
  run(log.save_snapshot(meeting_id(), state_after(at)));
  const auto result = export_as(log, export_reader::operator_admin);
  ASSERT_EQ(result.status, export_status::ok) << result.problem;
  const auto exported = decode_export(result.body);
  EXPECT_FALSE(exported.header.at("complete").as_bool());
  ASSERT_EQ(exported.snapshots.size(), 1U);
  EXPECT_EQ(exported.snapshots[0].seq(), m.log[at - 1].seq());
  ASSERT_EQ(exported.events.size(), 4U);
  EXPECT_EQ(exported.events.front().seq(), m.log[at].seq());
  v1::MeetingState replayed = exported.snapshots[0];
  // The snapshot line holds the open secret poll's running tally sealed, the events its
  // ballots: whoever holds the signing secret opens both.
  const ballot_seal seal(secret, meeting_id());
  EXPECT_TRUE(domain::find_poll(replayed, secret_poll)->tally().empty());
  EXPECT_FALSE(domain::find_poll(replayed, secret_poll)->sealed_tally().empty());
  EXPECT_EQ(seal.open_running_tallies(replayed), 0);  // none failed
  EXPECT_FALSE(domain::find_poll(replayed, secret_poll)->tally().empty());
  for (const auto& event : exported.events) {
    v1::Event opened = event;
    seal.open_event(opened);
    domain::evolve(replayed, opened);
    replayed.set_seq(event.seq());
  }
  EXPECT_TRUE(same(replayed, m.state));
  EXPECT_TRUE(same(exported.states.at(0), m.state));
}

TEST_F(meeting_export_test, a_chair_gets_no_secret_choice_and_the_chairs_view_of_the_state) {
  // A secret poll still open: its running tally would tell the chair how each ballot went.
  using namespace domain::testing;
  const auto open_secret = m.run(create_poll(v1::POLL_KIND_YES_NO_ABSTAIN, v1::POLL_SECRECY_SECRET,
                                             v1::RESULTS_VISIBILITY_ON_PUBLISH, {}))
                               .at(0)
                               .poll_created()
                               .poll()
                               .id();
  m.run(open_poll(open_secret));
  m.run(cast_ballot(open_secret, {2}), "omar", v1::ROLE_PARTICIPANT);
  ASSERT_EQ(m.poll(open_secret).tally_size(), 3);
  store::embedded_event_log log;
  store(log);
  const auto result = export_as(log, export_reader::moderator);
  ASSERT_EQ(result.status, export_status::ok) << result.problem;
  const auto exported = decode_export(result.body);
  EXPECT_TRUE(exported.header.at("secretChoicesRedacted").as_bool());
  int named = 0, secret = 0;
  for (const auto& event : exported.events) {
    if (!event.has_ballot_cast()) continue;
    if (event.ballot_cast().poll_id() != named_poll) {
      ++secret;
      EXPECT_EQ(event.ballot_cast().choices_size(), 0) << event.ShortDebugString();
      EXPECT_FALSE(event.ballot_cast().voter_id().empty());
    } else {
      ++named;
      EXPECT_EQ(event.ballot_cast().choices_size(), 1);
    }
  }
  EXPECT_EQ(named, 2);
  EXPECT_EQ(secret, 3);
  const auto& state = exported.states.at(0);
  EXPECT_TRUE(same(state, domain::project_state(m.state, domain::audience::moderator, {})));
  for (const auto& poll : state.polls()) {
    if (poll.id() == open_secret) {
      EXPECT_EQ(poll.tally_size(), 0);
    }
  }
}

TEST_F(meeting_export_test, an_unknown_meeting_is_not_found) {
  store::embedded_event_log log;
  const auto result = run(export_meeting(log, "nope", export_reader::operator_admin, 0, "k"));
  EXPECT_EQ(result.status, export_status::not_found);
}

TEST(export_document, refuses_an_event_that_does_not_follow_the_last_seq) {
  export_document document("m", 7, export_reader::operator_admin, "k");
  v1::Event event;
  event.set_seq(2);
  event.mutable_meeting_started();
  EXPECT_FALSE(document.add_event(event));
  event.set_seq(1);
  EXPECT_TRUE(document.add_event(event));
  EXPECT_FALSE(document.add_event(event));
  EXPECT_EQ(document.seq(), 1U);
}

}  // namespace
}  // namespace majlis::app
