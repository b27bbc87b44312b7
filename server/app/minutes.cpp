#include "app/minutes.hpp"

#include <map>
#include <sstream>

namespace majlis::app {

namespace {

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

}  // namespace

std::string render_minutes(const v1::MeetingState& state) {
  std::map<std::string, std::string> names;
  for (const auto& p : state.participants()) names[p.id()] = p.display_name();

  std::ostringstream out;
  out << "# " << state.title() << "\n\n";
  out << "Participants: " << state.participants_size() << "\n\n";
  for (const auto& item : state.agenda()) {
    out << "## " << item.title() << " (" << item_status(item.status()) << ")\n\n";
    if (!item.description().empty()) out << item.description() << "\n\n";
    bool any_speaker = false;
    for (const auto& turn : state.interventions()) {
      if (turn.item_id() != item.id()) continue;
      if (!any_speaker) out << "Speakers:\n\n";
      any_speaker = true;
      out << "- " << names[turn.participant_id()] << " (" << turn.stakeholder_group() << ", "
          << (turn.attendance() == v1::ATTENDANCE_IN_ROOM ? "in room" : "remote") << "), "
          << clock_minutes(turn.duration_ms()) << "\n";
    }
    if (any_speaker) out << "\n";
    for (const auto& decision : item.decisions()) out << "- **Decision:** " << decision.text() << "\n";
    for (const auto& action : item.action_items()) {
      out << "- **Action:** " << action.text();
      if (!action.owner().empty()) out << " — " << action.owner();
      if (!action.due_date().empty()) out << " (due " << action.due_date() << ")";
      out << "\n";
    }
    for (const auto& poll : state.polls()) {
      if (poll.item_id() != item.id() || poll.status() != v1::POLL_STATUS_PUBLISHED) continue;
      out << "- **Poll:** " << poll.question() << " —";
      for (int i = 0; i < poll.options_size(); ++i)
        out << " " << poll.options(i) << ": " << (i < poll.tally_size() ? poll.tally(i) : 0)
            << (i + 1 < poll.options_size() ? "," : "");
      out << " (" << poll.voter_ids_size() << " voted"
          << (poll.secrecy() == v1::POLL_SECRECY_SECRET ? ", secret ballot" : "") << ")\n";
    }
    out << "\n";
  }
  if (state.equity().by_group_size() > 0) {
    out << "## Speaking time by stakeholder group\n\n";
    for (const auto& figure : state.equity().by_group())
      out << "- " << figure.key() << ": " << clock_minutes(figure.speaking_ms()) << " in "
          << figure.turns() << " turns\n";
    out << "\n";
  }
  return out.str();
}

}  // namespace majlis::app
