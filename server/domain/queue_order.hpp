// Ordering of a list of speakers (DESIGN §4): points of order, then replies, then speak
// requests as the chair's policy orders them; each entry says why it sits where it sits.
// Deterministic: evolve recomputes the order after every change that can affect it.
#pragma once

#include <cstdint>
#include <string_view>

#include "majlis/v1/state.pb.h"

namespace majlis::domain {

// Reasons shown beside entries (displays explain the order with them).
namespace queue_reason {
inline constexpr std::string_view point_of_order = "point of order";
inline constexpr std::string_view reply = "reply to the current speaker";
inline constexpr std::string_view first_time = "first time on this item";
inline constexpr std::string_view alternates = "alternates room and remote";
inline constexpr std::string_view in_order = "in order of request";
inline constexpr std::string_view moved_by_chair = "moved by the chair";
inline constexpr std::string_view group_suffix = " has spoken least";  // "<group> has spoken least"
}  // namespace queue_reason

// When the meeting has no default speaking time, stakeholder balance still needs a figure
// for a turn that has not happened yet; two minutes is a typical consultation turn.
inline constexpr int64_t assumed_turn_ms_without_limit = int64_t{2} * 60 * 1000;

// What the fairness rules (alternation, balance, equity figures, an intervention's record) may
// use of a participant: the group only once group_verified, the attendance only once
// attendance_verified. Unverified, a participant counts as having no group ("unspecified",
// one bucket for all of them) and an unknown attendance (never the side alternation wants).
std::string_view fair_group(const v1::Participant& participant);
v1::Attendance fair_attendance(const v1::Participant& participant);

// The key equity figures and stakeholder balance use for a participant's group.
std::string_view group_key(std::string_view stakeholder_group);
// "in_room", "remote" or "unspecified".
std::string_view attendance_key(v1::Attendance attendance);

// Reorders the waiting entries of one item's list and sets their reasons. Pinned entries
// (moved by the chair) keep their current index; the others fill the remaining slots.
void reorder_list(v1::MeetingState& state, v1::AgendaItem& item);

// Reorders every list that has waiting entries (policy, equity or roster changed).
void reorder_all_lists(v1::MeetingState& state);

}  // namespace majlis::domain
