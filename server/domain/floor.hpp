// The floor: who speaks now, for how long, pauses, and the intervention a turn leaves behind
// (with the equity figures it feeds).
#pragma once

#include <optional>

#include "decider.hpp"

namespace majlis::domain {

// The TurnEnded event for the running turn, if anyone has the floor.
std::optional<v1::Event> end_running_turn(const v1::MeetingState& state,
                                          const command_context& context);

// Spoken time of a turn at `now_ms`, pauses excluded.
int64_t spoken_ms(const v1::Floor& floor, int64_t now_ms);

decision decide_next_speaker(const v1::MeetingState& state, const v1::NextSpeaker& command,
                             const command_context& context);
decision decide_grant_floor(const v1::MeetingState& state, const v1::GrantFloor& command,
                            const command_context& context);
decision decide_pause_floor(const v1::MeetingState& state, const v1::PauseFloor& command,
                            const command_context& context);
decision decide_resume_floor(const v1::MeetingState& state, const v1::ResumeFloor& command,
                             const command_context& context);
decision decide_end_turn(const v1::MeetingState& state, const v1::EndTurn& command,
                         const command_context& context);
decision decide_set_turn_time_limit(const v1::MeetingState& state,
                                    const v1::SetTurnTimeLimit& command,
                                    const command_context& context);

void apply_floor_granted(v1::MeetingState& state, const v1::Event& event);
void apply_floor_paused(v1::MeetingState& state, const v1::Event& event);
void apply_floor_resumed(v1::MeetingState& state, const v1::Event& event);
void apply_turn_ended(v1::MeetingState& state, const v1::Event& event);
void apply_turn_time_limit_changed(v1::MeetingState& state, const v1::Event& event);

}  // namespace majlis::domain
