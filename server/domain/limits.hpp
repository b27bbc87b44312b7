// Every size and count the meeting state machine enforces, in one place (DESIGN §8).
#pragma once

#include <cstddef>
#include <cstdint>

namespace majlis::domain::limits {

// Text lengths, in Unicode code points (so Arabic text gets the same room as Latin text).
inline constexpr std::size_t max_title_chars = 200;
inline constexpr std::size_t max_description_chars = 2000;
inline constexpr std::size_t max_contribution_chars = 2000;
inline constexpr std::size_t max_display_name_chars = 80;
inline constexpr std::size_t max_option_chars = 200;
inline constexpr std::size_t max_outcome_chars = 2000;  // a decision or an action item
inline constexpr std::size_t max_group_name_chars = 80;
inline constexpr std::size_t max_language_chars = 35;  // a BCP 47 tag

// Counts.
inline constexpr std::size_t min_poll_options = 2;
inline constexpr std::size_t max_poll_options = 20;
inline constexpr std::size_t max_agenda_items = 200;
inline constexpr std::size_t max_participants = 5000;
// Through the invite link, when the chair sets no cap: below max_participants, so people the
// admin issues tokens to and walk-ins still fit once registrations are used up.
inline constexpr std::size_t max_self_registrations = 2000;
inline constexpr std::size_t max_polls = 200;
inline constexpr std::size_t max_contributions = 5000;
inline constexpr std::size_t max_waiting_per_list = 1000;
inline constexpr std::size_t max_interventions = 20000;
inline constexpr std::size_t max_decisions_per_item = 100;
inline constexpr std::size_t max_action_items_per_item = 100;
inline constexpr std::size_t max_languages = 20;
inline constexpr std::size_t max_stakeholder_groups = 50;
// Connections the roster records per participant: a ceiling on the state's size. majlisd's
// --max-connections-per-participant (at most this) refuses participants' and moderators' joins
// beyond its limit; a display or observer link serving more screens is served, and recorded
// up to this many.
inline constexpr std::size_t max_roster_connections = 100;
// Contributions one author may write in a meeting (the chair is exempt).
inline constexpr std::size_t max_contributions_per_author = 50;

// Durations.
inline constexpr int64_t max_speaking_time_ms = int64_t{4} * 60 * 60 * 1000;  // one turn
inline constexpr uint32_t max_planned_minutes = 24 * 60;

}  // namespace majlis::domain::limits
