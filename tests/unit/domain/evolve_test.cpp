// evolve(): seq handling, stubs, robustness, and mirrors fed projected events.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "decider.hpp"
#include "meeting_builder.hpp"
#include "projection.hpp"
#include "state_lookup.hpp"

namespace majlis::domain::testing {
namespace {

using ::testing::ElementsAre;

TEST(domain_evolve, seq_follows_events_and_stubs_only_advance_it) {
  meeting_builder m;
  const v1::MeetingState before = m.state;
  v1::Event stub;
  stub.set_seq(before.seq() + 1);
  evolve(m.state, stub);
  EXPECT_EQ(m.state.seq(), before.seq() + 1);
  m.state.set_seq(before.seq());
  EXPECT_EQ(m.state.SerializeAsString(), before.SerializeAsString());
}

TEST(domain_evolve, an_event_without_seq_leaves_seq_alone) {
  meeting_builder m;
  const uint64_t seq = m.state.seq();
  v1::Event event;
  event.mutable_meeting_started();
  evolve(m.state, event);
  EXPECT_EQ(m.state.seq(), seq);
  EXPECT_EQ(m.state.status(), v1::MEETING_STATUS_LIVE);
}

TEST(domain_evolve, events_that_do_not_fit_are_ignored) {
  meeting_builder m = meeting_builder::live_with_item();
  const v1::MeetingState before = m.state;
  std::vector<v1::Event> strays(8);
  strays[0].mutable_agenda_item_started()->set_item_id("ghost");
  strays[1].mutable_floor_granted()->set_item_id("ghost");
  strays[2].mutable_ballot_cast()->set_poll_id("ghost");
  strays[3].mutable_contribution_upvoted()->set_contribution_id("ghost");
  strays[4].mutable_request_withdrawn()->set_item_id(m.state.current_item_id());
  strays[5].mutable_connection_closed()->set_participant_id("ghost");
  strays[6].mutable_poll_closed()->set_poll_id("ghost");
  strays[7].mutable_floor_paused()->set_item_id(m.state.current_item_id());
  for (const auto& event : strays) evolve(m.state, event);
  EXPECT_EQ(m.state.SerializeAsString(), before.SerializeAsString());
}

TEST(domain_evolve, a_mirror_records_a_ballot_without_choices_as_a_voter_only) {
  meeting_builder m = meeting_builder::live_with_item();
  m.join("amina", "Amina");
  const std::string id = m.next_fresh_id();
  m.run(create_poll(v1::POLL_KIND_YES_NO_ABSTAIN, v1::POLL_SECRECY_NAMED,
                    v1::RESULTS_VISIBILITY_AFTER_CLOSE));
  m.run(open_poll(id));
  v1::MeetingState mirror = project_state(m.state, audience::participant, "omar");
  auto events = m.run(cast_ballot(id, {1}), "amina", v1::ROLE_PARTICIPANT);
  v1::Event projected;
  ASSERT_TRUE(project_event(m.state, events[0], audience::participant, projected));
  evolve(mirror, projected);
  const v1::Poll* poll = find_poll(mirror, id);
  EXPECT_THAT(poll->voter_ids(), ElementsAre("amina"));
  EXPECT_TRUE(poll->tally().empty());
  EXPECT_TRUE(poll->ballots().empty());
  EXPECT_EQ(mirror.seq(), m.state.seq());

  auto closed = m.run(close_poll(id));
  ASSERT_TRUE(project_event(m.state, closed[0], audience::participant, projected));
  evolve(mirror, projected);
  poll = find_poll(mirror, id);
  EXPECT_THAT(poll->tally(), ElementsAre(0U, 1U, 0U));
  EXPECT_TRUE(poll->tally_visible());
  EXPECT_EQ(poll->status(), v1::POLL_STATUS_CLOSED);
}

TEST(domain_evolve, a_mirror_gets_a_published_tally_and_named_ballots) {
  meeting_builder m = meeting_builder::live_with_item();
  m.join("amina", "Amina");
  const std::string id = m.next_fresh_id();
  m.run(create_poll(v1::POLL_KIND_YES_NO_ABSTAIN, v1::POLL_SECRECY_NAMED,
                    v1::RESULTS_VISIBILITY_ON_PUBLISH));
  m.run(open_poll(id));
  m.run(cast_ballot(id, {2}), "amina", v1::ROLE_PARTICIPANT);
  m.run(close_poll(id));
  v1::MeetingState mirror = project_state(m.state, audience::public_view, "");
  EXPECT_TRUE(find_poll(mirror, id)->tally().empty());
  auto published = m.run(publish_poll(id));
  v1::Event projected;
  ASSERT_TRUE(project_event(m.state, published[0], audience::public_view, projected));
  evolve(mirror, projected);
  const v1::Poll* poll = find_poll(mirror, id);
  EXPECT_THAT(poll->tally(), ElementsAre(0U, 0U, 1U));
  EXPECT_TRUE(poll->tally_visible());
  ASSERT_EQ(poll->ballots_size(), 1);
  EXPECT_EQ(poll->ballots(0).voter_id(), "amina");
}

TEST(domain_evolve, a_mirror_gets_an_unhidden_contribution_back_in_place) {
  meeting_builder m = meeting_builder::live_with_item();
  m.join("amina", "Amina");
  const std::string first = m.next_fresh_id();
  m.run(submit("first"), "amina", v1::ROLE_PARTICIPANT);
  m.advance(1000);
  m.run(submit("second"), "amina", v1::ROLE_PARTICIPANT);
  m.run(mark(first, false, true));
  v1::MeetingState mirror = project_state(m.state, audience::participant, "omar");
  ASSERT_EQ(mirror.contributions_size(), 2);
  EXPECT_TRUE(mirror.contributions(0).hidden());
  EXPECT_TRUE(mirror.contributions(0).text().empty());
  auto shown = m.run(mark(first, true, false));
  v1::Event projected;
  ASSERT_TRUE(project_event(m.state, shown[0], audience::participant, projected));
  evolve(mirror, projected);
  ASSERT_EQ(mirror.contributions_size(), 2);
  EXPECT_EQ(mirror.contributions(0).text(), "first");
  EXPECT_TRUE(mirror.contributions(0).answered());
  EXPECT_EQ(mirror.contributions(1).text(), "second");
}

TEST(domain_evolve, folding_the_log_again_gives_the_same_state) {
  meeting_builder m = meeting_builder::live_with_item();
  m.join("amina", "Amina", v1::ROLE_PARTICIPANT, "academia");
  m.run(request_floor(), "amina", v1::ROLE_PARTICIPANT);
  m.run(next_speaker());
  m.advance(5000);
  m.run(end_turn());
  v1::MeetingState replayed;
  for (const auto& event : m.log) evolve(replayed, event);
  EXPECT_EQ(replayed.SerializeAsString(), m.state.SerializeAsString());
}

}  // namespace
}  // namespace majlis::domain::testing
