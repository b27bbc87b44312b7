// Requests to speak: who may ask, for whom, when, how often; withdrawing, moving, closing.
#include "speaking_queue.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "limits.hpp"
#include "meeting_builder.hpp"

namespace majlis::domain::testing {
namespace {

using ::testing::ElementsAre;

class domain_speaking_queue : public ::testing::Test {
 protected:
  void SetUp() override {
    m.join("amina", "Amina", v1::ROLE_PARTICIPANT, "academia", v1::ATTENDANCE_REMOTE);
    m.join("omar", "Omar", v1::ROLE_PARTICIPANT, "government", v1::ATTENDANCE_IN_ROOM);
  }
  meeting_builder m = meeting_builder::live_with_item();
};

TEST_F(domain_speaking_queue, a_request_becomes_a_waiting_entry_with_id_and_order) {
  const std::string expected_id = m.next_fresh_id();
  auto events = m.run(request_floor(), "amina", v1::ROLE_PARTICIPANT);
  ASSERT_EQ(events.size(), 1U);
  const auto& requested = events[0].floor_requested();
  EXPECT_EQ(requested.item_id(), m.state.current_item_id());
  EXPECT_EQ(requested.entry().id(), expected_id);
  EXPECT_EQ(requested.entry().participant_id(), "amina");
  EXPECT_EQ(requested.entry().requested_at_ms(), m.now_ms);
  EXPECT_EQ(requested.entry().request_order(), 0U);
  EXPECT_FALSE(requested.entry().added_by_chair());
  EXPECT_EQ(events[0].actor_id(), "amina");
  EXPECT_EQ(events[0].at_ms(), m.now_ms);
  EXPECT_EQ(m.state.next_request_order(), 1U);
  m.run(request_floor(), "omar", v1::ROLE_PARTICIPANT);
  EXPECT_EQ(m.current_item().speakers().waiting(1).request_order(), 1U);
  EXPECT_EQ(m.state.next_request_order(), 2U);
}

TEST_F(domain_speaking_queue, one_waiting_request_of_each_kind_per_person) {
  m.run(request_floor(), "amina", v1::ROLE_PARTICIPANT);
  EXPECT_EQ(m.refuse(request_floor(), "amina", v1::ROLE_PARTICIPANT).code,
            v1::ERROR_CODE_ALREADY_EXISTS);
  m.run(request_floor(v1::REQUEST_KIND_POINT_OF_ORDER), "amina", v1::ROLE_PARTICIPANT);
  EXPECT_EQ(
      m.refuse(request_floor(v1::REQUEST_KIND_POINT_OF_ORDER), "amina", v1::ROLE_PARTICIPANT).code,
      v1::ERROR_CODE_ALREADY_EXISTS);
  EXPECT_EQ(m.refuse(request_floor(v1::REQUEST_KIND_SPEAK, "amina")).code,
            v1::ERROR_CODE_ALREADY_EXISTS);  // the chair cannot double it either
  EXPECT_EQ(m.current_item().speakers().waiting_size(), 2);
}

TEST_F(domain_speaking_queue, the_kind_must_be_named) {
  EXPECT_EQ(
      m.refuse(request_floor(v1::REQUEST_KIND_UNSPECIFIED), "amina", v1::ROLE_PARTICIPANT).code,
      v1::ERROR_CODE_INVALID_ARGUMENT);
}

TEST_F(domain_speaking_queue, requests_need_a_live_meeting_and_a_current_item) {
  meeting_builder scheduled;
  scheduled.join("amina", "Amina");
  EXPECT_EQ(scheduled.refuse(request_floor(), "amina", v1::ROLE_PARTICIPANT).code,
            v1::ERROR_CODE_FAILED_PRECONDITION);
  meeting_builder no_item;
  no_item.start_meeting();
  no_item.join("amina", "Amina");
  EXPECT_EQ(no_item.refuse(request_floor(), "amina", v1::ROLE_PARTICIPANT).code,
            v1::ERROR_CODE_FAILED_PRECONDITION);
  EXPECT_EQ(m.refuse(request_floor(v1::REQUEST_KIND_SPEAK, "", "no-such-item"), "amina",
                     v1::ROLE_PARTICIPANT)
                .code,
            v1::ERROR_CODE_NOT_FOUND);
}

TEST_F(domain_speaking_queue, people_may_queue_for_a_pending_item_but_not_a_closed_one) {
  const std::string later = m.add_item("Later");
  m.run(request_floor(v1::REQUEST_KIND_SPEAK, "", later), "amina", v1::ROLE_PARTICIPANT);
  EXPECT_EQ(m.item(later).speakers().waiting_size(), 1);
  v1::Command close;
  close.mutable_close_agenda_item()->set_item_id(later);
  close.mutable_close_agenda_item()->set_skipped(true);
  m.run(close);
  EXPECT_EQ(
      m.refuse(request_floor(v1::REQUEST_KIND_SPEAK, "", later), "omar", v1::ROLE_PARTICIPANT).code,
      v1::ERROR_CODE_FAILED_PRECONDITION);
}

TEST_F(domain_speaking_queue, a_closed_list_refuses_self_adds_but_not_the_chair) {
  v1::Command close;
  close.mutable_set_list_closed()->set_closed(true);
  m.run(close);
  EXPECT_TRUE(m.current_item().speakers().closed());
  EXPECT_EQ(m.refuse(request_floor(), "amina", v1::ROLE_PARTICIPANT).code,
            v1::ERROR_CODE_FAILED_PRECONDITION);
  auto events = m.run(request_floor(v1::REQUEST_KIND_SPEAK, "amina"));
  ASSERT_EQ(events.size(), 1U);
  EXPECT_TRUE(events[0].floor_requested().entry().added_by_chair());
  EXPECT_EQ(m.refuse(close).code, v1::ERROR_CODE_FAILED_PRECONDITION);  // already closed
  close.mutable_set_list_closed()->set_closed(false);
  m.run(close);
  m.run(request_floor(), "omar", v1::ROLE_PARTICIPANT);
  EXPECT_THAT(m.waiting_ids(), ElementsAre("amina", "omar"));
}

TEST_F(domain_speaking_queue, only_the_chair_may_request_for_someone_else) {
  EXPECT_EQ(
      m.refuse(request_floor(v1::REQUEST_KIND_SPEAK, "omar"), "amina", v1::ROLE_PARTICIPANT).code,
      v1::ERROR_CODE_PERMISSION_DENIED);
  m.run(request_floor(v1::REQUEST_KIND_SPEAK, "amina", ""), "amina", v1::ROLE_PARTICIPANT);
  EXPECT_EQ(m.refuse(request_floor(v1::REQUEST_KIND_SPEAK, "nobody")).code,
            v1::ERROR_CODE_NOT_FOUND);
}

TEST_F(domain_speaking_queue, the_chair_queues_walk_ins) {
  const std::string id = m.walk_in("فاطمة الزهراء", "civil_society");
  m.run(request_floor(v1::REQUEST_KIND_SPEAK, id));
  EXPECT_THAT(m.waiting_ids(), ElementsAre(id));
  EXPECT_TRUE(m.current_item().speakers().waiting(0).added_by_chair());
}

TEST_F(domain_speaking_queue, displays_and_observers_cannot_be_queued) {
  m.join("screen", "Hall screen", v1::ROLE_DISPLAY);
  EXPECT_EQ(m.refuse(request_floor(v1::REQUEST_KIND_SPEAK, "screen")).code,
            v1::ERROR_CODE_FAILED_PRECONDITION);
  EXPECT_EQ(m.refuse(request_floor(), "screen", v1::ROLE_DISPLAY).code,
            v1::ERROR_CODE_PERMISSION_DENIED);
}

TEST_F(domain_speaking_queue, a_reply_needs_a_speaker_other_than_oneself) {
  EXPECT_EQ(m.refuse(request_floor(v1::REQUEST_KIND_REPLY), "amina", v1::ROLE_PARTICIPANT).code,
            v1::ERROR_CODE_FAILED_PRECONDITION);
  m.run(grant_floor("omar"));
  EXPECT_EQ(m.refuse(request_floor(v1::REQUEST_KIND_REPLY), "omar", v1::ROLE_PARTICIPANT).code,
            v1::ERROR_CODE_FAILED_PRECONDITION);
  m.run(request_floor(v1::REQUEST_KIND_REPLY), "amina", v1::ROLE_PARTICIPANT);
  EXPECT_EQ(m.current_item().speakers().waiting(0).kind(), v1::REQUEST_KIND_REPLY);
}

TEST_F(domain_speaking_queue, withdrawing_own_request_or_any_as_chair) {
  m.run(request_floor(), "amina", v1::ROLE_PARTICIPANT);
  m.run(request_floor(), "omar", v1::ROLE_PARTICIPANT);
  const std::string amina_entry = m.current_item().speakers().waiting(0).id();
  const std::string omar_entry = m.current_item().speakers().waiting(1).id();
  v1::Command withdraw;
  withdraw.mutable_withdraw_request()->set_entry_id(omar_entry);
  EXPECT_EQ(m.refuse(withdraw, "amina", v1::ROLE_PARTICIPANT).code,
            v1::ERROR_CODE_PERMISSION_DENIED);
  auto events = m.run(withdraw);
  ASSERT_EQ(events.size(), 1U);
  EXPECT_TRUE(events[0].request_withdrawn().by_chair());
  withdraw.mutable_withdraw_request()->set_entry_id(amina_entry);
  events = m.run(withdraw, "amina", v1::ROLE_PARTICIPANT);
  ASSERT_EQ(events.size(), 1U);
  EXPECT_FALSE(events[0].request_withdrawn().by_chair());
  EXPECT_TRUE(m.waiting_ids().empty());
  EXPECT_EQ(m.refuse(withdraw, "amina", v1::ROLE_PARTICIPANT).code, v1::ERROR_CODE_NOT_FOUND);
}

TEST_F(domain_speaking_queue, moving_a_request_pins_it) {
  m.run(request_floor(), "amina", v1::ROLE_PARTICIPANT);
  m.run(request_floor(), "omar", v1::ROLE_PARTICIPANT);
  v1::Command move;
  move.mutable_move_request()->set_entry_id(m.current_item().speakers().waiting(1).id());
  move.mutable_move_request()->set_position(0);
  EXPECT_EQ(m.refuse(move, "omar", v1::ROLE_PARTICIPANT).code, v1::ERROR_CODE_PERMISSION_DENIED);
  m.run(move);
  EXPECT_THAT(m.waiting_ids(), ElementsAre("omar", "amina"));
  EXPECT_TRUE(m.current_item().speakers().waiting(0).pinned());
  move.mutable_move_request()->set_entry_id("nope");
  EXPECT_EQ(m.refuse(move).code, v1::ERROR_CODE_NOT_FOUND);
}

TEST_F(domain_speaking_queue, moving_past_the_end_means_last) {
  m.run(request_floor(), "amina", v1::ROLE_PARTICIPANT);
  m.run(request_floor(), "omar", v1::ROLE_PARTICIPANT);
  v1::Command move;
  move.mutable_move_request()->set_entry_id(m.current_item().speakers().waiting(0).id());
  move.mutable_move_request()->set_position(99);
  auto events = m.run(move);
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].request_moved().position(), 1);
  EXPECT_THAT(m.waiting_ids(), ElementsAre("omar", "amina"));
}

TEST_F(domain_speaking_queue, a_full_list_is_resource_exhausted) {
  auto& waiting = *m.state.mutable_agenda(0)->mutable_speakers()->mutable_waiting();
  for (std::size_t i = 0; i < limits::max_waiting_per_list; ++i) {
    auto& entry = *waiting.Add();
    entry.set_id("e" + std::to_string(i));
    entry.set_participant_id("p" + std::to_string(i));
    entry.set_kind(v1::REQUEST_KIND_SPEAK);
  }
  EXPECT_EQ(m.refuse(request_floor(), "amina", v1::ROLE_PARTICIPANT).code,
            v1::ERROR_CODE_RESOURCE_EXHAUSTED);
}

}  // namespace
}  // namespace majlis::domain::testing
