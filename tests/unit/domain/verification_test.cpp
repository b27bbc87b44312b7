// Verified attendance (issue 6): who may set a group or attendance, the chair's answers to
// requests, in-room check-in with rotating codes, and fairness on verified values only.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "check_in.hpp"
#include "meeting_builder.hpp"
#include "projection.hpp"
#include "queue_order.hpp"
#include "state_lookup.hpp"

namespace majlis::domain::testing {
namespace {

using ::testing::ElementsAre;
using v1::ATTENDANCE_IN_ROOM;
using v1::ATTENDANCE_REMOTE;
using v1::ATTENDANCE_UNSPECIFIED;

constexpr const char* stale = "The check-in code is not valid or has expired.";

// Someone whose claims nobody has confirmed (a self-registration, as admission records it).
void unverified(meeting_builder& m, const std::string& id, const std::string& group,
                v1::Attendance attendance) {
  v1::Event added;
  added.set_at_ms(m.now_ms);
  added.set_actor_id(id);
  auto& p = *added.mutable_participant_added()->mutable_participant();
  p.set_id(id);
  p.set_display_name(id);
  p.set_role(v1::ROLE_PARTICIPANT);
  p.set_stakeholder_group(group);
  p.set_attendance(attendance);
  p.set_self_registered(true);
  m.apply(added);
  v1::Participant who = p;
  m.apply(connection_opened(m.state, who, "conn-" + id, "instance-a", m.now_ms));
}

v1::Command update_self(const std::string& group, v1::Attendance attendance,
                        const std::string& name = "") {
  v1::Command c;
  c.mutable_update_participant()->set_display_name(name);
  c.mutable_update_participant()->set_stakeholder_group(group);
  c.mutable_update_participant()->set_attendance(attendance);
  return c;
}

v1::Command verify(const std::string& id) {
  v1::Command c;
  c.mutable_verify_participant()->set_participant_id(id);
  return c;
}

v1::Command answer(const std::string& id, bool accept) {
  v1::Command c;
  c.mutable_answer_participant_request()->set_participant_id(id);
  c.mutable_answer_participant_request()->set_accept(accept);
  return c;
}

v1::Command set_check_in(bool open) {
  v1::Command c;
  c.mutable_set_check_in()->set_open(open);
  return c;
}

v1::Command rotate(const std::string& code) {
  v1::Command c;
  c.mutable_rotate_check_in_code()->set_code(code);
  return c;
}

v1::Command check_in(const std::string& code) {
  v1::Command c;
  c.mutable_check_in()->set_code(code);
  return c;
}

// --- requests and the chair's answers ---

TEST(domain_verification, joining_with_an_issued_token_and_walk_ins_are_verified) {
  meeting_builder m;
  m.join("amina", "Amina", v1::ROLE_PARTICIPANT, "academia", ATTENDANCE_REMOTE);
  EXPECT_TRUE(m.participant("amina").group_verified());
  EXPECT_TRUE(m.participant("amina").attendance_verified());
  const std::string walk_in = m.walk_in("Bashir", "government");
  EXPECT_TRUE(m.participant(walk_in).group_verified());
  EXPECT_TRUE(m.participant(walk_in).attendance_verified());
}

TEST(domain_verification, a_participant_cannot_change_their_own_group_or_attendance) {
  meeting_builder m;
  m.join("amina", "Amina", v1::ROLE_PARTICIPANT, "academia", ATTENDANCE_REMOTE);
  auto events = m.run(update_self("government", ATTENDANCE_IN_ROOM, "Amina K."), "amina",
                      v1::ROLE_PARTICIPANT);
  ASSERT_EQ(events.size(), 2U);
  EXPECT_TRUE(events[0].has_participant_updated());
  EXPECT_TRUE(events[0].participant_updated().stakeholder_group().empty());
  EXPECT_EQ(events[0].participant_updated().attendance(), ATTENDANCE_UNSPECIFIED);
  EXPECT_TRUE(events[1].has_participant_change_requested());
  const auto& amina = m.participant("amina");
  EXPECT_EQ(amina.display_name(), "Amina K.");  // the name changes at once
  EXPECT_EQ(amina.stakeholder_group(), "academia");
  EXPECT_EQ(amina.attendance(), ATTENDANCE_REMOTE);
  EXPECT_TRUE(amina.group_verified());
  EXPECT_EQ(amina.requested_group(), "government");
  EXPECT_EQ(amina.requested_attendance(), ATTENDANCE_IN_ROOM);

  // A later request keeps what it does not name.
  m.run(update_self("", ATTENDANCE_REMOTE), "amina", v1::ROLE_PARTICIPANT);
  EXPECT_EQ(m.participant("amina").requested_group(), "government");
  EXPECT_EQ(m.participant("amina").requested_attendance(), ATTENDANCE_REMOTE);
  // A group the meeting does not have is refused as before.
  EXPECT_EQ(m.refuse(update_self("pirates", ATTENDANCE_UNSPECIFIED), "amina",
                     v1::ROLE_PARTICIPANT).code,
            v1::ERROR_CODE_INVALID_ARGUMENT);
  // Only the name: no request.
  events = m.run(update_self("", ATTENDANCE_UNSPECIFIED, "Amina"), "amina", v1::ROLE_PARTICIPANT);
  ASSERT_EQ(events.size(), 1U);
  EXPECT_TRUE(events[0].has_participant_updated());
}

TEST(domain_verification, what_the_chair_sets_is_verified) {
  meeting_builder m;
  unverified(m, "omar", "academia", ATTENDANCE_REMOTE);
  v1::Command c = update_self("government", ATTENDANCE_UNSPECIFIED);
  c.mutable_update_participant()->set_participant_id("omar");
  auto events = m.run(c);
  ASSERT_EQ(events.size(), 2U);
  ASSERT_TRUE(events[1].has_participant_verified());
  EXPECT_EQ(events[1].participant_verified().stakeholder_group(), "government");
  EXPECT_EQ(events[1].participant_verified().attendance(), ATTENDANCE_REMOTE);
  EXPECT_EQ(m.participant("omar").stakeholder_group(), "government");
  EXPECT_TRUE(m.participant("omar").group_verified());
  EXPECT_TRUE(m.participant("omar").attendance_verified());

  // A change of name alone verifies nothing.
  unverified(m, "lina", "academia", ATTENDANCE_REMOTE);
  v1::Command rename = update_self("", ATTENDANCE_UNSPECIFIED, "Lina");
  rename.mutable_update_participant()->set_participant_id("lina");
  EXPECT_EQ(m.run(rename).size(), 1U);
  EXPECT_FALSE(m.participant("lina").group_verified());
}

TEST(domain_verification, the_chair_verifies_the_current_values) {
  meeting_builder m;
  unverified(m, "omar", "academia", ATTENDANCE_REMOTE);
  EXPECT_FALSE(m.participant("omar").group_verified());
  EXPECT_EQ(m.refuse(verify("omar"), "amina", v1::ROLE_PARTICIPANT).code,
            v1::ERROR_CODE_PERMISSION_DENIED);
  EXPECT_EQ(m.refuse(verify("nobody")).code, v1::ERROR_CODE_NOT_FOUND);
  m.run(verify("omar"));
  EXPECT_EQ(m.participant("omar").stakeholder_group(), "academia");
  EXPECT_TRUE(m.participant("omar").group_verified());
  EXPECT_TRUE(m.participant("omar").attendance_verified());
  EXPECT_EQ(m.refuse(verify("omar")).code, v1::ERROR_CODE_FAILED_PRECONDITION);
}

TEST(domain_verification, an_accepted_request_is_applied_and_verified) {
  meeting_builder m;
  unverified(m, "omar", "academia", ATTENDANCE_REMOTE);
  EXPECT_EQ(m.refuse(answer("omar", true)).code, v1::ERROR_CODE_FAILED_PRECONDITION);
  m.run(update_self("government", ATTENDANCE_UNSPECIFIED), "omar", v1::ROLE_PARTICIPANT);
  EXPECT_EQ(m.refuse(answer("omar", true), "omar", v1::ROLE_PARTICIPANT).code,
            v1::ERROR_CODE_PERMISSION_DENIED);
  m.run(answer("omar", true));
  const auto& omar = m.participant("omar");
  EXPECT_EQ(omar.stakeholder_group(), "government");
  EXPECT_TRUE(omar.group_verified());
  EXPECT_FALSE(omar.attendance_verified());  // not asked about, still unverified
  EXPECT_TRUE(omar.requested_group().empty());
  EXPECT_EQ(m.refuse(answer("omar", true)).code, v1::ERROR_CODE_FAILED_PRECONDITION);
}

TEST(domain_verification, a_declined_request_is_dropped) {
  meeting_builder m;
  m.join("amina", "Amina", v1::ROLE_PARTICIPANT, "academia", ATTENDANCE_REMOTE);
  m.run(update_self("government", ATTENDANCE_IN_ROOM), "amina", v1::ROLE_PARTICIPANT);
  m.run(answer("amina", false));
  const auto& amina = m.participant("amina");
  EXPECT_EQ(amina.stakeholder_group(), "academia");
  EXPECT_EQ(amina.attendance(), ATTENDANCE_REMOTE);
  EXPECT_TRUE(amina.requested_group().empty());
  EXPECT_EQ(amina.requested_attendance(), ATTENDANCE_UNSPECIFIED);
}

// --- fairness on verified values only ---

class domain_fair_queue : public ::testing::Test {
 protected:
  meeting_builder m = meeting_builder::live_with_item();
  void ask(const std::string& id) {
    m.run(request_floor(), id, v1::ROLE_PARTICIPANT);
    m.advance(1000);
  }
  void speak(const std::string& id, int64_t ms) {
    m.run(grant_floor(id));
    m.advance(ms);
    m.run(end_turn());
  }
};

TEST_F(domain_fair_queue, alternation_ignores_an_unverified_attendance) {
  m.join("r0", "r0", v1::ROLE_PARTICIPANT, "", ATTENDANCE_IN_ROOM);
  m.join("r1", "r1", v1::ROLE_PARTICIPANT, "", ATTENDANCE_IN_ROOM);
  m.join("x2", "x2", v1::ROLE_PARTICIPANT, "", ATTENDANCE_REMOTE);
  unverified(m, "u1", "", ATTENDANCE_REMOTE);
  m.run(set_policy(false, true, false));
  m.run(grant_floor("r0"));
  ask("u1");
  ask("r1");
  ask("x2");
  // After an in-room speaker, the verified remote x2 goes first; u1 claims remote unverified.
  EXPECT_THAT(m.waiting_ids(), ElementsAre("x2", "u1", "r1"));
  m.run(verify("u1"));
  EXPECT_THAT(m.waiting_ids(), ElementsAre("u1", "r1", "x2"));
}

TEST_F(domain_fair_queue, balance_and_equity_ignore_an_unverified_group) {
  unverified(m, "u0", "government", ATTENDANCE_IN_ROOM);
  unverified(m, "u1", "private_sector", ATTENDANCE_REMOTE);
  m.join("g1", "g1", v1::ROLE_PARTICIPANT, "government", ATTENDANCE_REMOTE);
  m.join("g2", "g2", v1::ROLE_PARTICIPANT, "government", ATTENDANCE_REMOTE);
  m.run(set_policy(false, false, true));
  speak("u0", 60'000);
  speak("g1", 10'000);
  // The intervention and the figures hold no unverified group or attendance.
  const auto& first = m.state.interventions(0);
  EXPECT_TRUE(first.stakeholder_group().empty());
  EXPECT_EQ(first.attendance(), ATTENDANCE_UNSPECIFIED);
  std::map<std::string, int64_t> by_group;
  for (const auto& f : m.state.equity().by_group()) by_group[f.key()] = f.speaking_ms();
  EXPECT_EQ(by_group["unspecified"], 60'000);
  EXPECT_EQ(by_group["government"], 10'000);
  EXPECT_EQ(by_group.count("private_sector"), 0U);
  std::map<std::string, int64_t> by_attendance;
  for (const auto& f : m.state.equity().by_attendance()) by_attendance[f.key()] = f.speaking_ms();
  EXPECT_EQ(by_attendance["unspecified"], 60'000);
  EXPECT_EQ(by_attendance.count("in_room"), 0U);

  ask("u1");
  ask("g2");
  // u1's claimed private_sector has not spoken, but unverified they count with u0 (60 s).
  EXPECT_THAT(m.waiting_ids(), ElementsAre("g2", "u1"));
  EXPECT_THAT(m.waiting_reasons()[0], "government has spoken least");
  m.run(verify("u1"));
  EXPECT_THAT(m.waiting_ids(), ElementsAre("u1", "g2"));
}

// --- check-in ---

class domain_check_in : public ::testing::Test {
 protected:
  void SetUp() override {
    unverified(m, "amina", "academia", ATTENDANCE_REMOTE);
    m.join("screen", "Screen", v1::ROLE_DISPLAY);
  }
  // The system proposes what is due, filling in the code as a replica does.
  std::vector<v1::Event> rotate_due(const std::string& code) {
    auto due = due_commands(m.state, m.now_ms);
    EXPECT_EQ(due.size(), 1U);
    if (due.size() != 1 || !due[0].has_rotate_check_in_code()) return {};
    due[0].mutable_rotate_check_in_code()->set_code(code);
    return m.run_as_system(due[0]);
  }
  rejection refuse_check_in(const std::string& code) {
    return m.refuse(check_in(code), "amina", v1::ROLE_PARTICIPANT);
  }
  meeting_builder m = meeting_builder::live_with_item();
};

TEST_F(domain_check_in, opening_makes_a_code_due_at_once) {
  EXPECT_TRUE(due_commands(m.state, m.now_ms).empty());
  EXPECT_EQ(next_deadline_ms(m.state), 0);
  EXPECT_EQ(m.refuse(set_check_in(false)).code, v1::ERROR_CODE_FAILED_PRECONDITION);
  EXPECT_EQ(m.refuse(set_check_in(true), "amina", v1::ROLE_PARTICIPANT).code,
            v1::ERROR_CODE_PERMISSION_DENIED);
  m.run(set_check_in(true));
  EXPECT_TRUE(m.state.check_in().open());
  EXPECT_GT(next_deadline_ms(m.state), 0);
  EXPECT_LE(next_deadline_ms(m.state), m.now_ms);
  auto events = rotate_due("042137");
  ASSERT_EQ(events.size(), 1U);
  const auto& rotated = events[0].check_in_code_rotated();
  EXPECT_EQ(rotated.code(), "042137");
  EXPECT_EQ(rotated.next_rotation_ms(), m.now_ms + 30'000);
  EXPECT_EQ(rotated.previous_valid_until_ms(), m.now_ms + 10'000);
  EXPECT_EQ(m.state.check_in().code(), "042137");
  EXPECT_EQ(m.state.check_in().rotated_at_ms(), m.now_ms);
  EXPECT_EQ(next_deadline_ms(m.state), m.now_ms + 30'000);
}

TEST_F(domain_check_in, a_rotation_that_is_not_due_is_refused) {
  m.run(set_check_in(true));
  rotate_due("111111");
  // A second replica's proposal, decided after the first committed.
  EXPECT_EQ(m.refuse(rotate("222222"), "", v1::ROLE_UNSPECIFIED).code,
            v1::ERROR_CODE_FAILED_PRECONDITION);
  EXPECT_TRUE(due_commands(m.state, m.now_ms + 29'999).empty());
  m.advance(30'000);
  EXPECT_EQ(m.refuse(rotate("12345"), "", v1::ROLE_UNSPECIFIED).code,
            v1::ERROR_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(m.refuse(rotate("12a456"), "", v1::ROLE_UNSPECIFIED).code,
            v1::ERROR_CODE_INVALID_ARGUMENT);
  rotate_due("333333");
  EXPECT_EQ(m.state.check_in().code(), "333333");
  EXPECT_EQ(m.state.check_in().previous_code(), "111111");
}

TEST_F(domain_check_in, clients_cannot_rotate_the_code) {
  m.run(set_check_in(true));
  EXPECT_EQ(m.refuse(rotate("123456")).code, v1::ERROR_CODE_PERMISSION_DENIED);
  EXPECT_EQ(m.refuse(rotate("123456"), "amina", v1::ROLE_PARTICIPANT).code,
            v1::ERROR_CODE_PERMISSION_DENIED);
  EXPECT_EQ(m.refuse(rotate("123456"), "screen", v1::ROLE_DISPLAY).code,
            v1::ERROR_CODE_PERMISSION_DENIED);
}

TEST_F(domain_check_in, the_current_code_checks_a_participant_in) {
  m.run(set_check_in(true));
  rotate_due("555123");
  EXPECT_EQ(refuse_check_in("555124").code, v1::ERROR_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(refuse_check_in("").message, stale);
  EXPECT_EQ(m.refuse(check_in("555123"), "screen", v1::ROLE_DISPLAY).code,
            v1::ERROR_CODE_PERMISSION_DENIED);
  m.advance(2'000);
  auto events = m.run(check_in("555123"), "amina", v1::ROLE_PARTICIPANT);
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].participant_checked_in().participant_id(), "amina");
  const auto& amina = m.participant("amina");
  EXPECT_EQ(amina.attendance(), ATTENDANCE_IN_ROOM);
  EXPECT_TRUE(amina.attendance_verified());
  EXPECT_FALSE(amina.group_verified());
  EXPECT_EQ(amina.checked_in_at_ms(), m.now_ms);
  // Again: nothing changes.
  EXPECT_TRUE(m.run(check_in("555123"), "amina", v1::ROLE_PARTICIPANT).empty());
}

TEST_F(domain_check_in, the_previous_code_counts_during_the_grace_only) {
  m.run(set_check_in(true));
  rotate_due("100001");
  m.advance(30'000);
  rotate_due("200002");
  m.advance(9'999);
  EXPECT_EQ(m.run(check_in("100001"), "amina", v1::ROLE_PARTICIPANT).size(), 1U);

  m.join("omar", "Omar", v1::ROLE_PARTICIPANT, "", ATTENDANCE_REMOTE);
  m.advance(1);  // the grace is over
  const auto refused = m.refuse(check_in("100001"), "omar", v1::ROLE_PARTICIPANT);
  EXPECT_EQ(refused.code, v1::ERROR_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(refused.message, stale);
  EXPECT_EQ(m.participant("omar").attendance(), ATTENDANCE_REMOTE);
  EXPECT_EQ(m.run(check_in("200002"), "omar", v1::ROLE_PARTICIPANT).size(), 1U);
}

TEST_F(domain_check_in, a_code_two_rotations_old_is_refused) {
  m.run(set_check_in(true));
  rotate_due("100001");
  m.advance(30'000);
  rotate_due("200002");
  m.advance(30'000);
  rotate_due("300003");
  EXPECT_EQ(refuse_check_in("100001").message, stale);
}

TEST_F(domain_check_in, closing_refuses_check_in_and_forgets_the_codes) {
  EXPECT_EQ(refuse_check_in("123456").code, v1::ERROR_CODE_FAILED_PRECONDITION);
  m.run(set_check_in(true));
  rotate_due("123456");
  m.run(set_check_in(false));
  EXPECT_FALSE(m.state.check_in().open());
  EXPECT_TRUE(m.state.check_in().code().empty());
  EXPECT_TRUE(m.state.check_in().previous_code().empty());
  EXPECT_TRUE(due_commands(m.state, m.now_ms + 60'000).empty());
  EXPECT_EQ(next_deadline_ms(m.state), 0);
  EXPECT_EQ(refuse_check_in("123456").code, v1::ERROR_CODE_FAILED_PRECONDITION);
  EXPECT_EQ(m.refuse(rotate("654321"), "", v1::ROLE_UNSPECIFIED).code,
            v1::ERROR_CODE_FAILED_PRECONDITION);
  // Open again: a fresh code, and the old one means nothing.
  m.run(set_check_in(true));
  EXPECT_TRUE(m.state.check_in().code().empty());
  rotate_due("777777");
  EXPECT_EQ(refuse_check_in("123456").code, v1::ERROR_CODE_INVALID_ARGUMENT);
}

TEST_F(domain_check_in, the_rotation_period_comes_from_the_context) {
  m.run(set_check_in(true));
  v1::Command c = rotate("123456");
  command_context context = m.context("", v1::ROLE_UNSPECIFIED);
  context.check_in_rotation_ms = 900;
  auto decided = decide(m.state, c, context);
  ASSERT_TRUE(std::holds_alternative<std::vector<v1::Event>>(decided));
  const auto& rotated = std::get<std::vector<v1::Event>>(decided)[0].check_in_code_rotated();
  EXPECT_EQ(rotated.next_rotation_ms(), m.now_ms + 900);
  EXPECT_EQ(rotated.previous_valid_until_ms(), m.now_ms + 300);
}

TEST_F(domain_check_in, only_the_chair_and_displays_see_the_codes) {
  m.run(set_check_in(true));
  rotate_due("100001");
  m.advance(30'000);
  auto events = rotate_due("200002");
  ASSERT_EQ(events.size(), 1U);
  for (audience who : {audience::moderator, audience::display}) {
    const auto view = project_state(m.state, who, "");
    EXPECT_EQ(view.check_in().code(), "200002");
    EXPECT_EQ(view.check_in().previous_code(), "100001");
    v1::Event out;
    ASSERT_TRUE(project_event(m.state, events[0], who, out));
    EXPECT_EQ(out.check_in_code_rotated().code(), "200002");
  }
  for (audience who : {audience::participant, audience::public_view}) {
    const auto view = project_state(m.state, who, "amina");
    EXPECT_TRUE(view.check_in().open());
    EXPECT_TRUE(view.check_in().code().empty());
    EXPECT_TRUE(view.check_in().previous_code().empty());
    EXPECT_EQ(view.check_in().next_rotation_ms(), m.state.check_in().next_rotation_ms());
    v1::Event out;
    ASSERT_TRUE(project_event(m.state, events[0], who, out));
    EXPECT_TRUE(out.check_in_code_rotated().code().empty());
    EXPECT_EQ(out.check_in_code_rotated().next_rotation_ms(),
              events[0].check_in_code_rotated().next_rotation_ms());
  }
  EXPECT_EQ(audience_of(v1::ROLE_OBSERVER), audience::public_view);
}

}  // namespace
}  // namespace majlis::domain::testing
