// Admission and roster control: who comes in through the invite link (open, approval with a
// lobby, closed; a cap; a rotating invite nonce), and the chair admitting and removing people.
#pragma once

#include <optional>

#include "decider.hpp"

namespace majlis::domain {

// Admission UNSPECIFIED (logs written before admission existed) reads as admitted.
bool is_admitted(const v1::Participant& participant);
// LOBBY or REMOVED: a person who may not act in the meeting (nor join it).
bool is_kept_out(const v1::Participant& participant);

// Self-registrations accepted at most: the meeting's cap, or the default when it is 0.
uint32_t effective_registration_cap(const v1::MeetingState& state);

// PERMISSION_DENIED when the actor is on the roster but in the lobby or removed. Every
// command is refused to them, whatever the runtime let through (defence in depth).
std::optional<rejection> require_admitted_actor(const v1::MeetingState& state,
                                                const command_context& context);

decision decide_register_participant(const v1::MeetingState& state,
                                     const v1::RegisterParticipant& command,
                                     const command_context& context);
decision decide_set_registration(const v1::MeetingState& state,
                                 const v1::SetRegistration& command,
                                 const command_context& context);
decision decide_rotate_invite_code(const v1::MeetingState& state,
                                   const v1::RotateInviteCode& command,
                                   const command_context& context);
decision decide_admit_participant(const v1::MeetingState& state,
                                  const v1::AdmitParticipant& command,
                                  const command_context& context);
decision decide_remove_participant(const v1::MeetingState& state,
                                   const v1::RemoveParticipant& command,
                                   const command_context& context);

void apply_participant_registered(v1::MeetingState& state, const v1::Event& event);
void apply_registration_changed(v1::MeetingState& state, const v1::Event& event);
void apply_invite_code_rotated(v1::MeetingState& state, const v1::Event& event);
void apply_participant_admitted(v1::MeetingState& state, const v1::Event& event);
void apply_participant_removed(v1::MeetingState& state, const v1::Event& event);

}  // namespace majlis::domain
