#include "roster.hpp"

#include <algorithm>
#include <string>

#include "admission.hpp"
#include "decision_parts.hpp"
#include "limits.hpp"
#include "meeting_rules.hpp"
#include "queue_order.hpp"
#include "state_lookup.hpp"
#include "text_rules.hpp"

namespace majlis::domain {
namespace {

void refresh_online(v1::Participant& participant) {
  participant.set_connection_count(static_cast<uint32_t>(participant.connection_ids_size()));
  participant.set_online(participant.connection_count() > 0);
}

bool has_connection(const v1::Participant& participant, std::string_view connection_id) {
  return std::find(participant.connection_ids().begin(), participant.connection_ids().end(),
                   connection_id) != participant.connection_ids().end();
}

}  // namespace

std::optional<rejection> check_stakeholder_group(const v1::MeetingState& state,
                                                 std::string_view group) {
  if (group.empty()) return std::nullopt;
  for (const auto& known : state.stakeholder_groups()) {
    if (known == group) return std::nullopt;
  }
  return reject(v1::ERROR_CODE_INVALID_ARGUMENT,
                "\"" + std::string(group) + "\" is not one of this meeting's stakeholder groups.");
}

std::optional<rejection> require_on_roster(const v1::MeetingState& state,
                                           const command_context& context) {
  if (find_participant(state, context.actor_id) == nullptr) {
    return reject(v1::ERROR_CODE_NOT_FOUND, "You are not on this meeting's roster.");
  }
  return std::nullopt;
}

bool can_take_part(const v1::Participant& participant) {
  return (participant.role() == v1::ROLE_PARTICIPANT || participant.role() == v1::ROLE_MODERATOR) &&
         is_admitted(participant);
}

decision decide_add_walk_in(const v1::MeetingState& state, const v1::AddWalkIn& command,
                            const command_context& context) {
  if (auto not_open = require_not_ended(state)) return *not_open;
  if (auto bad = check_text(command.display_name(), limits::max_display_name_chars, "The name")) {
    return *bad;
  }
  if (auto bad = check_stakeholder_group(state, command.stakeholder_group())) return *bad;
  if (static_cast<std::size_t>(state.participants_size()) >= limits::max_participants) {
    return reject(
        v1::ERROR_CODE_RESOURCE_EXHAUSTED,
        "The roster is full (" + std::to_string(limits::max_participants) + " participants).");
  }
  if (context.fresh_id.empty()) {
    return reject(v1::ERROR_CODE_INVALID_ARGUMENT, "No id was supplied for the walk-in.");
  }
  if (find_participant(state, context.fresh_id) != nullptr) {
    return reject(v1::ERROR_CODE_ALREADY_EXISTS, "A participant with this id already exists.");
  }
  v1::Event event = stamped_event(context);
  auto& participant = *event.mutable_participant_added()->mutable_participant();
  participant.set_id(context.fresh_id);
  participant.set_display_name(command.display_name());
  participant.set_role(v1::ROLE_PARTICIPANT);
  participant.set_stakeholder_group(command.stakeholder_group());
  participant.set_attendance(v1::ATTENDANCE_IN_ROOM);
  participant.set_walk_in(true);
  participant.set_admission(v1::ADMISSION_STATUS_ADMITTED);
  participant.set_group_verified(true);  // the chair registered them in person
  participant.set_attendance_verified(true);
  return std::vector{event};
}

decision decide_update_participant(const v1::MeetingState& state,
                                   const v1::UpdateParticipant& command,
                                   const command_context& context) {
  if (auto not_open = require_not_ended(state)) return *not_open;
  const std::string& target_id =
      command.participant_id().empty() ? context.actor_id : command.participant_id();
  if (!is_chair(context) && target_id != context.actor_id) {
    return reject(v1::ERROR_CODE_PERMISSION_DENIED,
                  "Only the chair can change another participant's details.");
  }
  if (find_participant(state, target_id) == nullptr) {
    return reject(v1::ERROR_CODE_NOT_FOUND, "No such participant.");
  }
  if (command.display_name().empty() && command.stakeholder_group().empty() &&
      command.attendance() == v1::ATTENDANCE_UNSPECIFIED) {
    return reject(v1::ERROR_CODE_INVALID_ARGUMENT, "Nothing to change for this participant.");
  }
  if (!command.display_name().empty()) {
    if (auto bad = check_text(command.display_name(), limits::max_display_name_chars, "The name")) {
      return *bad;
    }
  }
  if (auto bad = check_stakeholder_group(state, command.stakeholder_group())) return *bad;
  if (!v1::Attendance_IsValid(command.attendance())) {
    return reject(v1::ERROR_CODE_INVALID_ARGUMENT, "Unknown attendance.");
  }
  v1::Event event = stamped_event(context);
  auto& updated = *event.mutable_participant_updated();
  updated.set_participant_id(target_id);
  updated.set_display_name(command.display_name());
  updated.set_stakeholder_group(command.stakeholder_group());
  updated.set_attendance(command.attendance());
  return std::vector{event};
}

void apply_participant_added(v1::MeetingState& state, const v1::Event& event) {
  const auto& added = event.participant_added().participant();
  if (added.id().empty() || find_participant(state, added.id()) != nullptr) return;
  auto& participant = *state.add_participants();
  participant = added;
  refresh_online(participant);
}

void apply_participant_updated(v1::MeetingState& state, const v1::Event& event) {
  const auto& updated = event.participant_updated();
  v1::Participant* participant =
      find_by_id(*state.mutable_participants(), updated.participant_id());
  if (participant == nullptr) return;
  if (!updated.display_name().empty()) participant->set_display_name(updated.display_name());
  const bool reorder =
      !updated.stakeholder_group().empty() || updated.attendance() != v1::ATTENDANCE_UNSPECIFIED;
  if (!updated.stakeholder_group().empty()) {
    participant->set_stakeholder_group(updated.stakeholder_group());
  }
  if (updated.attendance() != v1::ATTENDANCE_UNSPECIFIED) {
    participant->set_attendance(updated.attendance());
  }
  if (reorder) reorder_all_lists(state);  // balance and alternation read group and attendance
}

void apply_connection_opened(v1::MeetingState& state, const v1::Event& event) {
  const auto& opened = event.connection_opened();
  v1::Participant* participant = find_by_id(*state.mutable_participants(), opened.participant_id());
  if (participant == nullptr || has_connection(*participant, opened.connection_id())) return;
  participant->add_connection_ids(opened.connection_id());
  refresh_online(*participant);
}

void apply_connection_closed(v1::MeetingState& state, const v1::Event& event) {
  const auto& closed = event.connection_closed();
  v1::Participant* participant = find_by_id(*state.mutable_participants(), closed.participant_id());
  if (participant == nullptr) return;
  auto& ids = *participant->mutable_connection_ids();
  for (int i = 0; i < ids.size(); ++i) {
    if (ids.Get(i) == closed.connection_id()) {
      ids.erase(ids.begin() + i);
      break;
    }
  }
  refresh_online(*participant);
}

// Joining is decided by the runtime, not sent as a command.
std::vector<v1::Event> connection_opened(const v1::MeetingState& state, const v1::Participant& who,
                                         const std::string& connection_id,
                                         const std::string& instance_id, int64_t now_ms) {
  std::vector<v1::Event> events;
  if (who.id().empty() || connection_id.empty()) return events;
  const v1::Participant* known = find_participant(state, who.id());
  if (known == nullptr) {
    // A full roster admits nobody new: the runtime reads "no events" as "meeting full".
    if (static_cast<std::size_t>(state.participants_size()) >= limits::max_participants) {
      return events;
    }
    v1::Event added;
    added.set_at_ms(now_ms);
    added.set_actor_id(who.id());
    auto& participant = *added.mutable_participant_added()->mutable_participant();
    participant = who;
    participant.clear_connection_ids();
    participant.set_connection_count(0);
    participant.set_online(false);
    // An admin-issued token: the admin asserted who they are.
    participant.set_admission(v1::ADMISSION_STATUS_ADMITTED);
    participant.set_group_verified(true);
    participant.set_attendance_verified(true);
    events.push_back(std::move(added));
  } else if (is_kept_out(*known)) {
    return events;  // the runtime refuses them before this; a race must not put them online
  } else if (has_connection(*known, connection_id) ||
             static_cast<std::size_t>(known->connection_ids_size()) >=
                 limits::max_connections_per_participant) {
    return events;
  }
  v1::Event opened;
  opened.set_at_ms(now_ms);
  opened.set_actor_id(who.id());
  auto& connection = *opened.mutable_connection_opened();
  connection.set_participant_id(who.id());
  connection.set_connection_id(connection_id);
  connection.set_instance_id(instance_id);
  events.push_back(std::move(opened));
  return events;
}

std::vector<v1::Event> connection_closed(const v1::MeetingState& state,
                                         const std::string& participant_id,
                                         const std::string& connection_id,
                                         const std::string& instance_id, int64_t now_ms) {
  const v1::Participant* known = find_participant(state, participant_id);
  if (known == nullptr || !has_connection(*known, connection_id)) return {};
  v1::Event closed;
  closed.set_at_ms(now_ms);
  closed.set_actor_id(participant_id);
  auto& connection = *closed.mutable_connection_closed();
  connection.set_participant_id(participant_id);
  connection.set_connection_id(connection_id);
  connection.set_instance_id(instance_id);
  return {closed};
}

}  // namespace majlis::domain
