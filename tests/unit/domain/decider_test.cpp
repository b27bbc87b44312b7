// decide()'s frame: stamping, the system actor, meeting creation, due commands.
#include "decider.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "meeting_builder.hpp"

namespace majlis::domain::testing {
namespace {

using ::testing::ElementsAre;

TEST(domain_decider, meeting_created_is_the_first_event) {
  const v1::Event event = meeting_created("m-7", "حوار", {"ar"}, {}, 1234);
  EXPECT_EQ(event.seq(), 1U);
  EXPECT_EQ(event.at_ms(), 1234);
  EXPECT_TRUE(event.actor_id().empty());
  const auto& created = event.meeting_created();
  EXPECT_EQ(created.meeting_id(), "m-7");
  EXPECT_EQ(created.title(), "حوار");
  EXPECT_THAT(created.stakeholder_groups(),
              ElementsAre("government", "private_sector", "civil_society", "academia",
                          "technical_community", "international_organisations"));
  v1::MeetingState state;
  evolve(state, event);
  EXPECT_EQ(state.status(), v1::MEETING_STATUS_SCHEDULED);
  EXPECT_EQ(state.seq(), 1U);
  EXPECT_EQ(state.created_at_ms(), 1234);
  EXPECT_GT(state.settings().default_speaking_time_ms(), 0);
}

TEST(domain_decider, named_groups_replace_the_defaults) {
  const v1::Event event = meeting_created("m-7", "t", {}, {"youth", "elders"}, 0);
  EXPECT_THAT(event.meeting_created().stakeholder_groups(), ElementsAre("youth", "elders"));
  EXPECT_EQ(default_stakeholder_groups().size(), 6U);
}

TEST(domain_decider, events_carry_the_time_and_the_actor_but_no_seq) {
  meeting_builder m = meeting_builder::live_with_item();
  m.join("amina", "Amina");
  const decision result = m.decide(request_floor(), "amina", v1::ROLE_PARTICIPANT);
  ASSERT_TRUE(std::holds_alternative<std::vector<v1::Event>>(result));
  const auto& events = std::get<std::vector<v1::Event>>(result);
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].seq(), 0U);
  EXPECT_EQ(events[0].at_ms(), m.now_ms);
  EXPECT_EQ(events[0].actor_id(), "amina");
}

TEST(domain_decider, decide_is_deterministic) {
  meeting_builder m = meeting_builder::live_with_item();
  m.join("amina", "Amina");
  const auto ctx = m.context("amina", v1::ROLE_PARTICIPANT);
  const decision a = decide(m.state, request_floor(), ctx);
  const decision b = decide(m.state, request_floor(), ctx);
  ASSERT_EQ(a.index(), b.index());
  const auto& ea = std::get<std::vector<v1::Event>>(a);
  const auto& eb = std::get<std::vector<v1::Event>>(b);
  ASSERT_EQ(ea.size(), eb.size());
  EXPECT_EQ(ea[0].SerializeAsString(), eb[0].SerializeAsString());
}

TEST(domain_decider, the_system_may_only_close_polls) {
  meeting_builder m = meeting_builder::live_with_item();
  const command_context system{"", v1::ROLE_UNSPECIFIED, m.now_ms, "x"};
  const decision result = decide(m.state, next_speaker(), system);
  ASSERT_TRUE(std::holds_alternative<rejection>(result));
  EXPECT_EQ(std::get<rejection>(result).code, v1::ERROR_CODE_PERMISSION_DENIED);
  // A role-less actor with an id is not the system.
  const command_context stranger{"someone", v1::ROLE_UNSPECIFIED, m.now_ms, "x"};
  const decision close = decide(m.state, close_poll("p"), stranger);
  ASSERT_TRUE(std::holds_alternative<rejection>(close));
  EXPECT_EQ(std::get<rejection>(close).code, v1::ERROR_CODE_PERMISSION_DENIED);
}

TEST(domain_decider, nothing_is_due_without_open_polls_with_deadlines) {
  meeting_builder m = meeting_builder::live_with_item();
  EXPECT_TRUE(due_commands(m.state, m.now_ms + 1'000'000).empty());
  EXPECT_EQ(next_deadline_ms(m.state), 0);
}

}  // namespace
}  // namespace majlis::domain::testing
