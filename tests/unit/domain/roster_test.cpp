// The roster: joining and leaving connections, walk-ins, updating a participant.
#include "roster.hpp"

#include <gtest/gtest.h>

#include "meeting_builder.hpp"

namespace majlis::domain::testing {
namespace {

v1::Participant claims(const std::string& id, const std::string& name) {
  v1::Participant who;
  who.set_id(id);
  who.set_display_name(name);
  who.set_role(v1::ROLE_PARTICIPANT);
  who.set_stakeholder_group("academia");
  who.set_attendance(v1::ATTENDANCE_REMOTE);
  who.set_connection_count(7);  // claims carry no connection state; ignored
  return who;
}

TEST(domain_roster, first_connection_adds_the_participant_then_opens) {
  meeting_builder m;
  auto events = connection_opened(m.state, claims("amina", "Amina"), "c1", "i1", m.now_ms);
  ASSERT_EQ(events.size(), 2U);
  EXPECT_TRUE(events[0].has_participant_added());
  EXPECT_EQ(events[0].participant_added().participant().connection_count(), 0U);
  EXPECT_EQ(events[1].connection_opened().connection_id(), "c1");
  EXPECT_EQ(events[1].connection_opened().instance_id(), "i1");
  m.apply(events);
  EXPECT_TRUE(m.participant("amina").online());
  EXPECT_EQ(m.participant("amina").connection_count(), 1U);

  events = connection_opened(m.state, claims("amina", "Amina"), "c2", "i2", m.now_ms);
  ASSERT_EQ(events.size(), 1U);
  EXPECT_TRUE(events[0].has_connection_opened());
  m.apply(events);
  EXPECT_EQ(m.participant("amina").connection_count(), 2U);
  EXPECT_TRUE(connection_opened(m.state, claims("amina", "Amina"), "c2", "i2", m.now_ms).empty());
}

TEST(domain_roster, closing_connections_takes_a_participant_offline) {
  meeting_builder m;
  m.apply(connection_opened(m.state, claims("amina", "Amina"), "c1", "i1", m.now_ms));
  m.apply(connection_opened(m.state, claims("amina", "Amina"), "c2", "i1", m.now_ms));
  auto events = connection_closed(m.state, "amina", "c1", "i1", m.now_ms);
  ASSERT_EQ(events.size(), 1U);
  m.apply(events);
  EXPECT_TRUE(m.participant("amina").online());
  m.apply(connection_closed(m.state, "amina", "c2", "i1", m.now_ms));
  EXPECT_FALSE(m.participant("amina").online());
  EXPECT_EQ(m.participant("amina").connection_count(), 0U);
  EXPECT_TRUE(connection_closed(m.state, "amina", "c2", "i1", m.now_ms).empty());
  EXPECT_TRUE(connection_closed(m.state, "ghost", "c9", "i1", m.now_ms).empty());
}

TEST(domain_roster, walk_ins_are_registered_by_the_chair) {
  meeting_builder m;
  const std::string id = m.next_fresh_id();
  v1::Command command;
  command.mutable_add_walk_in()->set_display_name("فاطمة الزهراء");
  command.mutable_add_walk_in()->set_stakeholder_group("civil_society");
  m.run(command);
  const auto& walk_in = m.participant(id);
  EXPECT_EQ(walk_in.display_name(), "فاطمة الزهراء");
  EXPECT_TRUE(walk_in.walk_in());
  EXPECT_EQ(walk_in.role(), v1::ROLE_PARTICIPANT);
  EXPECT_EQ(walk_in.attendance(), v1::ATTENDANCE_IN_ROOM);
  EXPECT_FALSE(walk_in.online());
  m.join("amina", "Amina");
  EXPECT_EQ(m.refuse(command, "amina", v1::ROLE_PARTICIPANT).code,
            v1::ERROR_CODE_PERMISSION_DENIED);
}

TEST(domain_roster, the_group_must_be_one_of_the_meetings) {
  meeting_builder m;
  v1::Command command;
  command.mutable_add_walk_in()->set_display_name("Sami");
  command.mutable_add_walk_in()->set_stakeholder_group("aliens");
  EXPECT_EQ(m.refuse(command).code, v1::ERROR_CODE_INVALID_ARGUMENT);
  command.mutable_add_walk_in()->set_stakeholder_group("");  // unspecified is fine
  m.run(command);
}

TEST(domain_roster, names_are_checked_as_text) {
  meeting_builder m;
  v1::Command command;
  command.mutable_add_walk_in()->set_display_name("   ");
  EXPECT_EQ(m.refuse(command).code, v1::ERROR_CODE_INVALID_ARGUMENT);
  command.mutable_add_walk_in()->set_display_name(std::string("\xC3\x28", 2));
  EXPECT_EQ(m.refuse(command).code, v1::ERROR_CODE_INVALID_ARGUMENT);
}

TEST(domain_roster, a_participant_updates_themself_the_chair_anyone) {
  meeting_builder m;
  m.join("amina", "Amina", v1::ROLE_PARTICIPANT, "academia", v1::ATTENDANCE_REMOTE);
  m.join("omar", "Omar");
  v1::Command command;
  command.mutable_update_participant()->set_display_name("أمينة");
  command.mutable_update_participant()->set_attendance(v1::ATTENDANCE_IN_ROOM);
  m.run(command, "amina", v1::ROLE_PARTICIPANT);
  EXPECT_EQ(m.participant("amina").display_name(), "أمينة");
  // The attendance is only requested: the chair answers (verification_test.cpp).
  EXPECT_EQ(m.participant("amina").attendance(), v1::ATTENDANCE_REMOTE);
  EXPECT_EQ(m.participant("amina").requested_attendance(), v1::ATTENDANCE_IN_ROOM);
  EXPECT_EQ(m.participant("amina").stakeholder_group(), "academia");

  command.mutable_update_participant()->set_participant_id("omar");
  EXPECT_EQ(m.refuse(command, "amina", v1::ROLE_PARTICIPANT).code,
            v1::ERROR_CODE_PERMISSION_DENIED);
  command.mutable_update_participant()->set_stakeholder_group("government");
  m.run(command);
  EXPECT_EQ(m.participant("omar").stakeholder_group(), "government");
  command.mutable_update_participant()->set_participant_id("nobody");
  EXPECT_EQ(m.refuse(command).code, v1::ERROR_CODE_NOT_FOUND);
  v1::Command nothing;
  nothing.mutable_update_participant()->set_participant_id("omar");
  EXPECT_EQ(m.refuse(nothing).code, v1::ERROR_CODE_INVALID_ARGUMENT);
}

TEST(domain_roster, displays_cannot_take_part) {
  v1::Participant display;
  display.set_role(v1::ROLE_DISPLAY);
  EXPECT_FALSE(can_take_part(display));
  display.set_role(v1::ROLE_MODERATOR);
  EXPECT_TRUE(can_take_part(display));
}

}  // namespace
}  // namespace majlis::domain::testing
