// The floor: calling the next speaker, granting directly, pauses, time limits, interventions
// and the equity figures they feed.
#include "floor.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "limits.hpp"
#include "meeting_builder.hpp"

namespace majlis::domain::testing {
namespace {

using ::testing::ElementsAre;

constexpr int64_t default_turn_ms = 3 * 60 * 1000;

class domain_floor : public ::testing::Test {
 protected:
  void SetUp() override {
    m.join("amina", "Amina", v1::ROLE_PARTICIPANT, "academia", v1::ATTENDANCE_REMOTE);
    m.join("omar", "Omar", v1::ROLE_PARTICIPANT, "government", v1::ATTENDANCE_IN_ROOM);
  }
  const v1::SpeakersList& list() const { return m.current_item().speakers(); }
  v1::Command simple(void (*fill)(v1::Command&)) {
    v1::Command command;
    fill(command);
    return command;
  }
  meeting_builder m = meeting_builder::live_with_item();
};

TEST_F(domain_floor, next_speaker_gives_the_floor_to_the_first_waiting_entry) {
  m.run(request_floor(), "amina", v1::ROLE_PARTICIPANT);
  m.run(request_floor(), "omar", v1::ROLE_PARTICIPANT);
  const std::string entry = list().waiting(0).id();
  auto events = m.run(next_speaker());
  ASSERT_EQ(events.size(), 1U);
  const auto& floor = events[0].floor_granted().floor();
  EXPECT_EQ(floor.participant_id(), "amina");
  EXPECT_EQ(floor.entry_id(), entry);
  EXPECT_EQ(floor.kind(), v1::REQUEST_KIND_SPEAK);
  EXPECT_EQ(floor.started_at_ms(), m.now_ms);
  EXPECT_EQ(floor.time_limit_ms(), default_turn_ms);
  EXPECT_TRUE(list().floor_taken());
  EXPECT_THAT(m.waiting_ids(), ElementsAre("omar"));
}

TEST_F(domain_floor, an_explicit_time_limit_wins_over_the_default_also_for_points_of_order) {
  m.run(request_floor(v1::REQUEST_KIND_POINT_OF_ORDER), "amina", v1::ROLE_PARTICIPANT);
  m.run(next_speaker());
  EXPECT_EQ(list().floor().time_limit_ms(), default_turn_ms);
  EXPECT_EQ(list().floor().kind(), v1::REQUEST_KIND_POINT_OF_ORDER);
  m.run(request_floor(), "omar", v1::ROLE_PARTICIPANT);
  m.run(next_speaker(60'000));
  EXPECT_EQ(list().floor().time_limit_ms(), 60'000);
  EXPECT_EQ(m.refuse(next_speaker(-1)).code, v1::ERROR_CODE_INVALID_ARGUMENT);
}

TEST_F(domain_floor, next_speaker_ends_the_running_turn_first) {
  m.run(request_floor(), "amina", v1::ROLE_PARTICIPANT);
  m.run(request_floor(), "omar", v1::ROLE_PARTICIPANT);
  m.run(next_speaker());
  m.advance(90'000);
  auto events = m.run(next_speaker());
  ASSERT_EQ(events.size(), 2U);
  ASSERT_TRUE(events[0].has_turn_ended());
  EXPECT_EQ(events[0].turn_ended().intervention().participant_id(), "amina");
  EXPECT_EQ(events[0].turn_ended().intervention().duration_ms(), 90'000);
  ASSERT_TRUE(events[1].has_floor_granted());
  EXPECT_EQ(events[1].floor_granted().floor().participant_id(), "omar");
}

TEST_F(domain_floor, nobody_waiting_is_a_failed_precondition) {
  EXPECT_EQ(m.refuse(next_speaker()).code, v1::ERROR_CODE_FAILED_PRECONDITION);
}

TEST_F(domain_floor, next_speaker_follows_the_order_after_the_finished_turn_counts) {
  m.join("g0", "G0", v1::ROLE_PARTICIPANT, "government", v1::ATTENDANCE_REMOTE);
  m.join("a0", "A0", v1::ROLE_PARTICIPANT, "academia", v1::ATTENDANCE_REMOTE);
  m.run(grant_floor("a0"));
  m.advance(100'000);
  m.run(end_turn());  // academia 100 s
  m.run(set_policy(false, false, true));
  m.run(grant_floor("g0"));
  m.run(request_floor(), "omar", v1::ROLE_PARTICIPANT);        // government
  m.run(request_floor(), "amina", v1::ROLE_PARTICIPANT);       // academia
  // g0's running turn counts as a full turn (3 min) for government: academia (100 s) is next.
  EXPECT_THAT(m.waiting_ids(), ElementsAre("amina", "omar"));
  m.advance(200'000);  // g0 speaks long: government 200 s once the turn ends
  auto events = m.run(next_speaker());
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(events[1].floor_granted().floor().participant_id(), "amina");
}

TEST_F(domain_floor, the_floor_is_given_on_the_current_item_only) {
  const std::string later = m.add_item("Later");
  v1::Command command = next_speaker();
  command.mutable_next_speaker()->set_item_id(later);
  EXPECT_EQ(m.refuse(command).code, v1::ERROR_CODE_FAILED_PRECONDITION);
}

TEST_F(domain_floor, grant_floor_removes_the_speakers_waiting_speak_entry) {
  m.run(request_floor(), "amina", v1::ROLE_PARTICIPANT);
  m.run(request_floor(v1::REQUEST_KIND_POINT_OF_ORDER), "amina", v1::ROLE_PARTICIPANT);
  m.run(request_floor(), "omar", v1::ROLE_PARTICIPANT);
  const std::string speak_entry = list().waiting(1).id();
  auto events = m.run(grant_floor("amina", 30'000));
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].floor_granted().floor().entry_id(), speak_entry);
  EXPECT_EQ(list().floor().time_limit_ms(), 30'000);
  ASSERT_EQ(list().waiting_size(), 2);
  EXPECT_EQ(list().waiting(0).kind(), v1::REQUEST_KIND_POINT_OF_ORDER);
  EXPECT_EQ(list().waiting(1).participant_id(), "omar");
  EXPECT_EQ(m.refuse(grant_floor("nobody")).code, v1::ERROR_CODE_NOT_FOUND);
}

TEST_F(domain_floor, pauses_do_not_count_as_spoken_time) {
  m.run(grant_floor("amina"));
  m.advance(30'000);
  m.run(simple([](v1::Command& c) { c.mutable_pause_floor(); }));
  EXPECT_TRUE(list().floor().paused());
  EXPECT_EQ(list().floor().elapsed_before_pause_ms(), 30'000);
  EXPECT_EQ(m.refuse(simple([](v1::Command& c) { c.mutable_pause_floor(); })).code,
            v1::ERROR_CODE_FAILED_PRECONDITION);
  m.advance(60'000);
  m.run(simple([](v1::Command& c) { c.mutable_resume_floor(); }));
  EXPECT_FALSE(list().floor().paused());
  EXPECT_EQ(list().floor().resumed_at_ms(), m.now_ms);
  EXPECT_EQ(m.refuse(simple([](v1::Command& c) { c.mutable_resume_floor(); })).code,
            v1::ERROR_CODE_FAILED_PRECONDITION);
  m.advance(20'000);
  auto events = m.run(end_turn());
  ASSERT_EQ(events.size(), 1U);
  const auto& intervention = events[0].turn_ended().intervention();
  EXPECT_EQ(intervention.duration_ms(), 50'000);
  EXPECT_EQ(intervention.ended_at_ms() - intervention.started_at_ms(), 110'000);
}

TEST_F(domain_floor, a_turn_ended_while_paused_counts_until_the_pause) {
  m.run(grant_floor("amina"));
  m.advance(10'000);
  m.run(simple([](v1::Command& c) { c.mutable_pause_floor(); }));
  m.advance(50'000);
  auto events = m.run(end_turn());
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].turn_ended().intervention().duration_ms(), 10'000);
}

TEST_F(domain_floor, the_speaker_or_the_chair_ends_a_turn) {
  m.run(grant_floor("amina"));
  EXPECT_EQ(m.refuse(end_turn(), "omar", v1::ROLE_PARTICIPANT).code,
            v1::ERROR_CODE_PERMISSION_DENIED);
  m.run(end_turn(), "amina", v1::ROLE_PARTICIPANT);
  EXPECT_FALSE(list().floor_taken());
  EXPECT_EQ(m.refuse(end_turn()).code, v1::ERROR_CODE_FAILED_PRECONDITION);
  m.run(grant_floor("omar"));
  m.run(end_turn());
  EXPECT_EQ(m.state.interventions_size(), 2);
}

TEST_F(domain_floor, an_intervention_records_who_what_when_and_feeds_equity) {
  m.run(grant_floor("omar", 120'000));
  m.advance(150'000);
  m.run(end_turn());
  ASSERT_EQ(m.state.interventions_size(), 1);
  const auto& intervention = m.state.interventions(0);
  EXPECT_EQ(intervention.participant_id(), "omar");
  EXPECT_EQ(intervention.item_id(), m.state.current_item_id());
  EXPECT_EQ(intervention.kind(), v1::REQUEST_KIND_SPEAK);
  EXPECT_EQ(intervention.duration_ms(), 150'000);
  EXPECT_EQ(intervention.stakeholder_group(), "government");
  EXPECT_EQ(intervention.attendance(), v1::ATTENDANCE_IN_ROOM);
  EXPECT_EQ(intervention.time_limit_ms(), 120'000);  // overtime: 150 s > 120 s, derivable

  m.run(grant_floor("amina"));
  m.advance(40'000);
  m.run(end_turn());
  m.run(grant_floor("omar"));
  m.advance(10'000);
  m.run(end_turn());
  const auto& equity = m.state.equity();
  ASSERT_EQ(equity.by_group_size(), 2);
  EXPECT_EQ(equity.by_group(0).key(), "government");
  EXPECT_EQ(equity.by_group(0).speaking_ms(), 160'000);
  EXPECT_EQ(equity.by_group(0).turns(), 2U);
  EXPECT_EQ(equity.by_group(1).key(), "academia");
  EXPECT_EQ(equity.by_group(1).speaking_ms(), 40'000);
  ASSERT_EQ(equity.by_attendance_size(), 2);
  EXPECT_EQ(equity.by_attendance(0).key(), "in_room");
  EXPECT_EQ(equity.by_attendance(0).turns(), 2U);
  EXPECT_EQ(equity.by_attendance(1).key(), "remote");
  EXPECT_EQ(equity.by_attendance(1).speaking_ms(), 40'000);
}

TEST_F(domain_floor, the_chair_changes_the_running_turns_limit) {
  v1::Command change;
  change.mutable_set_turn_time_limit()->set_time_limit_ms(45'000);
  EXPECT_EQ(m.refuse(change).code, v1::ERROR_CODE_FAILED_PRECONDITION);
  m.run(grant_floor("amina"));
  m.run(change);
  EXPECT_EQ(list().floor().time_limit_ms(), 45'000);
  change.mutable_set_turn_time_limit()->set_time_limit_ms(-5);
  EXPECT_EQ(m.refuse(change).code, v1::ERROR_CODE_INVALID_ARGUMENT);
}

TEST_F(domain_floor, a_default_of_zero_means_no_limit) {
  v1::Command set;
  set.mutable_set_default_speaking_time()->set_time_limit_ms(0);
  m.run(set);
  m.run(grant_floor("amina"));
  EXPECT_EQ(list().floor().time_limit_ms(), 0);
}

TEST_F(domain_floor, granting_stops_when_interventions_reach_the_limit) {
  for (std::size_t i = 0; i + 1 < limits::max_interventions; ++i) m.state.add_interventions();
  m.run(grant_floor("amina"));  // its intervention is the last one with room
  EXPECT_EQ(m.refuse(grant_floor("omar")).code, v1::ERROR_CODE_RESOURCE_EXHAUSTED);
  m.run(end_turn());
  EXPECT_EQ(static_cast<std::size_t>(m.state.interventions_size()), limits::max_interventions);
}

TEST_F(domain_floor, spoken_ms_excludes_pauses) {
  v1::Floor floor;
  floor.set_started_at_ms(1000);
  floor.set_resumed_at_ms(5000);
  floor.set_elapsed_before_pause_ms(2000);
  EXPECT_EQ(spoken_ms(floor, 8000), 5000);
  floor.set_paused(true);
  EXPECT_EQ(spoken_ms(floor, 8000), 2000);
}

}  // namespace
}  // namespace majlis::domain::testing
