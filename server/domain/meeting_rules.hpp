// The meeting as a whole: lifecycle scheduled -> live -> ended, title, languages, stakeholder
// groups and settings.
#pragma once

#include <optional>
#include <string_view>

#include "decider.hpp"

namespace majlis::domain {

// FAILED_PRECONDITION unless the meeting exists and has not ended (preparing it is fine).
std::optional<rejection> require_not_ended(const v1::MeetingState& state);
// FAILED_PRECONDITION unless the meeting is live; `doing` completes "... only while the
// meeting is live" ("Voting is possible").
std::optional<rejection> require_live(const v1::MeetingState& state, std::string_view doing);

decision decide_start_meeting(const v1::MeetingState& state, const v1::StartMeeting& command,
                              const command_context& context);
// Ends a running turn, closes open polls and the current item, then ends the meeting: after
// the end every command is refused, so nothing may be left half-open.
decision decide_end_meeting(const v1::MeetingState& state, const v1::EndMeeting& command,
                            const command_context& context);
decision decide_update_meeting(const v1::MeetingState& state, const v1::UpdateMeeting& command,
                               const command_context& context);
decision decide_set_queue_policy(const v1::MeetingState& state, const v1::SetQueuePolicy& command,
                                 const command_context& context);
decision decide_set_default_speaking_time(const v1::MeetingState& state,
                                          const v1::SetDefaultSpeakingTime& command,
                                          const command_context& context);

void apply_meeting_created(v1::MeetingState& state, const v1::Event& event);
void apply_meeting_started(v1::MeetingState& state, const v1::Event& event);
void apply_meeting_ended(v1::MeetingState& state, const v1::Event& event);
void apply_meeting_updated(v1::MeetingState& state, const v1::Event& event);
void apply_queue_policy_changed(v1::MeetingState& state, const v1::Event& event);
void apply_default_speaking_time_changed(v1::MeetingState& state, const v1::Event& event);

}  // namespace majlis::domain
