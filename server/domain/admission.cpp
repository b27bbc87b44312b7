#include "admission.hpp"

#include <string>

#include "decision_parts.hpp"
#include "floor.hpp"
#include "limits.hpp"
#include "meeting_rules.hpp"
#include "queue_order.hpp"
#include "roster.hpp"
#include "state_lookup.hpp"
#include "text_rules.hpp"

namespace majlis::domain {
namespace {

v1::RegistrationMode mode_of(const v1::MeetingState& state) {
  const auto mode = state.settings().admission().mode();
  return mode == v1::REGISTRATION_MODE_UNSPECIFIED ? v1::REGISTRATION_MODE_OPEN : mode;
}

std::optional<rejection> check_attendance(v1::Attendance attendance) {
  if (!v1::Attendance_IsValid(attendance)) {
    return reject(v1::ERROR_CODE_INVALID_ARGUMENT, "Unknown attendance.");
  }
  return std::nullopt;
}

}  // namespace

bool is_admitted(const v1::Participant& participant) {
  return participant.admission() == v1::ADMISSION_STATUS_ADMITTED ||
         participant.admission() == v1::ADMISSION_STATUS_UNSPECIFIED;
}

bool is_kept_out(const v1::Participant& participant) {
  return participant.admission() == v1::ADMISSION_STATUS_LOBBY ||
         participant.admission() == v1::ADMISSION_STATUS_REMOVED;
}

uint32_t effective_registration_cap(const v1::MeetingState& state) {
  const uint32_t cap = state.settings().admission().registration_cap();
  return cap == 0 ? static_cast<uint32_t>(limits::max_self_registrations) : cap;
}

std::optional<rejection> require_admitted_actor(const v1::MeetingState& state,
                                                const command_context& context) {
  if (is_system(context)) return std::nullopt;
  const v1::Participant* actor = find_participant(state, context.actor_id);
  if (actor == nullptr || !is_kept_out(*actor)) return std::nullopt;
  if (actor->admission() == v1::ADMISSION_STATUS_LOBBY) {
    return reject(v1::ERROR_CODE_PERMISSION_DENIED,
                  "You are waiting in the lobby until the chair admits you.");
  }
  return reject(v1::ERROR_CODE_PERMISSION_DENIED, "The chair removed you from this meeting.");
}

decision decide_register_participant(const v1::MeetingState& state,
                                     const v1::RegisterParticipant& command,
                                     const command_context& context) {
  if (auto not_open = require_not_ended(state)) return *not_open;
  const v1::RegistrationMode mode = mode_of(state);
  if (mode == v1::REGISTRATION_MODE_CLOSED) {
    return reject(v1::ERROR_CODE_FAILED_PRECONDITION, "Registration is closed.");
  }
  // The HTTP API checked the invite code against the nonce it read; the chair may have
  // rotated it since.
  if (command.invite_nonce() != state.settings().admission().invite_nonce()) {
    return reject(v1::ERROR_CODE_UNAUTHENTICATED, "The invite code was replaced.");
  }
  const uint32_t cap = effective_registration_cap(state);
  if (state.settings().admission().registrations() >= cap) {
    return reject(v1::ERROR_CODE_RESOURCE_EXHAUSTED,
                  "This meeting accepts no more registrations (" + std::to_string(cap) + ").");
  }
  if (auto bad = check_text(command.display_name(), limits::max_display_name_chars, "The name")) {
    return *bad;
  }
  if (auto bad = check_stakeholder_group(state, command.stakeholder_group())) return *bad;
  if (auto bad = check_attendance(command.attendance())) return *bad;
  if (static_cast<std::size_t>(state.participants_size()) >= limits::max_participants) {
    return reject(
        v1::ERROR_CODE_RESOURCE_EXHAUSTED,
        "The roster is full (" + std::to_string(limits::max_participants) + " participants).");
  }
  if (command.participant_id().empty()) {
    return reject(v1::ERROR_CODE_INVALID_ARGUMENT, "No id was supplied for the registrant.");
  }
  if (find_participant(state, command.participant_id()) != nullptr) {
    return reject(v1::ERROR_CODE_ALREADY_EXISTS, "A participant with this id already exists.");
  }
  v1::Event event = stamped_event(context);
  event.set_actor_id(command.participant_id());
  auto& participant = *event.mutable_participant_registered()->mutable_participant();
  participant.set_id(command.participant_id());
  participant.set_display_name(command.display_name());
  participant.set_role(v1::ROLE_PARTICIPANT);
  participant.set_stakeholder_group(command.stakeholder_group());
  participant.set_attendance(command.attendance() == v1::ATTENDANCE_UNSPECIFIED
                                 ? v1::ATTENDANCE_REMOTE
                                 : command.attendance());
  participant.set_admission(mode == v1::REGISTRATION_MODE_APPROVAL ? v1::ADMISSION_STATUS_LOBBY
                                                                   : v1::ADMISSION_STATUS_ADMITTED);
  // What a registrant says of themself is unverified until the chair confirms it.
  participant.set_group_verified(false);
  participant.set_attendance_verified(false);
  participant.set_self_registered(true);
  participant.set_registered_at_ms(context.now_ms);
  return std::vector{event};
}

decision decide_set_registration(const v1::MeetingState& state,
                                 const v1::SetRegistration& command,
                                 const command_context& context) {
  if (auto not_open = require_not_ended(state)) return *not_open;
  if (!v1::RegistrationMode_IsValid(command.mode()) ||
      command.mode() == v1::REGISTRATION_MODE_UNSPECIFIED) {
    return reject(v1::ERROR_CODE_INVALID_ARGUMENT,
                  "Choose a registration mode: open, approval or closed.");
  }
  if (command.registration_cap() > limits::max_participants) {
    return reject(v1::ERROR_CODE_INVALID_ARGUMENT,
                  "The registration cap must be between 0 (the default, " +
                      std::to_string(limits::max_self_registrations) + ") and " +
                      std::to_string(limits::max_participants) + ".");
  }
  v1::Event event = stamped_event(context);
  auto& changed = *event.mutable_registration_changed();
  changed.set_mode(command.mode());
  changed.set_registration_cap(command.registration_cap());
  return std::vector{event};
}

decision decide_rotate_invite_code(const v1::MeetingState& state, const v1::RotateInviteCode&,
                                   const command_context& context) {
  if (auto not_open = require_not_ended(state)) return *not_open;
  // The nonce need not be secret: the invite code is an HMAC of it under the signing secret.
  if (context.fresh_id.empty() || context.fresh_id == state.settings().admission().invite_nonce()) {
    return reject(v1::ERROR_CODE_INVALID_ARGUMENT, "No fresh nonce was supplied for the invite code.");
  }
  v1::Event event = stamped_event(context);
  event.mutable_invite_code_rotated()->set_invite_nonce(context.fresh_id);
  return std::vector{event};
}

decision decide_admit_participant(const v1::MeetingState& state,
                                  const v1::AdmitParticipant& command,
                                  const command_context& context) {
  if (auto not_open = require_not_ended(state)) return *not_open;
  const v1::Participant* participant = find_participant(state, command.participant_id());
  if (participant == nullptr) return reject(v1::ERROR_CODE_NOT_FOUND, "No such participant.");
  if (is_admitted(*participant)) {
    return reject(v1::ERROR_CODE_FAILED_PRECONDITION, "This participant is already admitted.");
  }
  if (auto bad = check_stakeholder_group(state, command.stakeholder_group())) return *bad;
  if (auto bad = check_attendance(command.attendance())) return *bad;
  v1::Event event = stamped_event(context);
  auto& admitted = *event.mutable_participant_admitted();
  admitted.set_participant_id(participant->id());
  admitted.set_stakeholder_group(command.stakeholder_group());
  admitted.set_attendance(command.attendance());
  // Values the chair gives here are verified; the others keep what they were.
  admitted.set_group_verified(!command.stakeholder_group().empty() ||
                              participant->group_verified());
  admitted.set_attendance_verified(command.attendance() != v1::ATTENDANCE_UNSPECIFIED ||
                                   participant->attendance_verified());
  return std::vector{event};
}

decision decide_remove_participant(const v1::MeetingState& state,
                                   const v1::RemoveParticipant& command,
                                   const command_context& context) {
  if (auto not_open = require_not_ended(state)) return *not_open;
  const v1::Participant* participant = find_participant(state, command.participant_id());
  if (participant == nullptr) return reject(v1::ERROR_CODE_NOT_FOUND, "No such participant.");
  if (participant->id() == context.actor_id) {
    return reject(v1::ERROR_CODE_FAILED_PRECONDITION, "You cannot remove yourself.");
  }
  if (participant->admission() == v1::ADMISSION_STATUS_REMOVED) {
    return reject(v1::ERROR_CODE_FAILED_PRECONDITION, "This participant is already removed.");
  }
  std::vector<v1::Event> events;
  for (const auto& item : state.agenda()) {
    for (const auto& entry : item.speakers().waiting()) {
      if (entry.participant_id() != participant->id()) continue;
      v1::Event withdrawn = stamped_event(context);
      auto& body = *withdrawn.mutable_request_withdrawn();
      body.set_item_id(item.id());
      body.set_entry_id(entry.id());
      body.set_by_chair(true);
      events.push_back(std::move(withdrawn));
    }
  }
  const v1::AgendaItem* floor_item = item_with_floor(state);
  if (floor_item != nullptr && floor_item->speakers().floor().participant_id() == participant->id()) {
    if (auto turn = end_running_turn(state, context)) events.push_back(std::move(*turn));
  }
  v1::Event removed = stamped_event(context);
  removed.mutable_participant_removed()->set_participant_id(participant->id());
  events.push_back(std::move(removed));
  return events;
}

void apply_participant_registered(v1::MeetingState& state, const v1::Event& event) {
  const auto& registered = event.participant_registered().participant();
  if (registered.id().empty() || find_participant(state, registered.id()) != nullptr) return;
  auto& participant = *state.add_participants();
  participant = registered;
  participant.clear_connection_ids();
  participant.set_connection_count(0);
  participant.set_online(false);
  auto& admission = *state.mutable_settings()->mutable_admission();
  admission.set_registrations(admission.registrations() + 1);
}

void apply_registration_changed(v1::MeetingState& state, const v1::Event& event) {
  const auto& changed = event.registration_changed();
  auto& admission = *state.mutable_settings()->mutable_admission();
  admission.set_mode(changed.mode());
  admission.set_registration_cap(changed.registration_cap());
}

void apply_invite_code_rotated(v1::MeetingState& state, const v1::Event& event) {
  state.mutable_settings()->mutable_admission()->set_invite_nonce(
      event.invite_code_rotated().invite_nonce());
}

void apply_participant_admitted(v1::MeetingState& state, const v1::Event& event) {
  const auto& admitted = event.participant_admitted();
  v1::Participant* participant =
      find_by_id(*state.mutable_participants(), admitted.participant_id());
  if (participant == nullptr) return;
  participant->set_admission(v1::ADMISSION_STATUS_ADMITTED);
  if (!admitted.stakeholder_group().empty()) {
    participant->set_stakeholder_group(admitted.stakeholder_group());
  }
  if (admitted.attendance() != v1::ATTENDANCE_UNSPECIFIED) {
    participant->set_attendance(admitted.attendance());
  }
  participant->set_group_verified(admitted.group_verified());
  participant->set_attendance_verified(admitted.attendance_verified());
  reorder_all_lists(state);  // balance and alternation read group and attendance
}

void apply_participant_removed(v1::MeetingState& state, const v1::Event& event) {
  v1::Participant* participant =
      find_by_id(*state.mutable_participants(), event.participant_removed().participant_id());
  if (participant == nullptr) return;
  // Their requests and turn ended with events decided together with this one; ballots cast
  // stay counted: a removal is not an annulment.
  participant->set_admission(v1::ADMISSION_STATUS_REMOVED);
}

}  // namespace majlis::domain
