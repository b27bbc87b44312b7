#include "app/minutes.hpp"

#include <map>
#include <sstream>
#include <string_view>

namespace majlis::app {

namespace {

const char* attendance_text(v1::Attendance attendance) {
  switch (attendance) {
    case v1::ATTENDANCE_IN_ROOM: return "in room";
    case v1::ATTENDANCE_REMOTE: return "remote";
    default: return "attendance unverified";
  }
}

std::string clock_minutes(int64_t ms) {
  const int64_t seconds = ms / 1000;
  std::ostringstream out;
  out << seconds / 60 << ":" << (seconds % 60 < 10 ? "0" : "") << seconds % 60;
  return out.str();
}

std::string_view item_status(v1::AgendaItemStatus status) {
  switch (status) {
    case v1::AGENDA_ITEM_STATUS_ACTIVE: return "in progress";
    case v1::AGENDA_ITEM_STATUS_DONE: return "done";
    case v1::AGENDA_ITEM_STATUS_SKIPPED: return "skipped";
    default: return "pending";
  }
}

// Characters that start inline Markdown wherever they stand: emphasis, code, links (an image's
// "!" needs the "[" that is escaped), autolinks and HTML, entities, table cells,
// strikethrough, a heading's closing #.
bool inline_special(char c) {
  switch (c) {
    case '\\': case '`': case '*': case '_': case '[': case ']': case '<': case '>':
    case '#': case '|': case '~': case '&':
      return true;
    default:
      return false;
  }
}

// Bytes of `text` at `i` that are a line break or a control in UTF-8 (C1, U+2028, U+2029) or a
// bidi embedding, override or isolate: how many, and whether they stand for a space (else
// they are dropped). 0 when the text at i is ordinary.
std::size_t unsafe_sequence(std::string_view text, std::size_t i, bool& as_space) {
  const auto byte = [&](std::size_t k) {
    return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0;
  };
  as_space = true;
  if (byte(0) < 0x20 || byte(0) == 0x7F) return 1;
  if (byte(0) == 0xC2 && byte(1) >= 0x80 && byte(1) <= 0x9F) return 2;  // C1
  if (byte(0) == 0xE2 && byte(1) == 0x80 && (byte(2) == 0xA8 || byte(2) == 0xA9)) return 3;
  as_space = false;
  if (byte(0) == 0xE2 && byte(1) == 0x80 && byte(2) >= 0xAA && byte(2) <= 0xAE) return 3;
  if (byte(0) == 0xE2 && byte(1) == 0x81 && byte(2) >= 0xA6 && byte(2) <= 0xA9) return 3;
  return 0;
}

// Text a person typed, inert in Markdown: one line whatever it holds (line breaks and controls
// become spaces, bidi overrides are dropped), every inline special escaped, and nothing at its
// start that would open a block (a list item, a rule, a heading underline, an ordered item, a
// code block) should it begin a line or follow a list marker.
std::string inline_text(std::string_view text) {
  std::string flat;
  flat.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    bool as_space = false;
    if (const auto n = unsafe_sequence(text, i, as_space); n > 0) {
      if (as_space) flat += ' ';
      i += n;
      continue;
    }
    flat += text[i++];
  }
  const auto first = flat.find_first_not_of(' ');
  if (first == std::string::npos) return {};
  flat = flat.substr(first, flat.find_last_not_of(' ') - first + 1);

  std::string out;
  out.reserve(flat.size() + 8);
  std::size_t i = 0;
  if (flat[0] == '-' || flat[0] == '+' || flat[0] == '=') {
    out += '\\';
  } else {
    // "1." or "1)" opens an ordered list.
    while (i < flat.size() && flat[i] >= '0' && flat[i] <= '9') out += flat[i++];
    if (i > 0 && i < flat.size() && (flat[i] == '.' || flat[i] == ')')) {
      out += '\\';
      out += flat[i++];
    }
  }
  for (; i < flat.size(); ++i) {
    if (inline_special(flat[i])) out += '\\';
    out += flat[i];
  }
  return out;
}

// Multi-line text as a block quote: each of its lines quoted and inert, so none can start a
// block of its own.
std::string quoted_block(std::string_view text) {
  std::string out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const auto line = inline_text(text.substr(start, end - start));
    out += line.empty() ? ">\n" : "> " + line + "\n";
    start = end + 1;
  }
  return out;
}

}  // namespace

std::string render_minutes(const v1::MeetingState& state) {
  std::map<std::string, std::string> names;
  for (const auto& p : state.participants()) names[p.id()] = p.display_name();

  std::ostringstream out;
  out << "# " << inline_text(state.title()) << "\n\n";
  out << "Participants: " << state.participants_size() << "\n\n";
  for (const auto& item : state.agenda()) {
    out << "## " << inline_text(item.title()) << " (" << item_status(item.status()) << ")\n\n";
    if (!item.description().empty()) out << quoted_block(item.description()) << "\n";
    bool any_speaker = false;
    for (const auto& turn : state.interventions()) {
      if (turn.item_id() != item.id()) continue;
      if (!any_speaker) out << "Speakers:\n\n";
      any_speaker = true;
      out << "- " << inline_text(names[turn.participant_id()]) << " ("
          // An intervention records verified values only: empty or unspecified = unverified.
          << (turn.stakeholder_group().empty() ? std::string("group unverified")
                                               : inline_text(turn.stakeholder_group()))
          << ", " << attendance_text(turn.attendance()) << "), "
          << clock_minutes(turn.duration_ms()) << "\n";
    }
    if (any_speaker) out << "\n";
    for (const auto& decision : item.decisions())
      out << "- **Decision:** " << inline_text(decision.text()) << "\n";
    for (const auto& action : item.action_items()) {
      out << "- **Action:** " << inline_text(action.text());
      if (!action.owner().empty()) out << " — " << inline_text(action.owner());
      if (!action.due_date().empty()) out << " (due " << inline_text(action.due_date()) << ")";
      out << "\n";
    }
    for (const auto& poll : state.polls()) {
      if (poll.item_id() != item.id() || poll.status() != v1::POLL_STATUS_PUBLISHED) continue;
      out << "- **Poll:** " << inline_text(poll.question()) << " —";
      for (int i = 0; i < poll.options_size(); ++i)
        out << " " << inline_text(poll.options(i)) << ": "
            << (i < poll.tally_size() ? poll.tally(i) : 0)
            << (i + 1 < poll.options_size() ? "," : "");
      out << " (" << poll.voter_ids_size() << " voted"
          << (poll.secrecy() == v1::POLL_SECRECY_SECRET ? ", secret ballot" : "") << ")\n";
    }
    out << "\n";
  }
  if (state.equity().by_group_size() > 0) {
    out << "## Speaking time by stakeholder group\n\n";
    for (const auto& figure : state.equity().by_group())
      out << "- " << inline_text(figure.key()) << ": " << clock_minutes(figure.speaking_ms())
          << " in " << figure.turns() << " turns\n";
    out << "\n";
  }
  return out.str();
}

}  // namespace majlis::app
