#include "app/minutes.hpp"

#include <gtest/gtest.h>

namespace majlis::app {
namespace {

TEST(minutes, lists_items_decisions_actions_speakers_and_published_polls) {
  v1::MeetingState state;
  state.set_title("الحوار الوطني");
  auto* person = state.add_participants();
  person->set_id("p1");
  person->set_display_name("Amina");
  auto* item = state.add_agenda();
  item->set_id("i1");
  item->set_title("Data protection law");
  item->set_status(v1::AGENDA_ITEM_STATUS_DONE);
  item->add_decisions()->set_text("Publish the draft for comment");
  auto* action = item->add_action_items();
  action->set_text("Circulate the draft");
  action->set_owner("Secretariat");
  action->set_due_date("2026-12-31");
  auto* turn = state.add_interventions();
  turn->set_participant_id("p1");
  turn->set_item_id("i1");
  turn->set_duration_ms(90'000);
  turn->set_stakeholder_group("academia");
  auto* poll = state.add_polls();
  poll->set_item_id("i1");
  poll->set_question("Adopt?");
  poll->set_status(v1::POLL_STATUS_PUBLISHED);
  poll->set_secrecy(v1::POLL_SECRECY_SECRET);
  poll->add_options("yes");
  poll->add_options("no");
  poll->add_tally(7);
  poll->add_tally(2);
  poll->add_voter_ids("p1");

  const auto text = render_minutes(state);
  EXPECT_NE(text.find("# الحوار الوطني"), std::string::npos);
  EXPECT_NE(text.find("## Data protection law (done)"), std::string::npos);
  EXPECT_NE(text.find("**Decision:** Publish the draft for comment"), std::string::npos);
  EXPECT_NE(text.find("Circulate the draft — Secretariat (due 2026-12-31)"), std::string::npos);
  EXPECT_NE(text.find("Amina (academia, remote), 1:30"), std::string::npos);
  EXPECT_NE(text.find("yes: 7, no: 2 (1 voted, secret ballot)"), std::string::npos);
}

}  // namespace
}  // namespace majlis::app
