// Every count limit of limits.hpp is RESOURCE_EXHAUSTED when reached; text limits are
// INVALID_ARGUMENT and count code points (Arabic gets the same room as Latin).
#include "limits.hpp"

#include <gtest/gtest.h>

#include "meeting_builder.hpp"

namespace majlis::domain::testing {
namespace {

std::string arabic(std::size_t letters) {
  std::string text;
  for (std::size_t i = 0; i < letters; ++i) text += "ز";
  return text;
}

TEST(domain_limits, the_agenda_is_bounded) {
  meeting_builder m;
  for (std::size_t i = 0; i < limits::max_agenda_items; ++i) {
    m.state.add_agenda()->set_id("item-" + std::to_string(i));
  }
  EXPECT_EQ(m.refuse(add_agenda_item("One too many")).code, v1::ERROR_CODE_RESOURCE_EXHAUSTED);
}

TEST(domain_limits, the_roster_is_bounded) {
  meeting_builder m;
  while (static_cast<std::size_t>(m.state.participants_size()) < limits::max_participants) {
    m.state.add_participants()->set_id("p" + std::to_string(m.state.participants_size()));
  }
  v1::Command walk_in;
  walk_in.mutable_add_walk_in()->set_display_name("Late");
  EXPECT_EQ(m.refuse(walk_in).code, v1::ERROR_CODE_RESOURCE_EXHAUSTED);
  v1::Participant newcomer;
  newcomer.set_id("newcomer");
  EXPECT_TRUE(connection_opened(m.state, newcomer, "c", "i", m.now_ms).empty());
}

TEST(domain_limits, polls_and_contributions_are_bounded) {
  meeting_builder m = meeting_builder::live_with_item();
  m.join("amina", "Amina");
  for (std::size_t i = 0; i < limits::max_polls; ++i) {
    m.state.add_polls()->set_id("poll-" + std::to_string(i));
  }
  EXPECT_EQ(m.refuse(create_poll(v1::POLL_KIND_YES_NO_ABSTAIN, v1::POLL_SECRECY_NAMED,
                                 v1::RESULTS_VISIBILITY_AFTER_CLOSE))
                .code,
            v1::ERROR_CODE_RESOURCE_EXHAUSTED);
  for (std::size_t i = 0; i < limits::max_contributions; ++i) {
    m.state.add_contributions()->set_id("c-" + std::to_string(i));
  }
  EXPECT_EQ(m.refuse(submit("more"), "amina", v1::ROLE_PARTICIPANT).code,
            v1::ERROR_CODE_RESOURCE_EXHAUSTED);
}

TEST(domain_limits, outcomes_per_item_are_bounded) {
  meeting_builder m = meeting_builder::live_with_item();
  auto* item = m.state.mutable_agenda(0);
  for (std::size_t i = 0; i < limits::max_decisions_per_item; ++i) item->add_decisions();
  for (std::size_t i = 0; i < limits::max_action_items_per_item; ++i) item->add_action_items();
  v1::Command decision;
  decision.mutable_record_decision()->set_text("one more");
  EXPECT_EQ(m.refuse(decision).code, v1::ERROR_CODE_RESOURCE_EXHAUSTED);
  v1::Command action;
  action.mutable_record_action_item()->set_text("one more");
  EXPECT_EQ(m.refuse(action).code, v1::ERROR_CODE_RESOURCE_EXHAUSTED);
}

TEST(domain_limits, text_limits_count_code_points) {
  meeting_builder m = meeting_builder::live_with_item();
  m.join("amina", "Amina");
  m.run(add_agenda_item(arabic(limits::max_title_chars)));
  EXPECT_EQ(m.refuse(add_agenda_item(arabic(limits::max_title_chars + 1))).code,
            v1::ERROR_CODE_INVALID_ARGUMENT);
  m.run(submit(arabic(limits::max_contribution_chars)), "amina", v1::ROLE_PARTICIPANT);
  EXPECT_EQ(
      m.refuse(submit(arabic(limits::max_contribution_chars + 1)), "amina", v1::ROLE_PARTICIPANT)
          .code,
      v1::ERROR_CODE_INVALID_ARGUMENT);
  v1::Command walk_in;
  walk_in.mutable_add_walk_in()->set_display_name(arabic(limits::max_display_name_chars));
  m.run(walk_in);
  walk_in.mutable_add_walk_in()->set_display_name(arabic(limits::max_display_name_chars + 1));
  EXPECT_EQ(m.refuse(walk_in).code, v1::ERROR_CODE_INVALID_ARGUMENT);
  walk_in.mutable_add_walk_in()->set_display_name("فاطمة الزهراء");
  m.run(walk_in);
  v1::Command description = add_agenda_item("ok");
  description.mutable_add_agenda_item()->set_description(arabic(limits::max_description_chars + 1));
  EXPECT_EQ(m.refuse(description).code, v1::ERROR_CODE_INVALID_ARGUMENT);
}

TEST(domain_limits, invalid_utf8_is_refused_everywhere_text_goes_in) {
  meeting_builder m = meeting_builder::live_with_item();
  m.join("amina", "Amina");
  const std::string bad("\xD8\xA7\xD8", 3);  // an Arabic letter, then a cut-off one
  EXPECT_EQ(m.refuse(add_agenda_item(bad)).code, v1::ERROR_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(m.refuse(submit(bad), "amina", v1::ROLE_PARTICIPANT).code,
            v1::ERROR_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(m.refuse(create_poll(v1::POLL_KIND_SINGLE, v1::POLL_SECRECY_NAMED,
                                 v1::RESULTS_VISIBILITY_AFTER_CLOSE, {"ok", bad}))
                .code,
            v1::ERROR_CODE_INVALID_ARGUMENT);
}

}  // namespace
}  // namespace majlis::domain::testing
