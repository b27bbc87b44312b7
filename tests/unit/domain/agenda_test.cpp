// The agenda: adding, editing, moving, removing, starting and closing items; outcomes.
#include "agenda.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "meeting_builder.hpp"

namespace majlis::domain::testing {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> titles(const v1::MeetingState& state) {
  std::vector<std::string> out;
  for (const auto& item : state.agenda()) out.push_back(item.title());
  return out;
}

v1::Command close_item(const std::string& id, bool skipped) {
  v1::Command command;
  command.mutable_close_agenda_item()->set_item_id(id);
  command.mutable_close_agenda_item()->set_skipped(skipped);
  return command;
}

v1::Command start_item(const std::string& id) {
  v1::Command command;
  command.mutable_start_agenda_item()->set_item_id(id);
  return command;
}

v1::Command reopen_item(const std::string& id) {
  v1::Command command;
  command.mutable_reopen_agenda_item()->set_item_id(id);
  return command;
}

TEST(domain_agenda, items_are_added_at_a_position_with_the_fresh_id) {
  meeting_builder m;  // scheduled: preparing the agenda is fine
  const std::string first = m.add_item("Opening");
  m.add_item("Closing");
  m.run(add_agenda_item("Data protection", 1));
  m.run(add_agenda_item("Any other business", -7));
  EXPECT_EQ(first, "id-1");
  EXPECT_THAT(titles(m.state),
              ElementsAre("Opening", "Data protection", "Closing", "Any other business"));
  EXPECT_EQ(m.state.agenda(0).status(), v1::AGENDA_ITEM_STATUS_PENDING);
}

TEST(domain_agenda, titles_are_required_and_bounded) {
  meeting_builder m;
  EXPECT_EQ(m.refuse(add_agenda_item("")).code, v1::ERROR_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(m.refuse(add_agenda_item(" \t ")).code, v1::ERROR_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(m.refuse(add_agenda_item(std::string(201, 'x'))).code, v1::ERROR_CODE_INVALID_ARGUMENT);
  m.run(add_agenda_item("إصلاح السياسات الرقمية"));
  v1::Command long_description = add_agenda_item("Fine");
  long_description.mutable_add_agenda_item()->set_description(std::string(2001, 'd'));
  EXPECT_EQ(m.refuse(long_description).code, v1::ERROR_CODE_INVALID_ARGUMENT);
}

// A title is one line; a description may have several (it is the only multi-line agenda text).
TEST(domain_agenda, a_description_may_have_lines_and_a_title_may_not) {
  meeting_builder m;
  v1::Command described = add_agenda_item("Data protection");
  described.mutable_add_agenda_item()->set_description("Scope:\n- consent\n- retention");
  m.run(described);
  EXPECT_EQ(m.refuse(add_agenda_item("Opening\n## Forged")).code, v1::ERROR_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(m.refuse(add_agenda_item("Opening\u202E")).code, v1::ERROR_CODE_INVALID_ARGUMENT);
  v1::Command controlled = add_agenda_item("Fine");
  controlled.mutable_add_agenda_item()->set_description("bell\x07");
  EXPECT_EQ(m.refuse(controlled).code, v1::ERROR_CODE_INVALID_ARGUMENT);
  v1::Command presenter = add_agenda_item("Fine");
  presenter.mutable_add_agenda_item()->set_presenter("Dr. Salma\n- forged");
  EXPECT_EQ(m.refuse(presenter).code, v1::ERROR_CODE_INVALID_ARGUMENT);
}

TEST(domain_agenda, items_are_edited_field_by_field) {
  meeting_builder m;
  const std::string id = m.add_item("Opening");
  v1::Command update;
  update.mutable_update_agenda_item()->set_item_id(id);
  update.mutable_update_agenda_item()->set_planned_minutes(15);
  update.mutable_update_agenda_item()->set_presenter("Dr. Salma");
  m.run(update);
  EXPECT_EQ(m.item(id).title(), "Opening");
  EXPECT_EQ(m.item(id).planned_minutes(), 15U);
  EXPECT_EQ(m.item(id).presenter(), "Dr. Salma");
  update.mutable_update_agenda_item()->set_item_id("missing");
  EXPECT_EQ(m.refuse(update).code, v1::ERROR_CODE_NOT_FOUND);
  v1::Command empty;
  empty.mutable_update_agenda_item()->set_item_id(id);
  EXPECT_EQ(m.refuse(empty).code, v1::ERROR_CODE_INVALID_ARGUMENT);
}

TEST(domain_agenda, items_move) {
  meeting_builder m;
  const std::string a = m.add_item("A");
  m.add_item("B");
  m.add_item("C");
  v1::Command move;
  move.mutable_move_agenda_item()->set_item_id(a);
  move.mutable_move_agenda_item()->set_position(2);
  m.run(move);
  EXPECT_THAT(titles(m.state), ElementsAre("B", "C", "A"));
  move.mutable_move_agenda_item()->set_position(0);
  m.run(move);
  EXPECT_THAT(titles(m.state), ElementsAre("A", "B", "C"));
}

TEST(domain_agenda, only_pending_items_are_removed) {
  meeting_builder m = meeting_builder::live_with_item("Running");
  const std::string pending = m.add_item("Pending");
  v1::Command remove;
  remove.mutable_remove_agenda_item()->set_item_id(m.state.current_item_id());
  EXPECT_EQ(m.refuse(remove).code, v1::ERROR_CODE_FAILED_PRECONDITION);
  remove.mutable_remove_agenda_item()->set_item_id(pending);
  m.run(remove);
  EXPECT_THAT(titles(m.state), ElementsAre("Running"));
  EXPECT_EQ(m.refuse(remove).code, v1::ERROR_CODE_NOT_FOUND);
}

TEST(domain_agenda, starting_needs_a_live_meeting) {
  meeting_builder m;
  const std::string id = m.add_item("A");
  EXPECT_EQ(m.refuse(start_item(id)).code, v1::ERROR_CODE_FAILED_PRECONDITION);
  m.start_meeting();
  m.run(start_item(id));
  EXPECT_EQ(m.state.current_item_id(), id);
  EXPECT_EQ(m.item(id).status(), v1::AGENDA_ITEM_STATUS_ACTIVE);
  EXPECT_EQ(m.item(id).started_at_ms(), m.now_ms);
  EXPECT_EQ(m.refuse(start_item(id)).code, v1::ERROR_CODE_FAILED_PRECONDITION);
}

TEST(domain_agenda, starting_the_next_item_closes_the_previous_as_done_and_ends_the_turn) {
  meeting_builder m = meeting_builder::live_with_item("First");
  const std::string first = m.state.current_item_id();
  const std::string second = m.add_item("Second");
  m.join("amina", "Amina");
  m.run(grant_floor("amina"));
  m.advance(30'000);
  auto events = m.run(start_item(second));
  ASSERT_EQ(events.size(), 3U);
  EXPECT_TRUE(events[0].has_turn_ended());
  EXPECT_EQ(events[0].turn_ended().intervention().item_id(), first);
  EXPECT_TRUE(events[1].has_agenda_item_closed());
  EXPECT_TRUE(events[2].has_agenda_item_started());
  EXPECT_EQ(m.item(first).status(), v1::AGENDA_ITEM_STATUS_DONE);
  EXPECT_EQ(m.item(first).ended_at_ms(), m.now_ms);
  EXPECT_FALSE(m.item(first).speakers().floor_taken());
  EXPECT_EQ(m.state.current_item_id(), second);
}

TEST(domain_agenda, closing_as_done_or_skipped) {
  meeting_builder m = meeting_builder::live_with_item("First");
  const std::string first = m.state.current_item_id();
  const std::string later = m.add_item("Later");
  EXPECT_EQ(m.refuse(close_item(later, false)).code, v1::ERROR_CODE_FAILED_PRECONDITION);
  m.run(close_item(later, true));
  EXPECT_EQ(m.item(later).status(), v1::AGENDA_ITEM_STATUS_SKIPPED);
  m.join("amina", "Amina");
  m.run(grant_floor("amina"));
  auto events = m.run(close_item(first, false));
  ASSERT_EQ(events.size(), 2U);
  EXPECT_TRUE(events[0].has_turn_ended());
  EXPECT_EQ(m.item(first).status(), v1::AGENDA_ITEM_STATUS_DONE);
  EXPECT_TRUE(m.state.current_item_id().empty());
  EXPECT_EQ(m.refuse(close_item(first, true)).code, v1::ERROR_CODE_FAILED_PRECONDITION);
  EXPECT_EQ(m.refuse(start_item(first)).code, v1::ERROR_CODE_FAILED_PRECONDITION);
}

TEST(domain_agenda, reopening_undoes_a_close) {
  meeting_builder m = meeting_builder::live_with_item("First");
  const std::string first = m.state.current_item_id();
  const int64_t started = m.item(first).started_at_ms();
  EXPECT_EQ(m.refuse(reopen_item(first)).code, v1::ERROR_CODE_FAILED_PRECONDITION);
  m.run(close_item(first, false));
  m.advance(1000);
  m.run(reopen_item(first));
  EXPECT_EQ(m.item(first).status(), v1::AGENDA_ITEM_STATUS_PENDING);
  EXPECT_EQ(m.item(first).ended_at_ms(), 0);
  m.advance(1000);
  m.run(start_item(first));
  EXPECT_EQ(m.item(first).started_at_ms(), started);  // the first start stays in the minutes
}

TEST(domain_agenda, decisions_and_action_items_are_recorded) {
  meeting_builder m = meeting_builder::live_with_item("First");
  v1::Command decision;
  decision.mutable_record_decision()->set_text("The draft goes to public consultation.");
  m.run(decision);
  ASSERT_EQ(m.current_item().decisions_size(), 1);
  EXPECT_EQ(m.current_item().decisions(0).recorded_at_ms(), m.now_ms);

  v1::Command action;
  auto& body = *action.mutable_record_action_item();
  body.set_text("Publish the draft");
  body.set_owner("وزارة الاتصالات");
  body.set_due_date("2028-02-29");
  m.run(action);
  ASSERT_EQ(m.current_item().action_items_size(), 1);
  EXPECT_EQ(m.current_item().action_items(0).due_date(), "2028-02-29");
  for (const char* bad : {"2027-02-29", "2026-13-01", "2026-1-1", "31/12/2026", "2026-12-32"}) {
    body.set_due_date(bad);
    EXPECT_EQ(m.refuse(action).code, v1::ERROR_CODE_INVALID_ARGUMENT) << bad;
  }
  body.set_due_date("");
  body.set_text("  ");
  EXPECT_EQ(m.refuse(action).code, v1::ERROR_CODE_INVALID_ARGUMENT);
}

TEST(domain_agenda, resolve_item_uses_the_current_item_when_none_is_named) {
  meeting_builder m;
  rejection why;
  EXPECT_EQ(resolve_item(m.state, "", why), nullptr);
  EXPECT_EQ(why.code, v1::ERROR_CODE_FAILED_PRECONDITION);
  EXPECT_EQ(resolve_item(m.state, "x", why), nullptr);
  EXPECT_EQ(why.code, v1::ERROR_CODE_NOT_FOUND);
  meeting_builder live = meeting_builder::live_with_item();
  const v1::AgendaItem* item = resolve_item(live.state, "", why);
  ASSERT_NE(item, nullptr);
  EXPECT_EQ(item->id(), live.state.current_item_id());
}

}  // namespace
}  // namespace majlis::domain::testing
