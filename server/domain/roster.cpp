#include "roster.hpp"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <unordered_set>

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

// Someone an admin issued a token to, as the roster first records them.
v1::Participant newcomer(const v1::Participant& who) {
  v1::Participant participant = who;
  participant.clear_connection_ids();
  participant.set_connection_count(0);
  participant.set_online(false);
  // An admin-issued token: the admin asserted who they are.
  participant.set_admission(v1::ADMISSION_STATUS_ADMITTED);
  participant.set_group_verified(true);
  participant.set_attendance_verified(true);
  return participant;
}

// Participants by id, for applying or deciding many presence changes against a large roster.
std::unordered_map<std::string_view, int> index_participants(const v1::MeetingState& state) {
  std::unordered_map<std::string_view, int> index;
  index.reserve(static_cast<std::size_t>(state.participants_size()));
  for (int i = 0; i < state.participants_size(); ++i) index.emplace(state.participants(i).id(), i);
  return index;
}

void add_connection(v1::Participant& participant, const std::string& connection_id) {
  if (has_connection(participant, connection_id)) return;
  participant.add_connection_ids(connection_id);
  refresh_online(participant);
}

void remove_connection(v1::Participant& participant, const std::string& connection_id) {
  auto& ids = *participant.mutable_connection_ids();
  for (int i = 0; i < ids.size(); ++i) {
    if (ids.Get(i) == connection_id) {
      ids.erase(ids.begin() + i);
      break;
    }
  }
  refresh_online(participant);
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
  // The chair sees them in the room: what the chair registers is verified.
  participant.set_group_verified(true);
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
  const v1::Participant* target = find_participant(state, target_id);
  if (target == nullptr) {
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
  const bool details = !command.stakeholder_group().empty() ||
                       command.attendance() != v1::ATTENDANCE_UNSPECIFIED;
  std::vector<v1::Event> events;
  if (is_chair(context)) {
    v1::Event event = stamped_event(context);
    auto& updated = *event.mutable_participant_updated();
    updated.set_participant_id(target_id);
    updated.set_display_name(command.display_name());
    updated.set_stakeholder_group(command.stakeholder_group());
    updated.set_attendance(command.attendance());
    events.push_back(std::move(event));
    if (details) {
      // What the chair sets is verified: the resulting group and attendance both.
      v1::Event verified = stamped_event(context);
      auto& values = *verified.mutable_participant_verified();
      values.set_participant_id(target_id);
      values.set_stakeholder_group(command.stakeholder_group().empty()
                                       ? target->stakeholder_group()
                                       : command.stakeholder_group());
      values.set_attendance(command.attendance() == v1::ATTENDANCE_UNSPECIFIED
                                ? target->attendance()
                                : command.attendance());
      events.push_back(std::move(verified));
    }
    return events;
  }
  // A participant for themself: the name at once; group and attendance only as a request the
  // chair answers, since the fairness rules read them.
  if (!command.display_name().empty()) {
    v1::Event event = stamped_event(context);
    auto& updated = *event.mutable_participant_updated();
    updated.set_participant_id(target_id);
    updated.set_display_name(command.display_name());
    events.push_back(std::move(event));
  }
  if (details) {
    v1::Event event = stamped_event(context);
    auto& requested = *event.mutable_participant_change_requested();
    requested.set_participant_id(target_id);
    // A new request adds to the one waiting; what it does not name stays as asked before.
    requested.set_stakeholder_group(command.stakeholder_group().empty()
                                        ? target->requested_group()
                                        : command.stakeholder_group());
    requested.set_attendance(command.attendance() == v1::ATTENDANCE_UNSPECIFIED
                                 ? target->requested_attendance()
                                 : command.attendance());
    events.push_back(std::move(event));
  }
  return events;
}

decision decide_verify_participant(const v1::MeetingState& state,
                                   const v1::VerifyParticipant& command,
                                   const command_context& context) {
  if (auto not_open = require_not_ended(state)) return *not_open;
  const v1::Participant* target = find_participant(state, command.participant_id());
  if (target == nullptr) return reject(v1::ERROR_CODE_NOT_FOUND, "No such participant.");
  if (target->group_verified() && target->attendance_verified()) {
    return reject(v1::ERROR_CODE_FAILED_PRECONDITION,
                  "This participant's group and attendance are already verified.");
  }
  v1::Event event = stamped_event(context);
  auto& verified = *event.mutable_participant_verified();
  verified.set_participant_id(target->id());
  verified.set_stakeholder_group(target->stakeholder_group());
  verified.set_attendance(target->attendance());
  return std::vector{event};
}

decision decide_answer_participant_request(const v1::MeetingState& state,
                                           const v1::AnswerParticipantRequest& command,
                                           const command_context& context) {
  if (auto not_open = require_not_ended(state)) return *not_open;
  const v1::Participant* target = find_participant(state, command.participant_id());
  if (target == nullptr) return reject(v1::ERROR_CODE_NOT_FOUND, "No such participant.");
  if (!has_request(*target)) {
    return reject(v1::ERROR_CODE_FAILED_PRECONDITION,
                  "This participant has no change waiting for an answer.");
  }
  if (command.accept()) {
    // The groups may have changed since the request was made.
    if (auto bad = check_stakeholder_group(state, target->requested_group())) return *bad;
  }
  v1::Event event = stamped_event(context);
  auto& answered = *event.mutable_participant_request_answered();
  answered.set_participant_id(target->id());
  answered.set_accepted(command.accept());
  return std::vector{event};
}

bool has_request(const v1::Participant& participant) {
  return !participant.requested_group().empty() ||
         participant.requested_attendance() != v1::ATTENDANCE_UNSPECIFIED;
}

void apply_participant_verified(v1::MeetingState& state, const v1::Event& event) {
  const auto& verified = event.participant_verified();
  v1::Participant* participant =
      find_by_id(*state.mutable_participants(), verified.participant_id());
  if (participant == nullptr) return;
  participant->set_stakeholder_group(verified.stakeholder_group());
  participant->set_attendance(verified.attendance());
  participant->set_group_verified(true);
  participant->set_attendance_verified(true);
  reorder_all_lists(state);
}

void apply_participant_change_requested(v1::MeetingState& state, const v1::Event& event) {
  const auto& requested = event.participant_change_requested();
  v1::Participant* participant =
      find_by_id(*state.mutable_participants(), requested.participant_id());
  if (participant == nullptr) return;
  participant->set_requested_group(requested.stakeholder_group());
  participant->set_requested_attendance(requested.attendance());
}

void apply_participant_request_answered(v1::MeetingState& state, const v1::Event& event) {
  const auto& answered = event.participant_request_answered();
  v1::Participant* participant =
      find_by_id(*state.mutable_participants(), answered.participant_id());
  if (participant == nullptr) return;
  if (answered.accepted()) {
    if (!participant->requested_group().empty()) {
      participant->set_stakeholder_group(participant->requested_group());
      participant->set_group_verified(true);
    }
    if (participant->requested_attendance() != v1::ATTENDANCE_UNSPECIFIED) {
      participant->set_attendance(participant->requested_attendance());
      participant->set_attendance_verified(true);
    }
  }
  participant->clear_requested_group();
  participant->clear_requested_attendance();
  if (answered.accepted()) reorder_all_lists(state);
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
  if (participant == nullptr) return;
  add_connection(*participant, opened.connection_id());
}

void apply_connection_closed(v1::MeetingState& state, const v1::Event& event) {
  const auto& closed = event.connection_closed();
  v1::Participant* participant = find_by_id(*state.mutable_participants(), closed.participant_id());
  if (participant == nullptr) return;
  remove_connection(*participant, closed.connection_id());
}

void apply_presence_changed(v1::MeetingState& state, const v1::Event& event) {
  const auto& presence = event.presence_changed();
  for (const auto& added : presence.added()) {
    if (added.id().empty() || find_participant(state, added.id()) != nullptr) continue;
    auto& participant = *state.add_participants();
    participant = added;
    refresh_online(participant);
  }
  if (presence.opened_size() + presence.closed_size() > 0) {
    // One index for the whole event: a storm's event names thousands of connections.
    const auto index = index_participants(state);
    auto participant = [&](const std::string& id) -> v1::Participant* {
      const auto it = index.find(id);
      return it == index.end() ? nullptr : state.mutable_participants(it->second);
    };
    for (const auto& opened : presence.opened()) {
      if (auto* p = participant(opened.participant_id())) add_connection(*p, opened.connection_id());
    }
    for (const auto& closed : presence.closed()) {
      if (auto* p = participant(closed.participant_id()))
        remove_connection(*p, closed.connection_id());
    }
  }
  for (const auto& count : presence.audience()) {
    auto& entries = *state.mutable_audience();
    const int at = [&] {
      for (int i = 0; i < entries.size(); ++i)
        if (entries.Get(i).instance_id() == count.instance_id()) return i;
      return -1;
    }();
    const bool empty = count.observers() == 0 && count.displays() == 0;
    if (at < 0) {
      if (!empty) *entries.Add() = count;
    } else if (empty) {
      entries.erase(entries.begin() + at);
    } else {
      *entries.Mutable(at) = count;
    }
  }
}

bool counted_in_audience(v1::Role role) {
  return role != v1::ROLE_PARTICIPANT && role != v1::ROLE_MODERATOR;
}

uint32_t audience_online(const v1::MeetingState& state) {
  uint32_t online = 0;
  for (const auto& count : state.audience()) online += count.observers() + count.displays();
  return online;
}

std::optional<v1::Event> presence_changed(const v1::MeetingState& state,
                                          const std::vector<presence_change>& changes,
                                          const std::vector<v1::AudienceCount>& audience,
                                          const std::string& instance_id, int64_t now_ms) {
  v1::Event event;
  event.set_at_ms(now_ms);
  auto& presence = *event.mutable_presence_changed();
  if (!changes.empty()) {
    const auto index = index_participants(state);
    // What the changes before this one did, on top of the state.
    std::unordered_map<std::string, int> added_at;          // id -> index in presence.added
    std::unordered_map<std::string, std::string> opening;   // connection -> participant id
    std::unordered_set<std::string> closing;                // connections
    std::unordered_map<std::string, int> held_delta;        // id -> connections opened - closed
    auto known = [&](const std::string& id) -> const v1::Participant* {
      if (const auto it = index.find(id); it != index.end()) return &state.participants(it->second);
      if (const auto it = added_at.find(id); it != added_at.end())
        return &presence.added(it->second);
      return nullptr;
    };
    auto is_open = [&](const v1::Participant& p, const std::string& connection_id) {
      if (closing.contains(connection_id)) return false;
      return opening.contains(connection_id) || has_connection(p, connection_id);
    };
    for (const auto& change : changes) {
      const std::string& id = change.who.id();
      if (id.empty() || change.connection_id.empty()) continue;
      const v1::Participant* who = known(id);
      if (!change.opened) {
        if (who == nullptr || !is_open(*who, change.connection_id)) continue;
        auto& closed = *presence.add_closed();
        closed.set_participant_id(id);
        closed.set_connection_id(change.connection_id);
        closed.set_instance_id(instance_id);
        closing.insert(change.connection_id);
        opening.erase(change.connection_id);
        --held_delta[id];
        continue;
      }
      if (who == nullptr) {
        // A full roster admits nobody new.
        if (static_cast<std::size_t>(state.participants_size() + presence.added_size()) >=
            limits::max_participants) {
          continue;
        }
        added_at.emplace(id, presence.added_size());
        *presence.add_added() = newcomer(change.who);
        who = &presence.added(presence.added_size() - 1);
      } else if (is_kept_out(*who)) {
        continue;  // the runtime refuses them before this; a race must not put them online
      }
      if (is_open(*who, change.connection_id)) continue;
      const auto held = static_cast<int64_t>(who->connection_ids_size()) + held_delta[id];
      if (held >= static_cast<int64_t>(limits::max_roster_connections)) continue;
      auto& opened = *presence.add_opened();
      opened.set_participant_id(id);
      opened.set_connection_id(change.connection_id);
      opened.set_instance_id(instance_id);
      opening.emplace(change.connection_id, id);
      closing.erase(change.connection_id);
      ++held_delta[id];
    }
  }
  for (const auto& count : audience) {
    const v1::AudienceCount* now = nullptr;
    for (const auto& entry : state.audience())
      if (entry.instance_id() == count.instance_id()) now = &entry;
    const uint32_t observers = now ? now->observers() : 0;
    const uint32_t displays = now ? now->displays() : 0;
    if (observers == count.observers() && displays == count.displays()) continue;
    *presence.add_audience() = count;
  }
  if (presence.added_size() + presence.opened_size() + presence.closed_size() +
          presence.audience_size() ==
      0) {
    return std::nullopt;
  }
  return event;
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
    *added.mutable_participant_added()->mutable_participant() = newcomer(who);
    events.push_back(std::move(added));
  } else if (is_kept_out(*known)) {
    return events;  // the runtime refuses them before this; a race must not put them online
  } else if (has_connection(*known, connection_id) ||
             static_cast<std::size_t>(known->connection_ids_size()) >=
                 limits::max_roster_connections) {
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
