// Admission and roster control: registration through the invite link (modes, cap, nonce), the
// lobby, the chair admitting and removing people, and what a removal leaves behind.
#include "admission.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "limits.hpp"
#include "meeting_builder.hpp"
#include "projection.hpp"

namespace majlis::domain::testing {
namespace {

using ::testing::ElementsAre;

v1::Command registration(const std::string& id, const std::string& name = "Registrant",
                         const std::string& nonce = "", const std::string& group = "",
                         v1::Attendance attendance = v1::ATTENDANCE_UNSPECIFIED) {
  v1::Command command;
  auto& body = *command.mutable_register_participant();
  body.set_participant_id(id);
  body.set_display_name(name);
  body.set_invite_nonce(nonce);
  body.set_stakeholder_group(group);
  body.set_attendance(attendance);
  return command;
}

v1::Command set_registration(v1::RegistrationMode mode, uint32_t cap = 0) {
  v1::Command command;
  command.mutable_set_registration()->set_mode(mode);
  command.mutable_set_registration()->set_registration_cap(cap);
  return command;
}

v1::Command admit(const std::string& id, const std::string& group = "",
                  v1::Attendance attendance = v1::ATTENDANCE_UNSPECIFIED) {
  v1::Command command;
  command.mutable_admit_participant()->set_participant_id(id);
  command.mutable_admit_participant()->set_stakeholder_group(group);
  command.mutable_admit_participant()->set_attendance(attendance);
  return command;
}

v1::Command remove(const std::string& id) {
  v1::Command command;
  command.mutable_remove_participant()->set_participant_id(id);
  return command;
}

v1::Command rotate_invite() {
  v1::Command command;
  command.mutable_rotate_invite_code();
  return command;
}

rejection refused_as_system(meeting_builder& m, const v1::Command& command) {
  return m.refuse(command, "", v1::ROLE_UNSPECIFIED);
}

TEST(domain_admission, open_registration_admits_at_once_unverified) {
  meeting_builder m;
  auto events = m.run_as_system(
      registration("r1", "Rana", "", "academia", v1::ATTENDANCE_IN_ROOM));
  ASSERT_EQ(events.size(), 1U);
  ASSERT_TRUE(events[0].has_participant_registered());
  EXPECT_EQ(events[0].actor_id(), "r1");
  const auto& rana = m.participant("r1");
  EXPECT_EQ(rana.admission(), v1::ADMISSION_STATUS_ADMITTED);
  EXPECT_EQ(rana.role(), v1::ROLE_PARTICIPANT);
  EXPECT_EQ(rana.stakeholder_group(), "academia");
  EXPECT_EQ(rana.attendance(), v1::ATTENDANCE_IN_ROOM);
  EXPECT_FALSE(rana.group_verified());
  EXPECT_FALSE(rana.attendance_verified());
  EXPECT_TRUE(rana.self_registered());
  EXPECT_EQ(rana.registered_at_ms(), m.now_ms);
  EXPECT_FALSE(rana.online());
  EXPECT_EQ(m.state.settings().admission().registrations(), 1U);
  m.run_as_system(registration("r2"));
  EXPECT_EQ(m.participant("r2").attendance(), v1::ATTENDANCE_REMOTE);  // the default
  EXPECT_EQ(m.state.settings().admission().registrations(), 2U);
}

TEST(domain_admission, registration_is_the_systems_alone) {
  meeting_builder m;
  m.join("amina", "Amina");
  EXPECT_EQ(m.refuse(registration("r1")).code, v1::ERROR_CODE_PERMISSION_DENIED);
  EXPECT_EQ(m.refuse(registration("r1"), "amina", v1::ROLE_PARTICIPANT).code,
            v1::ERROR_CODE_PERMISSION_DENIED);
  EXPECT_EQ(m.refuse(registration("r1"), "screen", v1::ROLE_DISPLAY).code,
            v1::ERROR_CODE_PERMISSION_DENIED);
  EXPECT_EQ(m.state.settings().admission().registrations(), 0U);
}

TEST(domain_admission, closed_registration_is_refused) {
  meeting_builder m;
  m.run(set_registration(v1::REGISTRATION_MODE_CLOSED));
  const auto refused = refused_as_system(m, registration("r1"));
  EXPECT_EQ(refused.code, v1::ERROR_CODE_FAILED_PRECONDITION);
  EXPECT_EQ(refused.message, "Registration is closed.");
}

TEST(domain_admission, approval_puts_registrants_in_the_lobby) {
  meeting_builder m;
  auto events = m.run(set_registration(v1::REGISTRATION_MODE_APPROVAL, 10));
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].registration_changed().mode(), v1::REGISTRATION_MODE_APPROVAL);
  EXPECT_EQ(m.state.settings().admission().mode(), v1::REGISTRATION_MODE_APPROVAL);
  EXPECT_EQ(m.state.settings().admission().registration_cap(), 10U);
  m.run_as_system(registration("r1"));
  EXPECT_EQ(m.participant("r1").admission(), v1::ADMISSION_STATUS_LOBBY);
  EXPECT_FALSE(is_admitted(m.participant("r1")));
}

TEST(domain_admission, the_cap_refuses_registrations_beyond_it) {
  meeting_builder m;
  m.run(set_registration(v1::REGISTRATION_MODE_OPEN, 2));
  m.run_as_system(registration("r1"));
  m.run_as_system(registration("r2"));
  const auto refused = refused_as_system(m, registration("r3"));
  EXPECT_EQ(refused.code, v1::ERROR_CODE_RESOURCE_EXHAUSTED);
  // Removed registrants still count: removing one does not reopen a seat for a stuffer.
  m.run(remove("r1"));
  EXPECT_EQ(refused_as_system(m, registration("r3")).code, v1::ERROR_CODE_RESOURCE_EXHAUSTED);
  m.run(set_registration(v1::REGISTRATION_MODE_OPEN, 3));
  m.run_as_system(registration("r3"));
}

TEST(domain_admission, cap_zero_means_the_default_limit) {
  meeting_builder m;
  EXPECT_EQ(effective_registration_cap(m.state), limits::max_self_registrations);
  static_assert(limits::max_self_registrations < limits::max_participants);
  m.state.mutable_settings()->mutable_admission()->set_registrations(
      static_cast<uint32_t>(limits::max_self_registrations));
  EXPECT_EQ(refused_as_system(m, registration("r1")).code, v1::ERROR_CODE_RESOURCE_EXHAUSTED);
}

TEST(domain_admission, a_replaced_nonce_refuses_the_registration) {
  meeting_builder m;
  const std::string nonce = m.next_fresh_id();
  auto events = m.run(rotate_invite());
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].invite_code_rotated().invite_nonce(), nonce);
  EXPECT_EQ(m.state.settings().admission().invite_nonce(), nonce);
  const auto refused = refused_as_system(m, registration("r1", "Rana", ""));
  EXPECT_EQ(refused.code, v1::ERROR_CODE_UNAUTHENTICATED);
  EXPECT_EQ(refused.message, "The invite code was replaced.");
  m.run_as_system(registration("r1", "Rana", nonce));
}

TEST(domain_admission, registration_checks_name_group_attendance_roster_and_id) {
  meeting_builder m;
  EXPECT_EQ(refused_as_system(m, registration("r1", "")).code, v1::ERROR_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(refused_as_system(m, registration("r1", "Bad\u202Ename")).code,
            v1::ERROR_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(refused_as_system(m, registration("r1", "Rana", "", "astronauts")).code,
            v1::ERROR_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(refused_as_system(m, registration("r1", "Rana", "", "", static_cast<v1::Attendance>(9)))
                .code,
            v1::ERROR_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(refused_as_system(m, registration("")).code, v1::ERROR_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(refused_as_system(m, registration(chair_id)).code, v1::ERROR_CODE_ALREADY_EXISTS);
  m.run(set_registration(v1::REGISTRATION_MODE_OPEN, static_cast<uint32_t>(limits::max_participants)));
  for (std::size_t i = static_cast<std::size_t>(m.state.participants_size());
       i < limits::max_participants; ++i) {
    m.state.add_participants()->set_id("filler-" + std::to_string(i));
  }
  EXPECT_EQ(refused_as_system(m, registration("r1")).code, v1::ERROR_CODE_RESOURCE_EXHAUSTED);
}

TEST(domain_admission, registration_is_refused_after_the_meeting) {
  meeting_builder m;
  m.start_meeting();
  v1::Command end;
  end.mutable_end_meeting();
  m.run(end);
  EXPECT_EQ(refused_as_system(m, registration("r1")).code, v1::ERROR_CODE_FAILED_PRECONDITION);
}

TEST(domain_admission, chair_commands_are_refused_after_the_meeting) {
  meeting_builder m;
  m.join("amina", "Amina");
  m.start_meeting();
  v1::Command end;
  end.mutable_end_meeting();
  m.run(end);
  for (const auto& command : {set_registration(v1::REGISTRATION_MODE_CLOSED), rotate_invite(),
                              admit("amina"), remove("amina")}) {
    EXPECT_EQ(m.refuse(command).code, v1::ERROR_CODE_FAILED_PRECONDITION)
        << command.ShortDebugString();
  }
}

TEST(domain_admission, rotating_needs_a_fresh_nonce) {
  meeting_builder m;
  command_context context = m.context(chair_id, v1::ROLE_MODERATOR);
  context.fresh_id.clear();
  auto result = decide(m.state, rotate_invite(), context);
  ASSERT_TRUE(std::holds_alternative<rejection>(result));
  EXPECT_EQ(std::get<rejection>(result).code, v1::ERROR_CODE_INVALID_ARGUMENT);
  // The same nonce again would not void the codes already out.
  context.fresh_id = "n1";
  m.apply(std::get<std::vector<v1::Event>>(decide(m.state, rotate_invite(), context)));
  result = decide(m.state, rotate_invite(), context);
  ASSERT_TRUE(std::holds_alternative<rejection>(result));
  EXPECT_EQ(std::get<rejection>(result).code, v1::ERROR_CODE_INVALID_ARGUMENT);
}

TEST(domain_admission, set_registration_checks_mode_and_cap) {
  meeting_builder m;
  EXPECT_EQ(m.refuse(set_registration(v1::REGISTRATION_MODE_UNSPECIFIED)).code,
            v1::ERROR_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(m.refuse(set_registration(static_cast<v1::RegistrationMode>(42))).code,
            v1::ERROR_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(m.refuse(set_registration(v1::REGISTRATION_MODE_OPEN,
                                      static_cast<uint32_t>(limits::max_participants) + 1))
                .code,
            v1::ERROR_CODE_INVALID_ARGUMENT);
  m.join("amina", "Amina");
  EXPECT_EQ(m.refuse(set_registration(v1::REGISTRATION_MODE_CLOSED), "amina",
                     v1::ROLE_PARTICIPANT)
                .code,
            v1::ERROR_CODE_PERMISSION_DENIED);
  EXPECT_EQ(m.refuse(rotate_invite(), "amina", v1::ROLE_PARTICIPANT).code,
            v1::ERROR_CODE_PERMISSION_DENIED);
  EXPECT_EQ(m.refuse(admit("amina"), "amina", v1::ROLE_PARTICIPANT).code,
            v1::ERROR_CODE_PERMISSION_DENIED);
  EXPECT_EQ(m.refuse(remove(chair_id), "amina", v1::ROLE_PARTICIPANT).code,
            v1::ERROR_CODE_PERMISSION_DENIED);
}

TEST(domain_admission, the_chair_admits_from_the_lobby_and_verifies_what_they_set) {
  meeting_builder m;
  m.run(set_registration(v1::REGISTRATION_MODE_APPROVAL));
  m.run_as_system(registration("r1", "Rana", "", "academia", v1::ATTENDANCE_REMOTE));
  m.run_as_system(registration("r2", "Omar", "", "government", v1::ATTENDANCE_REMOTE));
  auto events = m.run(admit("r1", "civil_society", v1::ATTENDANCE_IN_ROOM));
  ASSERT_EQ(events.size(), 1U);
  EXPECT_TRUE(events[0].participant_admitted().group_verified());
  EXPECT_TRUE(events[0].participant_admitted().attendance_verified());
  const auto& rana = m.participant("r1");
  EXPECT_EQ(rana.admission(), v1::ADMISSION_STATUS_ADMITTED);
  EXPECT_EQ(rana.stakeholder_group(), "civil_society");
  EXPECT_EQ(rana.attendance(), v1::ATTENDANCE_IN_ROOM);
  EXPECT_TRUE(rana.group_verified());
  EXPECT_TRUE(rana.attendance_verified());
  // Nothing given: the registered values stay, unverified.
  m.run(admit("r2"));
  const auto& omar = m.participant("r2");
  EXPECT_EQ(omar.admission(), v1::ADMISSION_STATUS_ADMITTED);
  EXPECT_EQ(omar.stakeholder_group(), "government");
  EXPECT_FALSE(omar.group_verified());
  EXPECT_FALSE(omar.attendance_verified());
}

TEST(domain_admission, admit_refusals) {
  meeting_builder m;
  m.join("amina", "Amina");
  EXPECT_EQ(m.refuse(admit("ghost")).code, v1::ERROR_CODE_NOT_FOUND);
  EXPECT_EQ(m.refuse(admit("amina")).code, v1::ERROR_CODE_FAILED_PRECONDITION);
  m.run(set_registration(v1::REGISTRATION_MODE_APPROVAL));
  m.run_as_system(registration("r1"));
  EXPECT_EQ(m.refuse(admit("r1", "astronauts")).code, v1::ERROR_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(m.refuse(admit("r1", "", static_cast<v1::Attendance>(7))).code,
            v1::ERROR_CODE_INVALID_ARGUMENT);
}

TEST(domain_admission, people_in_the_lobby_or_removed_can_do_nothing) {
  meeting_builder m = meeting_builder::live_with_item();
  m.run(set_registration(v1::REGISTRATION_MODE_APPROVAL));
  m.run_as_system(registration("r1"));
  const auto in_lobby = m.refuse(request_floor(), "r1", v1::ROLE_PARTICIPANT);
  EXPECT_EQ(in_lobby.code, v1::ERROR_CODE_PERMISSION_DENIED);
  EXPECT_THAT(in_lobby.message, ::testing::HasSubstr("lobby"));
  EXPECT_EQ(m.refuse(submit("Hello"), "r1", v1::ROLE_PARTICIPANT).code,
            v1::ERROR_CODE_PERMISSION_DENIED);
  // The chair cannot put them on the list or give them the floor either.
  EXPECT_NE(m.decide(request_floor(v1::REQUEST_KIND_SPEAK, "r1"), chair_id, v1::ROLE_MODERATOR)
                .index(),
            0U);
  EXPECT_NE(m.decide(grant_floor("r1"), chair_id, v1::ROLE_MODERATOR).index(), 0U);
  m.run(admit("r1"));
  m.run(request_floor(), "r1", v1::ROLE_PARTICIPANT);
  m.join("amina", "Amina");
  m.run(remove("amina"));
  const auto removed = m.refuse(submit("Still here"), "amina", v1::ROLE_PARTICIPANT);
  EXPECT_EQ(removed.code, v1::ERROR_CODE_PERMISSION_DENIED);
  EXPECT_THAT(removed.message, ::testing::HasSubstr("removed"));
}

TEST(domain_admission, removal_withdraws_requests_ends_the_turn_and_keeps_ballots) {
  meeting_builder m = meeting_builder::live_with_item();
  m.join("amina", "Amina");
  m.join("omar", "Omar");
  const std::string second = m.add_item("Item two");
  m.run(request_floor(), "amina", v1::ROLE_PARTICIPANT);
  m.run(request_floor(v1::REQUEST_KIND_SPEAK, "", second), "amina", v1::ROLE_PARTICIPANT);
  m.run(request_floor(), "omar", v1::ROLE_PARTICIPANT);
  m.run(grant_floor("amina"));
  m.run(request_floor(v1::REQUEST_KIND_POINT_OF_ORDER), "amina", v1::ROLE_PARTICIPANT);
  const std::string poll = m.next_fresh_id();
  m.run(create_poll(v1::POLL_KIND_SINGLE, v1::POLL_SECRECY_NAMED, v1::RESULTS_VISIBILITY_LIVE));
  m.run(open_poll(poll));
  m.run(cast_ballot(poll, {1}), "amina", v1::ROLE_PARTICIPANT);
  m.run(cast_ballot(poll, {2}), "omar", v1::ROLE_PARTICIPANT);

  auto events = m.run(remove("amina"));
  ASSERT_EQ(events.size(), 4U);  // two waiting entries, the turn, the removal
  EXPECT_TRUE(events[0].has_request_withdrawn());
  EXPECT_TRUE(events[0].request_withdrawn().by_chair());
  EXPECT_TRUE(events[1].has_request_withdrawn());
  EXPECT_TRUE(events[2].has_turn_ended());
  EXPECT_EQ(events[2].turn_ended().intervention().participant_id(), "amina");
  EXPECT_EQ(events[3].participant_removed().participant_id(), "amina");
  EXPECT_EQ(m.participant("amina").admission(), v1::ADMISSION_STATUS_REMOVED);
  EXPECT_THAT(m.waiting_ids(), ElementsAre("omar"));
  EXPECT_TRUE(m.item(second).speakers().waiting().empty());
  EXPECT_FALSE(m.current_item().speakers().floor_taken());
  // A removal is not an annulment: the ballot already cast stays counted.
  EXPECT_THAT(m.poll(poll).tally(), ElementsAre(0U, 1U, 1U));
  EXPECT_EQ(m.refuse(cast_ballot(poll, {0}), "amina", v1::ROLE_PARTICIPANT).code,
            v1::ERROR_CODE_PERMISSION_DENIED);
  EXPECT_THAT(m.poll(poll).tally(), ElementsAre(0U, 1U, 1U));
}

TEST(domain_admission, removal_refusals_and_decline_from_the_lobby) {
  meeting_builder m;
  EXPECT_EQ(m.refuse(remove(chair_id)).code, v1::ERROR_CODE_FAILED_PRECONDITION);
  EXPECT_EQ(m.refuse(remove("ghost")).code, v1::ERROR_CODE_NOT_FOUND);
  m.run(set_registration(v1::REGISTRATION_MODE_APPROVAL));
  m.run_as_system(registration("r1"));
  auto events = m.run(remove("r1"));  // declining someone in the lobby
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(m.participant("r1").admission(), v1::ADMISSION_STATUS_REMOVED);
  EXPECT_EQ(m.refuse(remove("r1")).code, v1::ERROR_CODE_FAILED_PRECONDITION);
  // Readmission.
  m.run(admit("r1"));
  EXPECT_EQ(m.participant("r1").admission(), v1::ADMISSION_STATUS_ADMITTED);
}

TEST(domain_admission, admin_tokens_and_walk_ins_are_admitted_and_verified) {
  meeting_builder m;
  m.join("amina", "Amina", v1::ROLE_PARTICIPANT, "academia", v1::ATTENDANCE_IN_ROOM);
  EXPECT_EQ(m.participant("amina").admission(), v1::ADMISSION_STATUS_ADMITTED);
  EXPECT_TRUE(m.participant("amina").group_verified());
  EXPECT_TRUE(m.participant("amina").attendance_verified());
  const std::string walk_in = m.walk_in("Hassan", "government");
  EXPECT_EQ(m.participant(walk_in).admission(), v1::ADMISSION_STATUS_ADMITTED);
  EXPECT_TRUE(m.participant(walk_in).group_verified());
}

TEST(domain_admission, older_logs_without_admission_read_as_admitted) {
  meeting_builder m = meeting_builder::live_with_item();
  auto& old = *m.state.add_participants();
  old.set_id("old");
  old.set_role(v1::ROLE_PARTICIPANT);
  old.set_display_name("Old");
  EXPECT_TRUE(is_admitted(old));
  m.run(request_floor(), "old", v1::ROLE_PARTICIPANT);
}

TEST(domain_admission, kept_out_people_get_no_connection_from_a_race) {
  meeting_builder m;
  m.run(set_registration(v1::REGISTRATION_MODE_APPROVAL));
  m.run_as_system(registration("r1", "Rana"));
  v1::Participant claims;
  claims.set_id("r1");
  claims.set_display_name("Rana");
  claims.set_role(v1::ROLE_PARTICIPANT);
  EXPECT_TRUE(connection_opened(m.state, claims, "c1", "i1", m.now_ms).empty());
  m.run(admit("r1"));
  EXPECT_EQ(connection_opened(m.state, claims, "c1", "i1", m.now_ms).size(), 1U);
}

TEST(domain_admission, the_invite_nonce_is_for_the_chair_only) {
  meeting_builder m;
  auto events = m.run(rotate_invite());
  const std::string nonce = m.state.settings().admission().invite_nonce();
  ASSERT_FALSE(nonce.empty());
  v1::Event out;
  ASSERT_TRUE(project_event(m.state, events[0], audience::moderator, out));
  EXPECT_EQ(out.invite_code_rotated().invite_nonce(), nonce);
  for (audience who : {audience::participant, audience::public_view}) {
    ASSERT_TRUE(project_event(m.state, events[0], who, out));
    EXPECT_TRUE(out.has_invite_code_rotated());
    EXPECT_TRUE(out.invite_code_rotated().invite_nonce().empty());
    EXPECT_TRUE(project_state(m.state, who, "").settings().admission().invite_nonce().empty());
  }
  EXPECT_EQ(project_state(m.state, audience::moderator, "").settings().admission().invite_nonce(),
            nonce);
}

}  // namespace
}  // namespace majlis::domain::testing
