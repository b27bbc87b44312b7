// Polls: creation rules per kind, lifecycle, ballots, tallies, secrecy, deadlines.
#include "polls.hpp"

#include <numeric>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "limits.hpp"
#include "meeting_builder.hpp"

namespace majlis::domain::testing {
namespace {

using ::testing::ElementsAre;

class domain_polls : public ::testing::Test {
 protected:
  void SetUp() override {
    m.join("amina", "Amina");
    m.join("omar", "Omar");
    m.join("sara", "Sara");
  }
  // Creates and opens a poll; returns its id.
  std::string open(const v1::Command& create) {
    const std::string id = m.next_fresh_id();
    m.run(create);
    m.run(open_poll(id));
    return id;
  }
  void vote(const std::string& poll, const std::string& who, std::vector<uint32_t> choices) {
    m.run(cast_ballot(poll, choices), who, v1::ROLE_PARTICIPANT);
  }
  rejection refused_vote(const std::string& poll, const std::string& who,
                         std::vector<uint32_t> choices) {
    return m.refuse(cast_ballot(poll, choices), who, v1::ROLE_PARTICIPANT);
  }
  meeting_builder m = meeting_builder::live_with_item();
};

TEST_F(domain_polls, a_created_poll_is_a_draft_with_defaults) {
  const std::string id = m.next_fresh_id();
  v1::Command command = create_poll(v1::POLL_KIND_SINGLE, v1::POLL_SECRECY_UNSPECIFIED,
                                    v1::RESULTS_VISIBILITY_UNSPECIFIED, {"Option A", "Option B"});
  m.run(command);
  const auto& poll = m.poll(id);
  EXPECT_EQ(poll.status(), v1::POLL_STATUS_DRAFT);
  EXPECT_EQ(poll.secrecy(), v1::POLL_SECRECY_NAMED);
  EXPECT_EQ(poll.visibility(), v1::RESULTS_VISIBILITY_AFTER_CLOSE);
  EXPECT_THAT(poll.eligible_roles(), ElementsAre(v1::ROLE_PARTICIPANT, v1::ROLE_MODERATOR));
  EXPECT_EQ(poll.item_id(), m.state.current_item_id());
  EXPECT_THAT(poll.tally(), ElementsAre(0U, 0U));
  EXPECT_FALSE(poll.tally_visible());
  EXPECT_EQ(poll.min_choices(), 1U);
  EXPECT_EQ(poll.max_choices(), 1U);
}

TEST_F(domain_polls, yes_no_abstain_options_are_fixed) {
  const std::string id = m.next_fresh_id();
  m.run(create_poll(v1::POLL_KIND_YES_NO_ABSTAIN, v1::POLL_SECRECY_NAMED,
                    v1::RESULTS_VISIBILITY_LIVE, {"ignored"}));
  EXPECT_THAT(m.poll(id).options(), ElementsAre("yes", "no", "abstain"));
  EXPECT_TRUE(m.poll(id).tally_visible());
}

TEST_F(domain_polls, option_counts_and_texts_are_checked) {
  auto single = [](std::vector<std::string> options) {
    return create_poll(v1::POLL_KIND_SINGLE, v1::POLL_SECRECY_NAMED,
                       v1::RESULTS_VISIBILITY_AFTER_CLOSE, options);
  };
  EXPECT_EQ(m.refuse(single({"only one"})).code, v1::ERROR_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(m.refuse(single({"A", " "})).code, v1::ERROR_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(m.refuse(single({"A", std::string(201, 'b')})).code, v1::ERROR_CODE_INVALID_ARGUMENT);
  std::vector<std::string> many(limits::max_poll_options + 1, "x");
  EXPECT_EQ(m.refuse(single(many)).code, v1::ERROR_CODE_RESOURCE_EXHAUSTED);
  many.pop_back();
  m.run(single(many));
  v1::Command no_question = single({"A", "B"});
  no_question.mutable_create_poll()->set_question("");
  EXPECT_EQ(m.refuse(no_question).code, v1::ERROR_CODE_INVALID_ARGUMENT);
  v1::Command no_kind = single({"A", "B"});
  no_kind.mutable_create_poll()->set_kind(v1::POLL_KIND_UNSPECIFIED);
  EXPECT_EQ(m.refuse(no_kind).code, v1::ERROR_CODE_INVALID_ARGUMENT);
}

TEST_F(domain_polls, multiple_needs_sensible_bounds) {
  auto multiple = [](uint32_t min, uint32_t max) {
    return create_poll(v1::POLL_KIND_MULTIPLE, v1::POLL_SECRECY_NAMED,
                       v1::RESULTS_VISIBILITY_AFTER_CLOSE, {"A", "B", "C"}, min, max);
  };
  EXPECT_EQ(m.refuse(multiple(0, 2)).code, v1::ERROR_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(m.refuse(multiple(3, 2)).code, v1::ERROR_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(m.refuse(multiple(1, 4)).code, v1::ERROR_CODE_INVALID_ARGUMENT);
  const std::string id = m.next_fresh_id();
  m.run(multiple(1, 2));
  EXPECT_EQ(m.poll(id).min_choices(), 1U);
  EXPECT_EQ(m.poll(id).max_choices(), 2U);
}

TEST_F(domain_polls, a_secret_poll_cannot_show_live_results) {
  const auto refused = m.refuse(create_poll(v1::POLL_KIND_YES_NO_ABSTAIN, v1::POLL_SECRECY_SECRET,
                                            v1::RESULTS_VISIBILITY_LIVE));
  EXPECT_EQ(refused.code, v1::ERROR_CODE_INVALID_ARGUMENT);
  EXPECT_NE(refused.message.find("reveal"), std::string::npos);
}

TEST_F(domain_polls, eligible_roles_exclude_displays_and_observers) {
  v1::Command command = create_poll(v1::POLL_KIND_YES_NO_ABSTAIN, v1::POLL_SECRECY_NAMED,
                                    v1::RESULTS_VISIBILITY_AFTER_CLOSE);
  command.mutable_create_poll()->add_eligible_roles(v1::ROLE_OBSERVER);
  EXPECT_EQ(m.refuse(command).code, v1::ERROR_CODE_INVALID_ARGUMENT);
  command.mutable_create_poll()->clear_eligible_roles();
  command.mutable_create_poll()->add_eligible_roles(v1::ROLE_MODERATOR);
  const std::string id = open(command);
  EXPECT_EQ(refused_vote(id, "amina", {0}).code, v1::ERROR_CODE_PERMISSION_DENIED);
  m.run(cast_ballot(id, {1}));
  EXPECT_THAT(m.poll(id).voter_ids(), ElementsAre(chair_id));
}

TEST_F(domain_polls, lifecycle_draft_open_closed_published) {
  const std::string id = m.next_fresh_id();
  m.run(create_poll(v1::POLL_KIND_YES_NO_ABSTAIN, v1::POLL_SECRECY_NAMED,
                    v1::RESULTS_VISIBILITY_ON_PUBLISH));
  EXPECT_EQ(m.refuse(close_poll(id)).code, v1::ERROR_CODE_FAILED_PRECONDITION);
  EXPECT_EQ(m.refuse(publish_poll(id)).code, v1::ERROR_CODE_FAILED_PRECONDITION);
  EXPECT_EQ(refused_vote(id, "amina", {0}).code, v1::ERROR_CODE_FAILED_PRECONDITION);
  m.run(open_poll(id));
  EXPECT_EQ(m.poll(id).status(), v1::POLL_STATUS_OPEN);
  EXPECT_EQ(m.poll(id).opened_at_ms(), m.now_ms);
  EXPECT_EQ(m.refuse(open_poll(id)).code, v1::ERROR_CODE_FAILED_PRECONDITION);
  vote(id, "amina", {0});
  m.run(close_poll(id));
  EXPECT_EQ(m.poll(id).status(), v1::POLL_STATUS_CLOSED);
  const auto second_close = m.refuse(close_poll(id));
  EXPECT_EQ(second_close.code, v1::ERROR_CODE_FAILED_PRECONDITION);
  EXPECT_NE(second_close.message.find("already closed"), std::string::npos);
  EXPECT_FALSE(m.poll(id).tally_visible());  // on_publish: not yet
  m.run(publish_poll(id));
  EXPECT_EQ(m.poll(id).status(), v1::POLL_STATUS_PUBLISHED);
  EXPECT_TRUE(m.poll(id).tally_visible());
  EXPECT_EQ(m.refuse(publish_poll(id)).code, v1::ERROR_CODE_FAILED_PRECONDITION);
  EXPECT_EQ(m.refuse(close_poll(id)).code, v1::ERROR_CODE_FAILED_PRECONDITION);
}

TEST_F(domain_polls, opening_needs_a_live_meeting) {
  meeting_builder scheduled;
  const std::string id = scheduled.next_fresh_id();
  scheduled.run(create_poll(v1::POLL_KIND_YES_NO_ABSTAIN, v1::POLL_SECRECY_NAMED,
                            v1::RESULTS_VISIBILITY_AFTER_CLOSE));
  EXPECT_EQ(scheduled.refuse(open_poll(id)).code, v1::ERROR_CODE_FAILED_PRECONDITION);
  EXPECT_TRUE(scheduled.poll(id).item_id().empty());  // no item under way: a meeting poll
}

TEST_F(domain_polls, only_drafts_are_deleted) {
  const std::string draft = m.next_fresh_id();
  m.run(create_poll(v1::POLL_KIND_YES_NO_ABSTAIN, v1::POLL_SECRECY_NAMED,
                    v1::RESULTS_VISIBILITY_AFTER_CLOSE));
  const std::string opened = open(create_poll(v1::POLL_KIND_YES_NO_ABSTAIN, v1::POLL_SECRECY_NAMED,
                                              v1::RESULTS_VISIBILITY_AFTER_CLOSE));
  v1::Command remove;
  remove.mutable_delete_poll()->set_poll_id(opened);
  EXPECT_EQ(m.refuse(remove).code, v1::ERROR_CODE_FAILED_PRECONDITION);
  remove.mutable_delete_poll()->set_poll_id(draft);
  m.run(remove);
  EXPECT_EQ(m.state.polls_size(), 1);
  EXPECT_EQ(m.refuse(remove).code, v1::ERROR_CODE_NOT_FOUND);
}

TEST_F(domain_polls, single_choice_ballots) {
  const std::string id = open(create_poll(v1::POLL_KIND_SINGLE, v1::POLL_SECRECY_NAMED,
                                          v1::RESULTS_VISIBILITY_AFTER_CLOSE));
  EXPECT_EQ(refused_vote(id, "amina", {}).code, v1::ERROR_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(refused_vote(id, "amina", {0, 1}).code, v1::ERROR_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(refused_vote(id, "amina", {3}).code, v1::ERROR_CODE_INVALID_ARGUMENT);
  vote(id, "amina", {2});
  vote(id, "omar", {2});
  vote(id, "sara", {0});
  EXPECT_THAT(m.poll(id).tally(), ElementsAre(1U, 0U, 2U));
  EXPECT_THAT(m.poll(id).voter_ids(), ElementsAre("amina", "omar", "sara"));
  ASSERT_EQ(m.poll(id).ballots_size(), 3);
  EXPECT_THAT(m.poll(id).ballots(0).choices(), ElementsAre(2U));
}

TEST_F(domain_polls, multiple_choice_ballots) {
  const std::string id =
      open(create_poll(v1::POLL_KIND_MULTIPLE, v1::POLL_SECRECY_NAMED,
                       v1::RESULTS_VISIBILITY_AFTER_CLOSE, {"A", "B", "C", "D"}, 2, 3));
  EXPECT_EQ(refused_vote(id, "amina", {1}).code, v1::ERROR_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(refused_vote(id, "amina", {0, 1, 2, 3}).code, v1::ERROR_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(refused_vote(id, "amina", {1, 1}).code, v1::ERROR_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(refused_vote(id, "amina", {1, 4}).code, v1::ERROR_CODE_INVALID_ARGUMENT);
  vote(id, "amina", {0, 3});
  vote(id, "omar", {0, 1, 3});
  EXPECT_THAT(m.poll(id).tally(), ElementsAre(2U, 1U, 0U, 2U));
}

TEST_F(domain_polls, a_named_ballot_may_change_while_open) {
  const std::string id = open(create_poll(v1::POLL_KIND_YES_NO_ABSTAIN, v1::POLL_SECRECY_NAMED,
                                          v1::RESULTS_VISIBILITY_AFTER_CLOSE));
  vote(id, "amina", {0});
  auto events = m.run(cast_ballot(id, {1}), "amina", v1::ROLE_PARTICIPANT);
  ASSERT_EQ(events.size(), 1U);
  EXPECT_TRUE(events[0].ballot_cast().replaces_previous());
  EXPECT_THAT(m.poll(id).tally(), ElementsAre(0U, 1U, 0U));
  EXPECT_THAT(m.poll(id).voter_ids(), ElementsAre("amina"));
  ASSERT_EQ(m.poll(id).ballots_size(), 1);
  EXPECT_THAT(m.poll(id).ballots(0).choices(), ElementsAre(1U));
  m.run(close_poll(id));
  EXPECT_EQ(refused_vote(id, "amina", {2}).code, v1::ERROR_CODE_FAILED_PRECONDITION);
}

TEST_F(domain_polls, a_secret_ballot_is_final_and_never_stored) {
  const std::string id = open(create_poll(v1::POLL_KIND_YES_NO_ABSTAIN, v1::POLL_SECRECY_SECRET,
                                          v1::RESULTS_VISIBILITY_AFTER_CLOSE));
  vote(id, "amina", {0});
  vote(id, "omar", {1});
  EXPECT_EQ(refused_vote(id, "amina", {1}).code, v1::ERROR_CODE_ALREADY_EXISTS);
  const auto& poll = m.poll(id);
  EXPECT_EQ(poll.ballots_size(), 0);
  EXPECT_TRUE(poll.my_choices().empty());
  EXPECT_THAT(poll.voter_ids(), ElementsAre("amina", "omar"));
  EXPECT_THAT(poll.tally(), ElementsAre(1U, 1U, 0U));
  m.run(close_poll(id));
  m.run(publish_poll(id));
  EXPECT_EQ(m.poll(id).ballots_size(), 0);
  for (const auto& event : m.log) {
    if (event.has_poll_published()) {
      EXPECT_EQ(event.poll_published().ballots_size(), 0);
    }
  }
}

TEST_F(domain_polls, closing_reports_the_tally_and_who_could_vote) {
  m.join("screen", "Screen", v1::ROLE_DISPLAY);
  m.join("gone", "Gone");
  m.leave("gone");
  const std::string id = open(create_poll(v1::POLL_KIND_YES_NO_ABSTAIN, v1::POLL_SECRECY_NAMED,
                                          v1::RESULTS_VISIBILITY_AFTER_CLOSE));
  vote(id, "amina", {0});
  auto events = m.run(close_poll(id));
  ASSERT_EQ(events.size(), 1U);
  const auto& closed = events[0].poll_closed();
  EXPECT_EQ(closed.eligible_online(), 4U);  // chair, amina, omar, sara
  EXPECT_FALSE(closed.by_deadline());
  EXPECT_THAT(closed.tally(), ElementsAre(1U, 0U, 0U));
  EXPECT_EQ(m.poll(id).eligible_online_at_close(), 4U);
  EXPECT_TRUE(m.poll(id).tally_visible());
  EXPECT_EQ(m.poll(id).closed_at_ms(), m.now_ms);
}

TEST_F(domain_polls, on_publish_close_carries_no_tally_in_the_log) {
  const std::string id = open(create_poll(v1::POLL_KIND_YES_NO_ABSTAIN, v1::POLL_SECRECY_NAMED,
                                          v1::RESULTS_VISIBILITY_ON_PUBLISH));
  vote(id, "amina", {0});
  auto events = m.run(close_poll(id));
  ASSERT_EQ(events.size(), 1U);
  EXPECT_TRUE(events[0].poll_closed().tally().empty());
  EXPECT_THAT(m.poll(id).tally(), ElementsAre(1U, 0U, 0U));  // kept in the authoritative state
  events = m.run(publish_poll(id));
  EXPECT_THAT(events[0].poll_published().tally(), ElementsAre(1U, 0U, 0U));
  ASSERT_EQ(events[0].poll_published().ballots_size(), 1);
  EXPECT_EQ(events[0].poll_published().ballots(0).voter_id(), "amina");
}

TEST_F(domain_polls, visibility_decides_when_the_tally_becomes_visible) {
  const std::string live = open(create_poll(v1::POLL_KIND_YES_NO_ABSTAIN, v1::POLL_SECRECY_NAMED,
                                            v1::RESULTS_VISIBILITY_LIVE));
  const std::string after = open(create_poll(v1::POLL_KIND_YES_NO_ABSTAIN, v1::POLL_SECRECY_NAMED,
                                             v1::RESULTS_VISIBILITY_AFTER_CLOSE));
  EXPECT_TRUE(m.poll(live).tally_visible());
  EXPECT_FALSE(m.poll(after).tally_visible());
  m.run(close_poll(after));
  EXPECT_TRUE(m.poll(after).tally_visible());
}

TEST_F(domain_polls, a_deadline_closes_the_poll_through_the_system) {
  v1::Command create = create_poll(v1::POLL_KIND_YES_NO_ABSTAIN, v1::POLL_SECRECY_SECRET,
                                   v1::RESULTS_VISIBILITY_AFTER_CLOSE);
  create.mutable_create_poll()->set_deadline_ms(m.now_ms + 60'000);
  const std::string id = open(create);
  EXPECT_EQ(next_deadline_ms(m.state), m.now_ms + 60'000);
  EXPECT_TRUE(due_commands(m.state, m.now_ms).empty());
  const decision early =
      decide(m.state, close_poll(id), command_context{"", v1::ROLE_UNSPECIFIED, m.now_ms, ""});
  ASSERT_TRUE(std::holds_alternative<rejection>(early));
  EXPECT_EQ(std::get<rejection>(early).code, v1::ERROR_CODE_FAILED_PRECONDITION);
  m.advance(60'000);
  auto due = due_commands(m.state, m.now_ms);
  ASSERT_EQ(due.size(), 1U);
  EXPECT_EQ(due[0].close_poll().poll_id(), id);
  auto events = m.run_as_system(due[0]);
  ASSERT_EQ(events.size(), 1U);
  EXPECT_TRUE(events[0].poll_closed().by_deadline());
  EXPECT_TRUE(events[0].actor_id().empty());
  EXPECT_TRUE(due_commands(m.state, m.now_ms).empty());
  EXPECT_EQ(next_deadline_ms(m.state), 0);
  // Another replica's proposal of the same close loses.
  const decision late =
      decide(m.state, due[0], command_context{"", v1::ROLE_UNSPECIFIED, m.now_ms, ""});
  ASSERT_TRUE(std::holds_alternative<rejection>(late));
  EXPECT_EQ(std::get<rejection>(late).code, v1::ERROR_CODE_FAILED_PRECONDITION);
}

TEST_F(domain_polls, a_poll_whose_deadline_passed_cannot_open) {
  v1::Command create = create_poll(v1::POLL_KIND_YES_NO_ABSTAIN, v1::POLL_SECRECY_NAMED,
                                   v1::RESULTS_VISIBILITY_AFTER_CLOSE);
  create.mutable_create_poll()->set_deadline_ms(m.now_ms + 10);
  const std::string id = m.next_fresh_id();
  m.run(create);
  m.advance(10);
  EXPECT_EQ(m.refuse(open_poll(id)).code, v1::ERROR_CODE_FAILED_PRECONDITION);
}

TEST_F(domain_polls, the_earliest_open_deadline_is_next) {
  for (int64_t offset : {90'000, 30'000, 60'000}) {
    v1::Command create = create_poll(v1::POLL_KIND_YES_NO_ABSTAIN, v1::POLL_SECRECY_NAMED,
                                     v1::RESULTS_VISIBILITY_AFTER_CLOSE);
    create.mutable_create_poll()->set_deadline_ms(m.now_ms + offset);
    if (offset == 30'000) {
      m.run(create);  // a draft's deadline does not count
    } else {
      open(create);
    }
  }
  EXPECT_EQ(next_deadline_ms(m.state), m.now_ms + 60'000);
}

TEST_F(domain_polls, voters_must_be_on_the_roster) {
  const std::string id = open(create_poll(v1::POLL_KIND_YES_NO_ABSTAIN, v1::POLL_SECRECY_NAMED,
                                          v1::RESULTS_VISIBILITY_AFTER_CLOSE));
  EXPECT_EQ(refused_vote(id, "stranger", {0}).code, v1::ERROR_CODE_NOT_FOUND);
  EXPECT_EQ(refused_vote("no-poll", "amina", {0}).code, v1::ERROR_CODE_NOT_FOUND);
}

}  // namespace
}  // namespace majlis::domain::testing
