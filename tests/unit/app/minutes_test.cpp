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
  EXPECT_NE(text.find("## 1. Data protection law (done)"), std::string::npos);
  EXPECT_NE(text.find("**Decision:** Publish the draft for comment"), std::string::npos);
  EXPECT_NE(text.find("Circulate the draft — Secretariat (due 2026-12-31)"), std::string::npos);
  EXPECT_NE(text.find("Amina (Academia, Remote), 1:30"), std::string::npos);
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
  person->set_role(v1::ROLE_PARTICIPANT);
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
  // The title, attendance, the item and the two speaking-time headings.
  EXPECT_EQ(headings, 5) << text;
  // Attendance: in the room, remote, not stated; the item: one speaker, one decision, one
  // action, one poll; speaking time: "no turns" by group, in the room and remote.
  EXPECT_EQ(items, 10) << text;
  EXPECT_EQ(text.find("[click]("), std::string::npos) << text;
  EXPECT_EQ(text.find("![img]("), std::string::npos) << text;
  EXPECT_EQ(text.find("<script>"), std::string::npos) << text;
  EXPECT_EQ(text.find("<b>"), std::string::npos) << text;
  EXPECT_EQ(text.find("\u202E"), std::string::npos) << "a bidi override reached the minutes";
  // Apart from the minutes' own markup, every Markdown special is escaped.
  std::string typed = text;
  // The minutes' own bold labels ("**Decision:**"); a typed "**" is escaped as "\\*\\*".
  for (auto at = typed.find("**"); at != std::string::npos; at = typed.find("**")) typed.erase(at, 2);
  for (char c : {'[', ']', '<', '|', '*', '`', '_'}) {
    EXPECT_TRUE(all_escaped(typed, c)) << "unescaped " << c << " in:\n" << text;
  }
  // The words themselves are all there.
  for (const char* word : {"Forged title", "Decisions", "forged", "click", "http://evil",
                           "Forged heading", "alert(1)", "forged group", "forged poll", "Pay"}) {
    EXPECT_NE(text.find(word), std::string::npos) << word << " is missing from:\n" << text;
  }
}


v1::Participant* add_person(v1::MeetingState& state, const std::string& id, const std::string& name,
                            v1::Role role, const std::string& group, v1::Attendance attendance) {
  auto* p = state.add_participants();
  p->set_id(id);
  p->set_display_name(name);
  p->set_role(role);
  p->set_stakeholder_group(group);
  p->set_attendance(attendance);
  return p;
}

// A meeting held on 2026-12-01 from 09:00 to 11:30 UTC: a chair, two people in the room (one
// checked in), one remote, a display and an observer; one item with a decision, an action, a
// closed named poll and written input; speaking time in the room and remote.
v1::MeetingState held_meeting() {
  constexpr int64_t nine = 1'796'115'600'000;  // 2026-12-01T09:00:00Z
  v1::MeetingState state;
  state.set_title("Digital policy");
  state.set_created_at_ms(nine - 86'400'000);
  state.set_started_at_ms(nine);
  state.set_ended_at_ms(nine + 150 * 60'000);
  state.add_stakeholder_groups("private_sector");
  state.add_stakeholder_groups("Civil society");
  state.add_stakeholder_groups("Youth councils");
  add_person(state, "c", "Chair Noor", v1::ROLE_MODERATOR, "", v1::ATTENDANCE_IN_ROOM);
  add_person(state, "a", "Amina", v1::ROLE_PARTICIPANT, "private_sector", v1::ATTENDANCE_IN_ROOM)
      ->set_checked_in_at_ms(nine + 5 * 60'000);
  add_person(state, "o", "Omar", v1::ROLE_PARTICIPANT, "Youth councils", v1::ATTENDANCE_IN_ROOM);
  add_person(state, "l", "Layla", v1::ROLE_PARTICIPANT, "Civil society", v1::ATTENDANCE_REMOTE);
  add_person(state, "d", "Room screen", v1::ROLE_DISPLAY, "", v1::ATTENDANCE_UNSPECIFIED);
  add_person(state, "w", "Press gallery", v1::ROLE_OBSERVER, "", v1::ATTENDANCE_UNSPECIFIED);
  add_person(state, "q", "Waiting Wafa", v1::ROLE_PARTICIPANT, "", v1::ATTENDANCE_REMOTE)
      ->set_admission(v1::ADMISSION_STATUS_LOBBY);
  auto* item = state.add_agenda();
  item->set_id("i1");
  item->set_title("Data law");
  item->set_status(v1::AGENDA_ITEM_STATUS_DONE);
  item->set_started_at_ms(nine + 10 * 60'000);
  item->set_ended_at_ms(nine + 55 * 60'000);
  item->add_decisions()->set_text("Publish the draft");
  auto* action = item->add_action_items();
  action->set_text("Circulate it");
  action->set_owner("Secretariat");
  action->set_due_date("2026-12-31");
  auto* poll = state.add_polls();
  poll->set_item_id("i1");
  poll->set_question("Adopt?");
  poll->set_kind(v1::POLL_KIND_YES_NO_ABSTAIN);
  poll->set_secrecy(v1::POLL_SECRECY_NAMED);
  poll->set_status(v1::POLL_STATUS_CLOSED);
  for (const char* option : {"yes", "no", "abstain"}) poll->add_options(option);
  for (uint32_t count : {2u, 1u, 0u}) poll->add_tally(count);
  for (const char* voter : {"a", "o", "l"}) poll->add_voter_ids(voter);
  for (const auto& [voter, choice] : std::vector<std::pair<std::string, uint32_t>>{{"a", 0}, {"o", 0}, {"l", 1}}) {
    auto* ballot = poll->add_ballots();
    ballot->set_voter_id(voter);
    ballot->add_choices(choice);
  }
  auto* shown = state.add_contributions();
  shown->set_item_id("i1");
  shown->set_author_id("l");
  shown->set_text("What about small firms?");
  shown->set_upvotes(3);
  shown->set_answered(true);
  auto* hidden = state.add_contributions();
  hidden->set_item_id("i1");
  hidden->set_author_id("o");
  hidden->set_text("spam spam");
  hidden->set_hidden(true);
  auto* loose = state.add_contributions();
  loose->set_author_id("a");
  loose->set_text("Thanks to the hosts");
  loose->set_upvotes(1);
  auto add_figure = [](auto* figures, const std::string& key, int64_t ms, uint32_t turns) {
    auto* f = figures->Add();
    f->set_key(key);
    f->set_speaking_ms(ms);
    f->set_turns(turns);
  };
  add_figure(state.mutable_equity()->mutable_by_group(), "private_sector", 90'000, 1);
  add_figure(state.mutable_equity()->mutable_by_group(), "Civil society", 185'000, 3);
  add_figure(state.mutable_equity()->mutable_by_attendance(), "in_room", 90'000, 1);
  add_figure(state.mutable_equity()->mutable_by_attendance(), "remote", 185'000, 3);
  return state;
}

std::string line_with(const std::string& text, const std::string& start) {
  for (const auto& line : lines_of(text)) {
    if (line.rfind(start, 0) == 0) return line;
  }
  return "(no line starts with " + start + ")";
}

TEST(minutes, date_attendance_written_input_and_speaking_time_in_english) {
  const auto text = render_minutes(held_meeting());
  EXPECT_NE(text.find("**Date:** 2026-12-01, 09:00–11:30 UTC"), std::string::npos) << text;
  // Displays, observers and the lobby are not attendees; the chair is named apart.
  EXPECT_NE(text.find("## Attendance (3 participants)"), std::string::npos) << text;
  EXPECT_EQ(line_with(text, "- **Chair:**"), "- **Chair:** Chair Noor");
  EXPECT_EQ(line_with(text, "- **In the room"),
            "- **In the room (2):** Amina (Private sector, checked in 09:05), Omar (Youth councils)");
  EXPECT_EQ(line_with(text, "- **Remote"), "- **Remote (1):** Layla (Civil society)");
  for (const char* absent : {"Room screen", "Press gallery", "Waiting Wafa", "spam spam", "private\\_sector"}) {
    EXPECT_EQ(text.find(absent), std::string::npos) << absent << " is in:\n" << text;
  }
  EXPECT_NE(text.find("## 1. Data law (done, 09:10–09:55)"), std::string::npos) << text;
  EXPECT_NE(text.find("- **Action:** Circulate it — Secretariat (due 2026-12-31)"), std::string::npos);
  // A closed named poll: its tally and who chose what.
  EXPECT_NE(text.find("- **Poll:** Adopt? — Yes: 2, No: 1, Abstain: 0 (3 voted, closed, not published)"),
            std::string::npos) << text;
  EXPECT_NE(text.find("  - Layla: No\n"), std::string::npos) << text;
  EXPECT_NE(text.find("- **Written input:** What about small firms? — Layla (3 upvotes, answered)"),
            std::string::npos) << text;
  EXPECT_NE(text.find("## Not tied to an agenda item\n\n- **Written input:** Thanks to the hosts — Amina (1 upvote)"),
            std::string::npos) << text;
  // Singular and plural turns; every group of the meeting, spoken or not, as the meeting spells it.
  EXPECT_NE(text.find("- Private sector: 1:30 (1 turn)\n"), std::string::npos) << text;
  EXPECT_NE(text.find("- Civil society: 3:05 (3 turns)\n"), std::string::npos) << text;
  EXPECT_NE(text.find("- Youth councils: 0:00 (0 turns)\n"), std::string::npos) << text;
  EXPECT_EQ(text.find(" 1 turns"), std::string::npos) << text;
  EXPECT_NE(text.find("## Speaking time in the room and remote\n\n- In the room: 1:30 (1 turn)\n"
                      "- Remote: 3:05 (3 turns)\n"),
            std::string::npos) << text;
}

TEST(minutes, secret_polls_never_name_a_choice) {
  auto state = held_meeting();
  auto* poll = state.mutable_polls(0);
  poll->set_secrecy(v1::POLL_SECRECY_SECRET);
  poll->set_status(v1::POLL_STATUS_PUBLISHED);
  const auto text = render_minutes(state);
  EXPECT_NE(text.find("(3 voted, secret ballot)"), std::string::npos) << text;
  EXPECT_EQ(text.find("  - Layla:"), std::string::npos) << text;
}

TEST(minutes, arabic_with_arabic_plural_forms) {
  auto state = held_meeting();
  const auto text = render_minutes(state, "ar");
  EXPECT_NE(text.find("**التاريخ:** 2026-12-01، 09:00–11:30 بالتوقيت العالمي"), std::string::npos) << text;
  EXPECT_NE(text.find("## الحضور (3 مشاركين)"), std::string::npos) << text;
  EXPECT_EQ(line_with(text, "- **في القاعة"),
            "- **في القاعة (2):** Amina (القطاع الخاص، سجّل حضوره 09:05)، Omar (Youth councils)");
  EXPECT_NE(text.find("- **قرار:** Publish the draft"), std::string::npos) << text;
  EXPECT_NE(text.find("What about small firms? — Layla (3 تأييدات، تمت الإجابة)"), std::string::npos) << text;
  EXPECT_NE(text.find("Thanks to the hosts — Amina (تأييد واحد)"), std::string::npos) << text;
  EXPECT_NE(text.find("نعم: 2، لا: 1، امتناع: 0"), std::string::npos) << text;
  // One, two, few (3–10), many (11–99) and other (100+).
  EXPECT_NE(text.find("- القطاع الخاص: 1:30 (مداخلة واحدة)"), std::string::npos) << text;
  EXPECT_NE(text.find("- المجتمع المدني: 3:05 (3 مداخلات)"), std::string::npos) << text;
  EXPECT_NE(text.find("- Youth councils: 0:00 (لا مداخلات)"), std::string::npos) << text;
  auto& figures = *state.mutable_equity()->mutable_by_attendance();
  figures.Mutable(0)->set_turns(2);
  figures.Mutable(1)->set_turns(11);
  const auto more = render_minutes(state, "ar");
  EXPECT_NE(more.find("- في القاعة: 1:30 (مداخلتان)"), std::string::npos) << more;
  EXPECT_NE(more.find("- عن بُعد: 3:05 (11 مداخلة)"), std::string::npos) << more;
  figures.Mutable(1)->set_turns(103);
  EXPECT_NE(render_minutes(state, "ar").find("(103 مداخلات)"), std::string::npos);
}

}  // namespace
}  // namespace majlis::app
