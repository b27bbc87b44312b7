// What each audience sees of events and snapshots; above all, secret ballots never leak.
#include "projection.hpp"

#include <gmock/gmock.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include "meeting_builder.hpp"
#include "state_lookup.hpp"

namespace majlis::domain::testing {
namespace {

using ::testing::ElementsAre;

// Puts a contribution on the room display; an empty id takes it off.
v1::Command show(const std::string& contribution_id) {
  v1::Command command;
  command.mutable_show_contribution()->set_contribution_id(contribution_id);
  return command;
}

constexpr audience all_audiences[] = {audience::moderator, audience::participant,
                                      audience::public_view, audience::display};

class domain_projection : public ::testing::Test {
 protected:
  void SetUp() override {
    m.join("amina", "Amina");
    m.join("omar", "Omar");
  }
  std::string open(v1::PollSecrecy secrecy, v1::ResultsVisibility visibility) {
    const std::string id = m.next_fresh_id();
    m.run(create_poll(v1::POLL_KIND_YES_NO_ABSTAIN, secrecy, visibility));
    m.run(open_poll(id));
    return id;
  }
  v1::Event vote(const std::string& poll, const std::string& who, uint32_t choice) {
    auto events = m.run(cast_ballot(poll, {choice}), who, v1::ROLE_PARTICIPANT);
    return events.empty() ? v1::Event{} : events[0];
  }
  v1::Event project(const v1::Event& event, audience who) {
    v1::Event out;
    EXPECT_TRUE(project_event(m.state, event, who, out));
    return out;
  }
  meeting_builder m = meeting_builder::live_with_item();
};

TEST(domain_projection_audience, roles_map_to_audiences) {
  EXPECT_EQ(audience_of(v1::ROLE_MODERATOR), audience::moderator);
  EXPECT_EQ(audience_of(v1::ROLE_PARTICIPANT), audience::participant);
  EXPECT_EQ(audience_of(v1::ROLE_DISPLAY), audience::display);
  EXPECT_EQ(audience_of(v1::ROLE_OBSERVER), audience::public_view);
}

TEST_F(domain_projection, a_secret_ballot_never_shows_its_choices_to_anyone) {
  const std::string id = open(v1::POLL_SECRECY_SECRET, v1::RESULTS_VISIBILITY_AFTER_CLOSE);
  const v1::Event cast = vote(id, "amina", 1);
  ASSERT_THAT(cast.ballot_cast().choices(), ElementsAre(1U));  // the log needs it for the tally
  for (audience who : all_audiences) {
    const v1::Event out = project(cast, who);
    EXPECT_TRUE(out.ballot_cast().choices().empty());
    EXPECT_EQ(out.ballot_cast().voter_id(), "amina");
    const v1::MeetingState view = project_state(m.state, who, "amina");
    const v1::Poll* poll = find_poll(view, id);
    ASSERT_NE(poll, nullptr);
    EXPECT_TRUE(poll->ballots().empty());
    EXPECT_TRUE(poll->my_choices().empty());
    EXPECT_TRUE(poll->tally().empty());  // nobody sees a secret tally while it is open
    EXPECT_FALSE(poll->tally_visible());
    EXPECT_THAT(poll->voter_ids(), ElementsAre("amina"));
  }
}

TEST_F(domain_projection, sealed_choices_reach_no_audience_in_any_poll) {
  // The log holds a secret ballot's choices sealed; a replay or a batch from the log must not
  // pass the sealed bytes on (nor, for a named poll, anything but the choices).
  for (auto secrecy : {v1::POLL_SECRECY_SECRET, v1::POLL_SECRECY_NAMED}) {
    const std::string id = open(secrecy, secrecy == v1::POLL_SECRECY_SECRET
                                             ? v1::RESULTS_VISIBILITY_AFTER_CLOSE
                                             : v1::RESULTS_VISIBILITY_LIVE);
    v1::Event cast = vote(id, "amina", 1);
    cast.mutable_ballot_cast()->set_sealed_choices(std::string("\x01sealed-bytes", 13));
    for (audience who : all_audiences) {
      const v1::Event out = project(cast, who);
      EXPECT_TRUE(out.ballot_cast().sealed_choices().empty()) << static_cast<int>(who);
      EXPECT_EQ(out.ballot_cast().voter_id(), "amina");
    }
  }
}

TEST_F(domain_projection, the_chair_learns_a_secret_tally_at_close) {
  const std::string id = open(v1::POLL_SECRECY_SECRET, v1::RESULTS_VISIBILITY_ON_PUBLISH);
  vote(id, "amina", 1);
  vote(id, "omar", 1);
  auto closed = m.run(close_poll(id));
  ASSERT_EQ(closed.size(), 1U);
  EXPECT_THAT(project(closed[0], audience::moderator).poll_closed().tally(),
              ElementsAre(0U, 2U, 0U));
  EXPECT_TRUE(project(closed[0], audience::participant).poll_closed().tally().empty());
  EXPECT_TRUE(project(closed[0], audience::public_view).poll_closed().tally().empty());
  EXPECT_THAT(find_poll(project_state(m.state, audience::moderator, chair_id), id)->tally(),
              ElementsAre(0U, 2U, 0U));
  EXPECT_TRUE(
      find_poll(project_state(m.state, audience::participant, "amina"), id)->tally().empty());
  auto published = m.run(publish_poll(id));
  for (audience who : all_audiences) {
    const v1::Event out = project(published[0], who);
    EXPECT_THAT(out.poll_published().tally(), ElementsAre(0U, 2U, 0U));
    EXPECT_TRUE(out.poll_published().ballots().empty());
  }
}

TEST_F(domain_projection, named_live_ballots_are_public_others_only_for_the_chair) {
  const std::string live = open(v1::POLL_SECRECY_NAMED, v1::RESULTS_VISIBILITY_LIVE);
  const std::string after = open(v1::POLL_SECRECY_NAMED, v1::RESULTS_VISIBILITY_AFTER_CLOSE);
  const v1::Event live_cast = vote(live, "amina", 0);
  const v1::Event after_cast = vote(after, "amina", 2);
  for (audience who : all_audiences) {
    EXPECT_THAT(project(live_cast, who).ballot_cast().choices(), ElementsAre(0U));
  }
  EXPECT_THAT(project(after_cast, audience::moderator).ballot_cast().choices(), ElementsAre(2U));
  EXPECT_TRUE(project(after_cast, audience::participant).ballot_cast().choices().empty());
  EXPECT_TRUE(project(after_cast, audience::public_view).ballot_cast().choices().empty());

  const v1::MeetingState omar_view = project_state(m.state, audience::participant, "omar");
  EXPECT_THAT(find_poll(omar_view, live)->tally(), ElementsAre(1U, 0U, 0U));
  EXPECT_EQ(find_poll(omar_view, live)->ballots_size(), 1);
  EXPECT_TRUE(find_poll(omar_view, after)->tally().empty());
  EXPECT_TRUE(find_poll(omar_view, after)->ballots().empty());
  const v1::MeetingState chair_view = project_state(m.state, audience::moderator, chair_id);
  EXPECT_THAT(find_poll(chair_view, after)->tally(), ElementsAre(0U, 0U, 1U));
  EXPECT_TRUE(find_poll(chair_view, after)->tally_visible());
  EXPECT_EQ(find_poll(chair_view, after)->ballots_size(), 1);
}

TEST_F(domain_projection, my_choices_is_the_viewers_own_named_ballot) {
  const std::string id = open(v1::POLL_SECRECY_NAMED, v1::RESULTS_VISIBILITY_ON_PUBLISH);
  vote(id, "amina", 2);
  vote(id, "omar", 0);
  const v1::MeetingState amina_view = project_state(m.state, audience::participant, "amina");
  const v1::Poll* poll = find_poll(amina_view, id);
  EXPECT_THAT(poll->my_choices(), ElementsAre(2U));
  EXPECT_TRUE(poll->tally().empty());
  EXPECT_TRUE(poll->ballots().empty());
}

TEST_F(domain_projection, only_a_named_ballot_makes_a_snapshot_the_viewers_own) {
  const std::string named = open(v1::POLL_SECRECY_NAMED, v1::RESULTS_VISIBILITY_ON_PUBLISH);
  const std::string secret = open(v1::POLL_SECRECY_SECRET, v1::RESULTS_VISIBILITY_AFTER_CLOSE);
  vote(named, "amina", 2);
  vote(secret, "omar", 0);
  EXPECT_TRUE(snapshot_depends_on_viewer(m.state, "amina"));
  EXPECT_FALSE(snapshot_depends_on_viewer(m.state, "omar"));
  EXPECT_FALSE(snapshot_depends_on_viewer(m.state, ""));
  // Whoever it does not depend on gets the audience's shared snapshot.
  for (const auto who : all_audiences) {
    EXPECT_EQ(project_state(m.state, who, "omar").SerializeAsString(),
              project_state(m.state, who, "").SerializeAsString());
  }
}

TEST_F(domain_projection, after_close_results_reach_everyone_at_close) {
  const std::string id = open(v1::POLL_SECRECY_NAMED, v1::RESULTS_VISIBILITY_AFTER_CLOSE);
  vote(id, "amina", 1);
  auto closed = m.run(close_poll(id));
  for (audience who : all_audiences) {
    EXPECT_THAT(project(closed[0], who).poll_closed().tally(), ElementsAre(0U, 1U, 0U));
  }
  v1::MeetingState view = project_state(m.state, audience::public_view, "");
  const v1::Poll* poll = find_poll(view, id);
  EXPECT_THAT(poll->tally(), ElementsAre(0U, 1U, 0U));
  EXPECT_TRUE(poll->ballots().empty());  // who chose what: once published
  auto published = m.run(publish_poll(id));
  EXPECT_EQ(project(published[0], audience::public_view).poll_published().ballots_size(), 1);
  view = project_state(m.state, audience::public_view, "");
  poll = find_poll(view, id);
  EXPECT_EQ(poll->ballots_size(), 1);
}

TEST_F(domain_projection, a_created_poll_shows_a_tally_only_where_visible) {
  auto created = m.run(create_poll(v1::POLL_KIND_YES_NO_ABSTAIN, v1::POLL_SECRECY_NAMED,
                                   v1::RESULTS_VISIBILITY_AFTER_CLOSE));
  EXPECT_TRUE(project(created[0], audience::participant).poll_created().poll().tally().empty());
  EXPECT_EQ(project(created[0], audience::moderator).poll_created().poll().tally_size(), 3);
  created = m.run(create_poll(v1::POLL_KIND_YES_NO_ABSTAIN, v1::POLL_SECRECY_SECRET,
                              v1::RESULTS_VISIBILITY_AFTER_CLOSE));
  EXPECT_TRUE(project(created[0], audience::moderator).poll_created().poll().tally().empty());
}

TEST_F(domain_projection, hidden_contributions_are_blanked_for_non_moderators) {
  const std::string id = m.next_fresh_id();
  m.run(submit("off-topic"), "amina", v1::ROLE_PARTICIPANT);
  auto hidden = m.run(mark(id, false, true));
  const v1::Event projected = project(hidden[0], audience::participant);
  EXPECT_TRUE(projected.contribution_marked().hidden());
  ASSERT_TRUE(projected.contribution_marked().has_contribution());
  EXPECT_TRUE(projected.contribution_marked().contribution().text().empty());
  for (auto who : {audience::participant, audience::public_view}) {
    const auto view = project_state(m.state, who, "omar");
    ASSERT_EQ(view.contributions_size(), 1);
    EXPECT_TRUE(view.contributions(0).hidden());
    EXPECT_TRUE(view.contributions(0).text().empty());
    EXPECT_EQ(view.contributions(0).upvotes(), 0u);
  }
  EXPECT_EQ(project_state(m.state, audience::moderator, chair_id).contributions(0).text(),
            "off-topic");

  auto shown = m.run(mark(id, false, false));
  const v1::Event out = project(shown[0], audience::participant);
  ASSERT_TRUE(out.contribution_marked().has_contribution());
  EXPECT_EQ(out.contribution_marked().contribution().text(), "off-topic");
  EXPECT_FALSE(project(shown[0], audience::moderator).contribution_marked().has_contribution());
  EXPECT_EQ(project_state(m.state, audience::participant, "omar").contributions_size(), 1);
}

// The room display reads the text from its own mirror: every audience learns which contribution
// is on screen, and its snapshot carries it.
TEST_F(domain_projection, every_audience_sees_which_contribution_is_on_the_display) {
  const std::string id = m.next_fresh_id();
  m.run(submit("Will the law cover small businesses?"), "amina", v1::ROLE_PARTICIPANT);
  auto shown = m.run(show(id));
  for (auto who : all_audiences) {
    EXPECT_EQ(project(shown[0], who).contribution_shown().contribution_id(), id);
    const auto view = project_state(m.state, who, "omar");
    EXPECT_EQ(view.on_screen_contribution_id(), id);
    ASSERT_NE(find_contribution(view, id), nullptr);
    EXPECT_EQ(find_contribution(view, id)->text(), "Will the law cover small businesses?");
  }
}

// A replay (or a live batch) is projected against the state as it is now: a contribution
// submitted and then hidden since reaches non-moderators blanked, never with its text.
TEST_F(domain_projection, a_contribution_hidden_since_is_blanked_in_its_submission) {
  const v1::MeetingState before = m.state;
  const std::string id = m.next_fresh_id();
  const auto submitted = m.run(submit("my phone number is 0550 12 34 56"), "amina",
                               v1::ROLE_PARTICIPANT);
  ASSERT_EQ(submitted.size(), 1u);
  const auto upvoted = m.run(upvote(id), "omar", v1::ROLE_PARTICIPANT);
  const auto hidden = m.run(mark(id, false, true));
  for (audience who : {audience::participant, audience::public_view}) {
    const v1::Event out = project(submitted[0], who);
    ASSERT_TRUE(out.has_contribution_submitted());
    const auto& carried = out.contribution_submitted().contribution();
    EXPECT_EQ(carried.id(), id);
    EXPECT_TRUE(carried.text().empty()) << carried.ShortDebugString();
    EXPECT_TRUE(carried.upvoter_ids().empty());
    EXPECT_EQ(carried.upvotes(), 0u);
    EXPECT_TRUE(carried.hidden());
    const v1::MeetingState view = project_state(m.state, who, "omar");
    ASSERT_EQ(view.contributions_size(), 1);
    EXPECT_EQ(carried.SerializeAsString(), view.contributions(0).SerializeAsString());

    // A mirror fed the whole replay reaches the projected snapshot.
    v1::MeetingState mirror = project_state(before, who, "omar");
    for (const auto* events : {&submitted, &upvoted, &hidden}) {
      for (const auto& event : *events) {
        v1::Event projected;
        if (!project_event(m.state, event, who, projected)) projected.Clear();
        projected.set_seq(event.seq());
        evolve(mirror, projected);
      }
    }
    std::string report;
    google::protobuf::util::MessageDifferencer differ;
    differ.ReportDifferencesToString(&report);
    EXPECT_TRUE(differ.Compare(view, mirror)) << report;
  }
  EXPECT_EQ(project(submitted[0], audience::moderator).contribution_submitted().contribution().text(),
            "my phone number is 0550 12 34 56");
}

TEST_F(domain_projection, a_stub_shows_nothing) {
  v1::Event stub;
  stub.set_seq(42);
  v1::Event out;
  EXPECT_FALSE(project_event(m.state, stub, audience::participant, out));
}

TEST_F(domain_projection, ordinary_events_pass_unchanged) {
  auto events = m.run(request_floor(), "amina", v1::ROLE_PARTICIPANT);
  for (audience who : all_audiences) {
    v1::Event out;
    EXPECT_TRUE(project_event(m.state, events[0], who, out));
    EXPECT_EQ(out.SerializeAsString(), events[0].SerializeAsString());
  }
}

}  // namespace
}  // namespace majlis::domain::testing
