#include "check_in.hpp"

#include "decision_parts.hpp"
#include "meeting_rules.hpp"
#include "queue_order.hpp"
#include "roster.hpp"
#include "state_lookup.hpp"

namespace majlis::domain {
namespace {

// Compares without stopping at the first difference, so the time taken says nothing about
// how much of a guess was right.
bool same_code(std::string_view a, std::string_view b) {
  if (a.size() != b.size() || a.empty()) return false;
  unsigned char difference = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    difference |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return difference == 0;
}

std::optional<rejection> require_check_in_open(const v1::MeetingState& state) {
  if (!state.check_in().open()) {
    return reject(v1::ERROR_CODE_FAILED_PRECONDITION, "Check-in is not open.");
  }
  return std::nullopt;
}

}  // namespace

int64_t rotation_period_ms(const command_context& context) {
  return context.check_in_rotation_ms > 0 ? context.check_in_rotation_ms : check_in_rotation_ms;
}

int64_t previous_code_grace_ms(int64_t rotation_ms) {
  return rotation_ms / 3;
}

bool well_formed_check_in_code(std::string_view code) {
  if (code.size() != check_in_code_digits) return false;
  for (char c : code) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

decision decide_set_check_in(const v1::MeetingState& state, const v1::SetCheckIn& command,
                             const command_context& context) {
  if (auto not_open = require_not_ended(state)) return *not_open;
  if (command.open() == state.check_in().open()) {
    return reject(v1::ERROR_CODE_FAILED_PRECONDITION,
                  command.open() ? "Check-in is already open." : "Check-in is already closed.");
  }
  v1::Event event = stamped_event(context);
  event.mutable_check_in_changed()->set_open(command.open());
  return std::vector{event};
}

decision decide_rotate_check_in_code(const v1::MeetingState& state,
                                     const v1::RotateCheckInCode& command,
                                     const command_context& context) {
  if (auto not_open = require_not_ended(state)) return *not_open;
  if (auto closed = require_check_in_open(state)) return *closed;
  // Every replica proposes when the code is due; the first to commit moves the due time, so
  // the others are refused here when they decide again on the newer state.
  if (!check_in_code_due(state, context.now_ms)) {
    return reject(v1::ERROR_CODE_FAILED_PRECONDITION, "The check-in code is not due yet.");
  }
  if (!well_formed_check_in_code(command.code())) {
    return reject(v1::ERROR_CODE_INVALID_ARGUMENT, "A check-in code is six digits.");
  }
  const int64_t period = rotation_period_ms(context);
  v1::Event event = stamped_event(context);
  auto& rotated = *event.mutable_check_in_code_rotated();
  rotated.set_code(command.code());
  rotated.set_next_rotation_ms(context.now_ms + period);
  rotated.set_previous_valid_until_ms(context.now_ms + previous_code_grace_ms(period));
  return std::vector{event};
}

decision decide_check_in(const v1::MeetingState& state, const v1::CheckIn& command,
                         const command_context& context) {
  if (auto not_open = require_not_ended(state)) return *not_open;
  if (auto missing = require_on_roster(state, context)) return *missing;
  if (auto closed = require_check_in_open(state)) return *closed;
  const auto& check_in = state.check_in();
  const bool current = same_code(command.code(), check_in.code());
  const bool previous = context.now_ms < check_in.previous_valid_until_ms() &&
                        same_code(command.code(), check_in.previous_code());
  if (!current && !previous) {
    return reject(v1::ERROR_CODE_INVALID_ARGUMENT,
                  "The check-in code is not valid or has expired.");
  }
  const v1::Participant& participant = *find_participant(state, context.actor_id);
  if (participant.attendance() == v1::ATTENDANCE_IN_ROOM && participant.attendance_verified() &&
      participant.requested_attendance() == v1::ATTENDANCE_UNSPECIFIED) {
    return std::vector<v1::Event>{};  // already checked in: nothing changes
  }
  v1::Event event = stamped_event(context);
  event.mutable_participant_checked_in()->set_participant_id(context.actor_id);
  return std::vector{event};
}

bool check_in_code_due(const v1::MeetingState& state, int64_t now_ms) {
  return state.status() != v1::MEETING_STATUS_ENDED && state.check_in().open() &&
         now_ms >= state.check_in().next_rotation_ms();
}

void apply_check_in_changed(v1::MeetingState& state, const v1::Event& event) {
  // Opening starts without a code and due at once; closing forgets the codes.
  state.clear_check_in();
  state.mutable_check_in()->set_open(event.check_in_changed().open());
}

void apply_check_in_code_rotated(v1::MeetingState& state, const v1::Event& event) {
  auto& check_in = *state.mutable_check_in();
  if (!check_in.open()) return;
  const auto& rotated = event.check_in_code_rotated();
  check_in.set_previous_code(check_in.code());
  check_in.set_code(rotated.code());
  check_in.set_rotated_at_ms(event.at_ms());
  check_in.set_next_rotation_ms(rotated.next_rotation_ms());
  check_in.set_previous_valid_until_ms(rotated.previous_valid_until_ms());
}

void apply_participant_checked_in(v1::MeetingState& state, const v1::Event& event) {
  v1::Participant* participant =
      find_by_id(*state.mutable_participants(), event.participant_checked_in().participant_id());
  if (participant == nullptr) return;
  participant->set_attendance(v1::ATTENDANCE_IN_ROOM);
  participant->set_attendance_verified(true);
  participant->set_checked_in_at_ms(event.at_ms());
  participant->set_requested_attendance(v1::ATTENDANCE_UNSPECIFIED);  // settled by the check-in
  reorder_all_lists(state);  // alternation reads verified attendance
}

}  // namespace majlis::domain
