// Contributions: submitting, upvoting once, marking answered or hidden.
#include "contributions.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "limits.hpp"
#include "meeting_builder.hpp"

namespace majlis::domain::testing {
namespace {

using ::testing::ElementsAre;

// Puts a contribution on the room display; an empty id takes it off.
v1::Command show(const std::string& contribution_id) {
  v1::Command command;
  command.mutable_show_contribution()->set_contribution_id(contribution_id);
  return command;
}

class domain_contributions : public ::testing::Test {
 protected:
  void SetUp() override {
    m.join("amina", "Amina");
    m.join("omar", "Omar");
  }
  std::string send(const std::string& text, const std::string& who = "amina") {
    const std::string id = m.next_fresh_id();
    m.run(submit(text), who, v1::ROLE_PARTICIPANT);
    return id;
  }
  meeting_builder m = meeting_builder::live_with_item();
};

TEST_F(domain_contributions, a_contribution_belongs_to_the_current_item) {
  const std::string id = send("ما هي ضمانات حماية البيانات الشخصية؟");
  ASSERT_EQ(m.state.contributions_size(), 1);
  const auto& c = m.state.contributions(0);
  EXPECT_EQ(c.id(), id);
  EXPECT_EQ(c.item_id(), m.state.current_item_id());
  EXPECT_EQ(c.author_id(), "amina");
  EXPECT_EQ(c.created_at_ms(), m.now_ms);
  EXPECT_EQ(c.upvotes(), 0U);
}

TEST_F(domain_contributions, an_author_writes_at_most_the_quota_and_the_chair_is_exempt) {
  for (std::size_t i = 0; i < limits::max_contributions_per_author; ++i) {
    send("point " + std::to_string(i));
  }
  const auto refused = m.refuse(submit("one more"), "amina", v1::ROLE_PARTICIPANT);
  EXPECT_EQ(refused.code, v1::ERROR_CODE_RESOURCE_EXHAUSTED);
  EXPECT_THAT(refused.message, ::testing::HasSubstr(
                                   "maximum of " +
                                   std::to_string(limits::max_contributions_per_author)));
  // The quota is per author: others still write, and the chair is never held to it.
  send("my first", "omar");
  for (std::size_t i = 0; i <= limits::max_contributions_per_author; ++i) {
    m.run(submit("chair " + std::to_string(i)));
  }
  EXPECT_EQ(static_cast<std::size_t>(m.state.contributions_size()),
            2 * limits::max_contributions_per_author + 2);
}

TEST_F(domain_contributions, a_named_item_must_exist_and_no_item_is_fine) {
  EXPECT_EQ(m.refuse(submit("hi", "missing"), "amina", v1::ROLE_PARTICIPANT).code,
            v1::ERROR_CODE_NOT_FOUND);
  const std::string later = m.add_item("Later");
  m.run(submit("for later", later), "amina", v1::ROLE_PARTICIPANT);
  EXPECT_EQ(m.state.contributions(0).item_id(), later);
  v1::Command close;
  close.mutable_close_agenda_item()->set_item_id(m.state.current_item_id());
  m.run(close);
  send("general remark");
  EXPECT_TRUE(m.state.contributions(1).item_id().empty());
}

// A contribution is multi-line text: line breaks (LF or CRLF) and tabs are fine, any other
// control character and the bidi overrides are not.
TEST_F(domain_contributions, text_may_have_lines_but_no_control_characters) {
  send("First point.\nSecond point:\n\t- schools\r\n\t- clinics");
  EXPECT_EQ(m.state.contributions(0).text(), "First point.\nSecond point:\n\t- schools\r\n\t- clinics");
  for (const std::string& bad : {std::string("a\rb"), std::string("a\x07" "b"),
                                 std::string("a\x1B[2Jb"), std::string("a\u0085b"),
                                 std::string("\u202Etxt.exe"), std::string("a\u2067b")}) {
    const auto refusal = m.refuse(submit(bad), "amina", v1::ROLE_PARTICIPANT);
    EXPECT_EQ(refusal.code, v1::ERROR_CODE_INVALID_ARGUMENT) << bad;
    EXPECT_NE(refusal.message.find("The contribution contains"), std::string::npos)
        << refusal.message;
  }
  send("سؤال\u200F عن الخصوصية\u061C؟");
}

TEST_F(domain_contributions, text_is_required_and_bounded) {
  EXPECT_EQ(m.refuse(submit(""), "amina", v1::ROLE_PARTICIPANT).code,
            v1::ERROR_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(m.refuse(submit("\n\n"), "amina", v1::ROLE_PARTICIPANT).code,
            v1::ERROR_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(m.refuse(submit(std::string(2001, 'x')), "amina", v1::ROLE_PARTICIPANT).code,
            v1::ERROR_CODE_INVALID_ARGUMENT);
  std::string arabic;
  for (int i = 0; i < 2000; ++i) arabic += "ع";
  send(arabic);
}

TEST_F(domain_contributions, submitting_needs_a_live_meeting) {
  meeting_builder scheduled;
  scheduled.join("amina", "Amina");
  EXPECT_EQ(scheduled.refuse(submit("early"), "amina", v1::ROLE_PARTICIPANT).code,
            v1::ERROR_CODE_FAILED_PRECONDITION);
}

TEST_F(domain_contributions, one_upvote_per_participant_and_not_ones_own) {
  const std::string id = send("question");
  m.run(upvote(id), "omar", v1::ROLE_PARTICIPANT);
  m.run(upvote(id));
  EXPECT_EQ(m.refuse(upvote(id), "omar", v1::ROLE_PARTICIPANT).code, v1::ERROR_CODE_ALREADY_EXISTS);
  EXPECT_EQ(m.refuse(upvote(id), "amina", v1::ROLE_PARTICIPANT).code,
            v1::ERROR_CODE_FAILED_PRECONDITION);
  EXPECT_EQ(m.refuse(upvote("nope"), "omar", v1::ROLE_PARTICIPANT).code, v1::ERROR_CODE_NOT_FOUND);
  EXPECT_EQ(m.state.contributions(0).upvotes(), 2U);
  EXPECT_THAT(m.state.contributions(0).upvoter_ids(), ElementsAre("omar", chair_id));
}

TEST_F(domain_contributions, the_chair_marks_answered_or_hidden) {
  const std::string id = send("question");
  EXPECT_EQ(m.refuse(mark(id, true, false), "omar", v1::ROLE_PARTICIPANT).code,
            v1::ERROR_CODE_PERMISSION_DENIED);
  m.run(mark(id, true, false));
  EXPECT_TRUE(m.state.contributions(0).answered());
  EXPECT_EQ(m.refuse(mark(id, true, false)).code, v1::ERROR_CODE_FAILED_PRECONDITION);
  m.run(mark(id, true, true));
  EXPECT_TRUE(m.state.contributions(0).hidden());
  // Hidden: gone for participants, not upvotable by anyone.
  EXPECT_EQ(m.refuse(upvote(id), "omar", v1::ROLE_PARTICIPANT).code, v1::ERROR_CODE_NOT_FOUND);
  m.run(mark(id, false, false));
  EXPECT_FALSE(m.state.contributions(0).hidden());
  EXPECT_FALSE(m.state.contributions(0).answered());
  m.run(upvote(id), "omar", v1::ROLE_PARTICIPANT);
}

TEST_F(domain_contributions, the_chair_puts_one_contribution_on_the_display_and_takes_it_off) {
  const std::string first = send("ما هي ضمانات حماية البيانات؟");
  const std::string second = send("And the budget?", "omar");
  EXPECT_TRUE(m.state.on_screen_contribution_id().empty());
  EXPECT_EQ(m.refuse(show(first), "omar", v1::ROLE_PARTICIPANT).code,
            v1::ERROR_CODE_PERMISSION_DENIED);
  EXPECT_EQ(m.refuse(show(first), "screen", v1::ROLE_DISPLAY).code,
            v1::ERROR_CODE_PERMISSION_DENIED);
  const auto shown = m.run(show(first));
  ASSERT_EQ(shown.size(), 1U);
  ASSERT_TRUE(shown[0].has_contribution_shown());
  EXPECT_EQ(shown[0].contribution_shown().contribution_id(), first);
  EXPECT_EQ(m.state.on_screen_contribution_id(), first);
  EXPECT_EQ(m.refuse(show(first)).code, v1::ERROR_CODE_FAILED_PRECONDITION);
  // One at a time: showing another replaces it.
  m.run(show(second));
  EXPECT_EQ(m.state.on_screen_contribution_id(), second);
  m.run(show(""));
  EXPECT_TRUE(m.state.on_screen_contribution_id().empty());
  // Nothing to take off.
  EXPECT_EQ(m.refuse(show("")).code, v1::ERROR_CODE_FAILED_PRECONDITION);
}

TEST_F(domain_contributions, an_unknown_or_hidden_contribution_cannot_be_shown) {
  const std::string id = send("spam");
  EXPECT_EQ(m.refuse(show("nope")).code, v1::ERROR_CODE_NOT_FOUND);
  m.run(mark(id, false, true));
  EXPECT_EQ(m.refuse(show(id)).code, v1::ERROR_CODE_FAILED_PRECONDITION);
  EXPECT_TRUE(m.state.on_screen_contribution_id().empty());
}

TEST_F(domain_contributions, hiding_the_contribution_on_screen_takes_it_off) {
  const std::string shown = send("on screen");
  const std::string other = send("another", "omar");
  m.run(show(shown));
  // Marking another one, or answering the one on screen, leaves the display alone.
  m.run(mark(other, false, true));
  m.run(mark(shown, true, false));
  EXPECT_EQ(m.state.on_screen_contribution_id(), shown);
  m.run(mark(shown, true, true));
  EXPECT_TRUE(m.state.on_screen_contribution_id().empty());
  // Shown again (unhidden), it does not come back by itself.
  m.run(mark(shown, false, false));
  EXPECT_TRUE(m.state.on_screen_contribution_id().empty());
}

TEST_F(domain_contributions, the_display_is_left_as_it_was_once_the_meeting_ends) {
  const std::string id = send("last word");
  m.run(show(id));
  v1::Command end;
  end.mutable_end_meeting();
  m.run(end);
  EXPECT_EQ(m.refuse(show("")).code, v1::ERROR_CODE_FAILED_PRECONDITION);
}

}  // namespace
}  // namespace majlis::domain::testing
