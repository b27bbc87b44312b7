// The meeting's lifecycle and settings.
#include "meeting_rules.hpp"

#include <gtest/gtest.h>

#include "meeting_builder.hpp"

namespace majlis::domain::testing {
namespace {

v1::Command start() {
  v1::Command command;
  command.mutable_start_meeting();
  return command;
}

v1::Command end() {
  v1::Command command;
  command.mutable_end_meeting();
  return command;
}

TEST(domain_meeting_rules, scheduled_then_live_then_ended) {
  meeting_builder m;
  EXPECT_EQ(m.state.status(), v1::MEETING_STATUS_SCHEDULED);
  m.run(start());
  EXPECT_EQ(m.state.status(), v1::MEETING_STATUS_LIVE);
  EXPECT_EQ(m.state.started_at_ms(), m.now_ms);
  EXPECT_EQ(m.refuse(start()).code, v1::ERROR_CODE_FAILED_PRECONDITION);
  m.advance(5000);
  m.run(end());
  EXPECT_EQ(m.state.status(), v1::MEETING_STATUS_ENDED);
  EXPECT_EQ(m.state.ended_at_ms(), m.now_ms);
  EXPECT_EQ(m.refuse(end()).code, v1::ERROR_CODE_FAILED_PRECONDITION);
  EXPECT_EQ(m.refuse(start()).code, v1::ERROR_CODE_FAILED_PRECONDITION);
}

TEST(domain_meeting_rules, after_the_end_every_command_is_a_failed_precondition) {
  meeting_builder m = meeting_builder::live_with_item();
  m.join("amina", "Amina");
  m.run(end());
  const std::vector<v1::Command> commands = {
      add_agenda_item("More"),
      request_floor(),
      next_speaker(),
      submit("hello"),
      create_poll(v1::POLL_KIND_YES_NO_ABSTAIN, v1::POLL_SECRECY_NAMED,
                  v1::RESULTS_VISIBILITY_AFTER_CLOSE),
      set_policy(true, false, false)};
  for (const auto& command : commands) {
    EXPECT_EQ(m.refuse(command).code, v1::ERROR_CODE_FAILED_PRECONDITION)
        << command.ShortDebugString();
  }
  EXPECT_EQ(m.refuse(submit("hello"), "amina", v1::ROLE_PARTICIPANT).code,
            v1::ERROR_CODE_FAILED_PRECONDITION);
}

TEST(domain_meeting_rules, ending_closes_what_is_open) {
  meeting_builder m = meeting_builder::live_with_item();
  m.join("amina", "Amina");
  const std::string poll = m.next_fresh_id();
  m.run(create_poll(v1::POLL_KIND_YES_NO_ABSTAIN, v1::POLL_SECRECY_NAMED,
                    v1::RESULTS_VISIBILITY_AFTER_CLOSE));
  m.run(open_poll(poll));
  m.run(grant_floor("amina"));
  const std::string item = m.state.current_item_id();
  auto events = m.run(end());
  ASSERT_EQ(events.size(), 4U);
  EXPECT_TRUE(events[0].has_turn_ended());
  EXPECT_TRUE(events[1].has_poll_closed());
  EXPECT_TRUE(events[2].has_agenda_item_closed());
  EXPECT_TRUE(events[3].has_meeting_ended());
  EXPECT_EQ(m.poll(poll).status(), v1::POLL_STATUS_CLOSED);
  EXPECT_EQ(m.item(item).status(), v1::AGENDA_ITEM_STATUS_DONE);
  EXPECT_EQ(m.state.interventions_size(), 1);
}

TEST(domain_meeting_rules, a_meeting_that_was_never_created_refuses_everything) {
  meeting_builder m;
  v1::MeetingState empty;
  const decision result = decide(empty, start(), m.context(chair_id, v1::ROLE_MODERATOR));
  ASSERT_TRUE(std::holds_alternative<rejection>(result));
  EXPECT_EQ(std::get<rejection>(result).code, v1::ERROR_CODE_FAILED_PRECONDITION);
}

TEST(domain_meeting_rules, the_meeting_is_updated) {
  meeting_builder m;
  v1::Command update;
  update.mutable_update_meeting()->set_title("حوار وطني حول السياسات الرقمية");
  update.mutable_update_meeting()->add_stakeholder_groups("youth");
  update.mutable_update_meeting()->add_stakeholder_groups("government");
  m.run(update);
  EXPECT_EQ(m.state.title(), "حوار وطني حول السياسات الرقمية");
  ASSERT_EQ(m.state.stakeholder_groups_size(), 2);
  EXPECT_EQ(m.state.stakeholder_groups(0), "youth");
  EXPECT_EQ(m.state.languages_size(), 2);  // unchanged

  v1::Command duplicate;
  duplicate.mutable_update_meeting()->add_stakeholder_groups("youth");
  duplicate.mutable_update_meeting()->add_stakeholder_groups("youth");
  EXPECT_EQ(m.refuse(duplicate).code, v1::ERROR_CODE_INVALID_ARGUMENT);
  v1::Command nothing;
  nothing.mutable_update_meeting();
  EXPECT_EQ(m.refuse(nothing).code, v1::ERROR_CODE_INVALID_ARGUMENT);
  v1::Command blank;
  blank.mutable_update_meeting()->set_title("   ");
  EXPECT_EQ(m.refuse(blank).code, v1::ERROR_CODE_INVALID_ARGUMENT);
  v1::Command too_many;
  for (int i = 0; i < 51; ++i) {
    too_many.mutable_update_meeting()->add_stakeholder_groups("g" + std::to_string(i));
  }
  EXPECT_EQ(m.refuse(too_many).code, v1::ERROR_CODE_RESOURCE_EXHAUSTED);
}

TEST(domain_meeting_rules, queue_policy_and_speaking_time_are_settings) {
  meeting_builder m;
  m.run(set_policy(true, false, true));
  EXPECT_TRUE(m.state.settings().queue_policy().first_time_first());
  EXPECT_FALSE(m.state.settings().queue_policy().alternate_attendance());
  EXPECT_TRUE(m.state.settings().queue_policy().stakeholder_balance());
  v1::Command time;
  time.mutable_set_default_speaking_time()->set_time_limit_ms(120'000);
  m.run(time);
  EXPECT_EQ(m.state.settings().default_speaking_time_ms(), 120'000);
  time.mutable_set_default_speaking_time()->set_time_limit_ms(-1);
  EXPECT_EQ(m.refuse(time).code, v1::ERROR_CODE_INVALID_ARGUMENT);
}

}  // namespace
}  // namespace majlis::domain::testing
