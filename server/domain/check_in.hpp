// In-room check-in: while the chair keeps it open, the room display shows a short code that a
// replica rotates every 30 s; a participant who enters it (or the previous one, for a 10 s
// grace) is verified as in the room.
#pragma once

#include <cstdint>
#include <string_view>

#include "decider.hpp"

namespace majlis::domain {

inline constexpr int64_t check_in_rotation_ms = 30'000;
inline constexpr std::size_t check_in_code_digits = 6;

// The rotation period in effect (the context's, or the default) and the grace the previous
// code keeps: a third of it, 10 s by default, long enough to type a code just replaced.
int64_t rotation_period_ms(const command_context& context);
int64_t previous_code_grace_ms(int64_t rotation_ms);

// True when the code is exactly check_in_code_digits ASCII digits.
bool well_formed_check_in_code(std::string_view code);

decision decide_set_check_in(const v1::MeetingState& state, const v1::SetCheckIn& command,
                             const command_context& context);
decision decide_rotate_check_in_code(const v1::MeetingState& state,
                                     const v1::RotateCheckInCode& command,
                                     const command_context& context);
decision decide_check_in(const v1::MeetingState& state, const v1::CheckIn& command,
                         const command_context& context);

// Whether a replica should propose a new code now.
bool check_in_code_due(const v1::MeetingState& state, int64_t now_ms);

void apply_check_in_changed(v1::MeetingState& state, const v1::Event& event);
void apply_check_in_code_rotated(v1::MeetingState& state, const v1::Event& event);
void apply_participant_checked_in(v1::MeetingState& state, const v1::Event& event);

}  // namespace majlis::domain
