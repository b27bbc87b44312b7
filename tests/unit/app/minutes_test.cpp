#include "app/minutes.hpp"

#include <sstream>
#include <string>
#include <vector>

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
  turn->set_attendance(v1::ATTENDANCE_REMOTE);
  auto* unverified = state.add_interventions();  // recorded before anyone verified them
  unverified->set_participant_id("p1");
  unverified->set_item_id("i1");
  unverified->set_duration_ms(60'000);
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
  EXPECT_NE(text.find("Amina (group unverified, attendance unverified), 1:00"), std::string::npos);
  EXPECT_NE(text.find("yes: 7, no: 2 (1 voted, secret ballot)"), std::string::npos);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Every character that would start Markdown syntax is escaped: no unescaped `c` in `text`.
bool all_escaped(const std::string& text, char c) {
  for (std::size_t at = text.find(c); at != std::string::npos; at = text.find(c, at + 1)) {
    if (at == 0 || text[at - 1] != '\\') return false;
  }
  return true;
}

// Names and texts typed by people cannot add a heading, a list item, a table row, a link or a
// line of their own to the minutes.
TEST(minutes, typed_text_cannot_forge_markdown) {
  v1::MeetingState state;
  state.set_title("Hearing\n# Forged title");
  auto* person = state.add_participants();
  person->set_id("p1");
  person->set_display_name("x\n## Decisions\n- forged");
  auto* item = state.add_agenda();
  item->set_id("i1");
  item->set_title("Budget | a | b #");
  item->set_description("Line one\n## Forged heading\n- forged item\n1. forged\n| a | b |\n"
                        "---\n    code\n<script>alert(1)</script>");
  item->add_decisions()->set_text("[click](http://evil)");
  auto* action = item->add_action_items();
  action->set_text("Pay\r\n- forged action");
  action->set_owner("![img](http://evil/x.png)");
  auto* turn = state.add_interventions();
  turn->set_participant_id("p1");
  turn->set_item_id("i1");
  turn->set_duration_ms(60'000);
  turn->set_stakeholder_group("g\n\n# forged group");
  auto* poll = state.add_polls();
  poll->set_item_id("i1");
  poll->set_question("*Adopt*?\n- forged poll");
  poll->set_status(v1::POLL_STATUS_PUBLISHED);
  poll->add_options("<b>yes</b>");
  poll->add_options("no\u202E");
  poll->add_tally(1);
  poll->add_tally(0);

  const auto text = render_minutes(state);
  const auto lines = lines_of(text);
  int headings = 0, items = 0;
  for (const auto& line : lines) {
    const auto start = line.find_first_not_of(" >");
    const std::string bare = start == std::string::npos ? "" : line.substr(start);
    if (!bare.empty() && bare[0] == '#') ++headings;
    if (bare.rfind("- ", 0) == 0 || bare.rfind("* ", 0) == 0 || bare.rfind("+ ", 0) == 0) ++items;
    EXPECT_NE(bare.rfind("1.", 0), 0u) << "an ordered list item: " << line;
    EXPECT_NE(bare.rfind("---", 0), 0u) << "a rule or setext heading: " << line;
    EXPECT_NE(bare.rfind("|", 0), 0u) << "a table row: " << line;
    EXPECT_EQ(line.rfind("    ", 0), std::string::npos) << "a code block: " << line;
    EXPECT_EQ(line.find_first_of("\r\t"), std::string::npos) << line;
  }
  EXPECT_EQ(headings, 2) << text;  // the title and the item
  EXPECT_EQ(items, 4) << text;     // one speaker, one decision, one action, one poll
  EXPECT_EQ(text.find("[click]("), std::string::npos) << text;
  EXPECT_EQ(text.find("![img]("), std::string::npos) << text;
  EXPECT_EQ(text.find("<script>"), std::string::npos) << text;
  EXPECT_EQ(text.find("<b>"), std::string::npos) << text;
  EXPECT_EQ(text.find("\u202E"), std::string::npos) << "a bidi override reached the minutes";
  // Apart from the minutes' own markup, every Markdown special is escaped.
  std::string typed = text;
  for (const std::string ours : {"**Decision:**", "**Action:**", "**Poll:**"}) {
    for (auto at = typed.find(ours); at != std::string::npos; at = typed.find(ours)) {
      typed.erase(at, ours.size());
    }
  }
  for (char c : {'[', ']', '<', '|', '*', '`', '_'}) {
    EXPECT_TRUE(all_escaped(typed, c)) << "unescaped " << c << " in:\n" << text;
  }
  // The words themselves are all there.
  for (const char* word : {"Forged title", "Decisions", "forged", "click", "http://evil",
                           "Forged heading", "alert(1)", "forged group", "forged poll", "Pay"}) {
    EXPECT_NE(text.find(word), std::string::npos) << word << " is missing from:\n" << text;
  }
}

}  // namespace
}  // namespace majlis::app
