// Ordering of waiting requests: kinds first, then each policy alone and combined, pins.
#include "queue_order.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "meeting_builder.hpp"

namespace majlis::domain::testing {
namespace {

using ::testing::ElementsAre;
using v1::ATTENDANCE_IN_ROOM;
using v1::ATTENDANCE_REMOTE;

constexpr const char* first_time = "first time on this item";
constexpr const char* alternates = "alternates room and remote";
constexpr const char* in_order = "in order of request";

class domain_queue_order : public ::testing::Test {
 protected:
  meeting_builder m = meeting_builder::live_with_item();

  void person(const std::string& id, v1::Attendance attendance, const std::string& group = "") {
    m.join(id, id, v1::ROLE_PARTICIPANT, group, attendance);
  }
  void ask(const std::string& id, v1::RequestKind kind = v1::REQUEST_KIND_SPEAK) {
    m.run(request_floor(kind), id, v1::ROLE_PARTICIPANT);
    m.advance(1000);
  }
  // `id` speaks a whole turn of `ms` on the current item.
  void speak(const std::string& id, int64_t ms) {
    m.run(grant_floor(id));
    m.advance(ms);
    m.run(end_turn());
  }
};

TEST_F(domain_queue_order, without_policy_speak_requests_are_first_in_first_out) {
  person("a", ATTENDANCE_REMOTE);
  person("b", ATTENDANCE_IN_ROOM);
  person("c", ATTENDANCE_REMOTE);
  ask("b");
  ask("a");
  ask("c");
  EXPECT_THAT(m.waiting_ids(), ElementsAre("b", "a", "c"));
  EXPECT_THAT(m.waiting_reasons(), ElementsAre(in_order, in_order, in_order));
}

TEST_F(domain_queue_order, points_of_order_first_then_replies_then_speakers) {
  for (const char* id : {"a", "b", "c", "d", "e"}) person(id, ATTENDANCE_REMOTE);
  m.run(grant_floor("e"));
  ask("a");
  ask("b", v1::REQUEST_KIND_REPLY);
  ask("c", v1::REQUEST_KIND_POINT_OF_ORDER);
  ask("d", v1::REQUEST_KIND_REPLY);
  ask("a", v1::REQUEST_KIND_POINT_OF_ORDER);
  EXPECT_THAT(m.waiting_ids(), ElementsAre("c", "a", "b", "d", "a"));
  EXPECT_THAT(m.waiting_reasons(),
              ElementsAre("point of order", "point of order", "reply to the current speaker",
                          "reply to the current speaker", in_order));
}

TEST_F(domain_queue_order, first_time_first_puts_new_voices_ahead) {
  person("a", ATTENDANCE_REMOTE);
  person("b", ATTENDANCE_REMOTE);
  person("c", ATTENDANCE_REMOTE);
  speak("a", 60'000);
  m.run(set_policy(true, false, false));
  ask("a");
  ask("b");
  ask("c");
  EXPECT_THAT(m.waiting_ids(), ElementsAre("b", "c", "a"));
  EXPECT_THAT(m.waiting_reasons(), ElementsAre(first_time, first_time, in_order));
}

TEST_F(domain_queue_order, first_time_first_counts_the_current_speaker_as_having_spoken) {
  person("a", ATTENDANCE_REMOTE);
  person("b", ATTENDANCE_REMOTE);
  m.run(set_policy(true, false, false));
  m.run(grant_floor("a"));
  ask("a");
  ask("b");
  EXPECT_THAT(m.waiting_ids(), ElementsAre("b", "a"));
}

TEST_F(domain_queue_order, first_time_first_only_counts_this_item) {
  person("a", ATTENDANCE_REMOTE);
  person("b", ATTENDANCE_REMOTE);
  speak("a", 60'000);
  m.start_item(m.add_item("Item two"));
  m.run(set_policy(true, false, false));
  ask("a");
  ask("b");
  EXPECT_THAT(m.waiting_ids(), ElementsAre("a", "b"));
  EXPECT_THAT(m.waiting_reasons(), ElementsAre(in_order, in_order));
}

TEST_F(domain_queue_order, alternate_attendance_starts_opposite_the_current_speaker) {
  person("r0", ATTENDANCE_IN_ROOM);
  person("r1", ATTENDANCE_IN_ROOM);
  person("r2", ATTENDANCE_IN_ROOM);
  person("x1", ATTENDANCE_REMOTE);
  person("x2", ATTENDANCE_REMOTE);
  m.run(set_policy(false, true, false));
  m.run(grant_floor("r0"));
  ask("r1");
  ask("r2");
  ask("x1");
  ask("x2");
  EXPECT_THAT(m.waiting_ids(), ElementsAre("x1", "r1", "x2", "r2"));
  EXPECT_THAT(m.waiting_reasons(), ElementsAre(alternates, alternates, alternates, in_order));
}

TEST_F(domain_queue_order, alternate_attendance_uses_the_last_intervention_without_a_speaker) {
  person("x0", ATTENDANCE_REMOTE);
  person("x1", ATTENDANCE_REMOTE);
  person("r1", ATTENDANCE_IN_ROOM);
  speak("x0", 30'000);
  m.run(set_policy(false, true, false));
  ask("x1");
  ask("r1");
  EXPECT_THAT(m.waiting_ids(), ElementsAre("r1", "x1"));
}

TEST_F(domain_queue_order, alternate_attendance_without_a_previous_speaker_keeps_request_order) {
  person("x1", ATTENDANCE_REMOTE);
  person("r1", ATTENDANCE_IN_ROOM);
  m.run(set_policy(false, true, false));
  ask("x1");
  ask("r1");
  EXPECT_THAT(m.waiting_ids(), ElementsAre("x1", "r1"));
}

TEST_F(domain_queue_order, stakeholder_balance_gives_the_quietest_group_the_next_turn) {
  person("g0", ATTENDANCE_REMOTE, "government");
  person("g1", ATTENDANCE_REMOTE, "government");
  person("a1", ATTENDANCE_REMOTE, "academia");
  person("a2", ATTENDANCE_REMOTE, "academia");
  speak("g0", 60'000);  // government 1 min, academia 0; each waiting turn counts 3 min
  m.run(set_policy(false, false, true));
  ask("g1");
  ask("a1");
  ask("a2");
  EXPECT_THAT(m.waiting_ids(), ElementsAre("a1", "g1", "a2"));
  EXPECT_THAT(m.waiting_reasons(),
              ElementsAre("academia has spoken least", "government has spoken least", in_order));
}

TEST_F(domain_queue_order, stakeholder_balance_breaks_ties_by_the_meetings_group_order) {
  person("c1", ATTENDANCE_REMOTE, "civil_society");
  person("g1", ATTENDANCE_REMOTE, "government");
  m.run(set_policy(false, false, true));
  ask("c1");
  ask("g1");
  EXPECT_THAT(m.waiting_ids(), ElementsAre("g1", "c1"));
  EXPECT_THAT(m.waiting_reasons(), ElementsAre("government has spoken least", in_order));
}

TEST_F(domain_queue_order, stakeholder_balance_counts_time_across_the_whole_meeting) {
  person("a0", ATTENDANCE_REMOTE, "academia");
  person("a1", ATTENDANCE_REMOTE, "academia");
  person("g1", ATTENDANCE_REMOTE, "government");
  speak("a0", 60'000);
  m.start_item(m.add_item("Item two"));
  m.run(set_policy(false, false, true));
  ask("a1");
  ask("g1");
  EXPECT_THAT(m.waiting_ids(), ElementsAre("g1", "a1"));
}

TEST_F(domain_queue_order, stakeholder_balance_keeps_the_list_when_the_next_speaker_is_called) {
  person("p1", ATTENDANCE_REMOTE, "private_sector");
  person("p2", ATTENDANCE_REMOTE, "private_sector");
  person("c1", ATTENDANCE_REMOTE, "civil_society");
  m.run(set_policy(false, false, true));
  ask("p1");
  ask("c1");
  ask("p2");
  EXPECT_THAT(m.waiting_ids(), ElementsAre("p1", "c1", "p2"));
  // p1 takes the floor: the running turn counts for private_sector, so c1 stays next.
  m.run(next_speaker());
  EXPECT_THAT(m.waiting_ids(), ElementsAre("c1", "p2"));
}

TEST_F(domain_queue_order, first_time_outranks_alternation) {
  person("r0", ATTENDANCE_IN_ROOM);
  person("x1", ATTENDANCE_REMOTE);
  person("r1", ATTENDANCE_IN_ROOM);
  speak("x1", 10'000);
  m.run(grant_floor("r0"));
  m.run(set_policy(true, true, false));
  ask("x1");  // remote, would alternate, but has spoken already
  ask("r1");  // in the room like the speaker, but new
  EXPECT_THAT(m.waiting_ids(), ElementsAre("r1", "x1"));
  EXPECT_THAT(m.waiting_reasons(), ElementsAre(first_time, in_order));
}

TEST_F(domain_queue_order, alternation_outranks_balance) {
  person("r0", ATTENDANCE_IN_ROOM, "academia");
  person("ra", ATTENDANCE_IN_ROOM, "academia");
  person("xg", ATTENDANCE_REMOTE, "government");
  speak("xg", 600'000);  // government has spoken much more
  m.run(grant_floor("r0"));
  m.run(set_policy(false, true, true));
  ask("ra");
  ask("xg");
  EXPECT_THAT(m.waiting_ids(), ElementsAre("xg", "ra"));
  EXPECT_THAT(m.waiting_reasons(), ElementsAre(alternates, in_order));
}

TEST_F(domain_queue_order, the_last_rule_that_narrowed_gives_the_reason) {
  person("g0", ATTENDANCE_REMOTE, "government");
  person("g1", ATTENDANCE_REMOTE, "government");
  person("a1", ATTENDANCE_REMOTE, "academia");
  speak("g0", 60'000);
  m.run(set_policy(true, false, true));
  ask("g0");  // spoke already: first-time drops them
  ask("g1");
  ask("a1");  // first time, and academia has spoken least: balance narrows last
  EXPECT_THAT(m.waiting_ids(), ElementsAre("a1", "g1", "g0"));
  EXPECT_THAT(m.waiting_reasons(), ElementsAre("academia has spoken least", first_time, in_order));
}

TEST_F(domain_queue_order, all_three_policies_compose_in_priority_order) {
  person("r0", ATTENDANCE_IN_ROOM, "government");
  person("r_gov", ATTENDANCE_IN_ROOM, "government");
  person("x_gov", ATTENDANCE_REMOTE, "government");
  person("x_aca", ATTENDANCE_REMOTE, "academia");
  person("r_aca", ATTENDANCE_IN_ROOM, "academia");
  speak("r0", 120'000);    // government 2 min
  speak("r_aca", 30'000);  // academia half a minute
  m.run(grant_floor("r0"));
  m.run(set_policy(true, true, true));
  ask("r_aca");  // has spoken on this item: last
  ask("r_gov");
  ask("x_gov");
  ask("x_aca");
  // new voices {r_gov, x_gov, x_aca}; after the room speaker r0, remote {x_gov, x_aca};
  // academia has less time than government: x_aca. Then room: r_gov. Then x_gov, r_aca.
  EXPECT_THAT(m.waiting_ids(), ElementsAre("x_aca", "r_gov", "x_gov", "r_aca"));
  EXPECT_THAT(m.waiting_reasons(),
              ElementsAre("academia has spoken least", alternates, first_time, in_order));
}

TEST_F(domain_queue_order, a_moved_entry_keeps_its_place_while_others_are_reordered) {
  person("a", ATTENDANCE_REMOTE);
  person("b", ATTENDANCE_REMOTE);
  person("c", ATTENDANCE_REMOTE);
  ask("a");
  ask("b");
  ask("c");
  const std::string c_entry = m.current_item().speakers().waiting(2).id();
  v1::Command move;
  move.mutable_move_request()->set_entry_id(c_entry);
  move.mutable_move_request()->set_position(0);
  m.run(move);
  EXPECT_THAT(m.waiting_ids(), ElementsAre("c", "a", "b"));
  ask("b", v1::REQUEST_KIND_POINT_OF_ORDER);
  EXPECT_THAT(m.waiting_ids(), ElementsAre("c", "b", "a", "b"));
  EXPECT_EQ(m.current_item().speakers().waiting(0).reason(), "moved by the chair");
  EXPECT_TRUE(m.current_item().speakers().waiting(0).pinned());
}

TEST_F(domain_queue_order, a_pinned_entry_moves_up_when_someone_ahead_leaves) {
  person("a", ATTENDANCE_REMOTE);
  person("b", ATTENDANCE_REMOTE);
  person("c", ATTENDANCE_REMOTE);
  ask("a");
  ask("b");
  ask("c");
  v1::Command move;
  move.mutable_move_request()->set_entry_id(m.current_item().speakers().waiting(2).id());
  move.mutable_move_request()->set_position(1);
  m.run(move);
  EXPECT_THAT(m.waiting_ids(), ElementsAre("a", "c", "b"));
  m.run(next_speaker());
  EXPECT_THAT(m.waiting_ids(), ElementsAre("c", "b"));
}

TEST_F(domain_queue_order, changing_the_policy_reorders_waiting_lists) {
  person("a", ATTENDANCE_REMOTE);
  person("b", ATTENDANCE_REMOTE);
  speak("a", 10'000);
  ask("a");
  ask("b");
  EXPECT_THAT(m.waiting_ids(), ElementsAre("a", "b"));
  m.run(set_policy(true, false, false));
  EXPECT_THAT(m.waiting_ids(), ElementsAre("b", "a"));
  m.run(set_policy(false, false, false));
  EXPECT_THAT(m.waiting_ids(), ElementsAre("a", "b"));
}

TEST_F(domain_queue_order, a_change_of_attendance_reorders_waiting_lists) {
  person("r0", ATTENDANCE_IN_ROOM);
  person("x1", ATTENDANCE_REMOTE);
  person("x2", ATTENDANCE_REMOTE);
  m.run(set_policy(false, true, false));
  m.run(grant_floor("r0"));
  ask("x1");
  ask("x2");
  EXPECT_THAT(m.waiting_ids(), ElementsAre("x1", "x2"));
  v1::Command update;
  update.mutable_update_participant()->set_participant_id("x1");
  update.mutable_update_participant()->set_attendance(ATTENDANCE_IN_ROOM);
  m.run(update);  // the chair's change, so verified
  EXPECT_THAT(m.waiting_ids(), ElementsAre("x2", "x1"));
}

TEST(domain_queue_order_keys, equity_keys) {
  EXPECT_EQ(group_key(""), "unspecified");
  EXPECT_EQ(group_key("academia"), "academia");
  EXPECT_EQ(attendance_key(v1::ATTENDANCE_IN_ROOM), "in_room");
  EXPECT_EQ(attendance_key(v1::ATTENDANCE_REMOTE), "remote");
}

}  // namespace
}  // namespace majlis::domain::testing
