// The roster: participants, their connections, walk-ins registered by the chair.
#pragma once

#include <optional>
#include <string_view>

#include "decider.hpp"

namespace majlis::domain {

// INVALID_ARGUMENT unless the group is one of the meeting's stakeholder groups; an empty
// group is allowed and means "unspecified".
std::optional<rejection> check_stakeholder_group(const v1::MeetingState& state,
                                                 std::string_view group);

// NOT_FOUND unless the actor is on the roster (for things a person does as themself).
std::optional<rejection> require_on_roster(const v1::MeetingState& state,
                                           const command_context& context);

// Displays and observers are on the roster (they connect) but never speak or vote.
bool can_take_part(const v1::Participant& participant);

decision decide_add_walk_in(const v1::MeetingState& state, const v1::AddWalkIn& command,
                            const command_context& context);
decision decide_update_participant(const v1::MeetingState& state,
                                   const v1::UpdateParticipant& command,
                                   const command_context& context);

decision decide_verify_participant(const v1::MeetingState& state,
                                   const v1::VerifyParticipant& command,
                                   const command_context& context);
decision decide_answer_participant_request(const v1::MeetingState& state,
                                           const v1::AnswerParticipantRequest& command,
                                           const command_context& context);

// Whether a participant has asked for a group or attendance change the chair has not answered.
bool has_request(const v1::Participant& participant);

void apply_participant_verified(v1::MeetingState& state, const v1::Event& event);
void apply_participant_change_requested(v1::MeetingState& state, const v1::Event& event);
void apply_participant_request_answered(v1::MeetingState& state, const v1::Event& event);
void apply_participant_added(v1::MeetingState& state, const v1::Event& event);
void apply_participant_updated(v1::MeetingState& state, const v1::Event& event);
void apply_connection_opened(v1::MeetingState& state, const v1::Event& event);
void apply_connection_closed(v1::MeetingState& state, const v1::Event& event);
void apply_presence_changed(v1::MeetingState& state, const v1::Event& event);

}  // namespace majlis::domain
