#include "meeting_rules.hpp"

#include <set>
#include <string>

#include "decision_parts.hpp"
#include "floor.hpp"
#include "limits.hpp"
#include "polls.hpp"
#include "queue_order.hpp"
#include "state_lookup.hpp"
#include "text_rules.hpp"

namespace majlis::domain {
namespace {

std::optional<rejection> check_name_list(
    const google::protobuf::RepeatedPtrField<std::string>& names, std::size_t max_count,
    std::size_t max_chars, std::string_view what) {
  if (static_cast<std::size_t>(names.size()) > max_count) {
    return reject(
        v1::ERROR_CODE_RESOURCE_EXHAUSTED,
        "A meeting can have at most " + std::to_string(max_count) + " " + std::string(what) + ".");
  }
  std::set<std::string_view> seen;
  for (const auto& name : names) {
    if (auto bad = check_text(name, max_chars, "Each of the " + std::string(what))) return bad;
    if (!seen.insert(name).second) {
      return reject(v1::ERROR_CODE_INVALID_ARGUMENT,
                    "\"" + name + "\" appears twice among the " + std::string(what) + ".");
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<rejection> require_not_ended(const v1::MeetingState& state) {
  switch (state.status()) {
    case v1::MEETING_STATUS_SCHEDULED:
    case v1::MEETING_STATUS_LIVE:
      return std::nullopt;
    case v1::MEETING_STATUS_ENDED:
      return reject(v1::ERROR_CODE_FAILED_PRECONDITION,
                    "The meeting has ended; nothing can be changed any more.");
    default:
      return reject(v1::ERROR_CODE_FAILED_PRECONDITION, "The meeting has not been created.");
  }
}

std::optional<rejection> require_live(const v1::MeetingState& state, std::string_view doing) {
  if (auto not_open = require_not_ended(state)) return not_open;
  if (state.status() != v1::MEETING_STATUS_LIVE) {
    return reject(v1::ERROR_CODE_FAILED_PRECONDITION,
                  std::string(doing) + " only while the meeting is live.");
  }
  return std::nullopt;
}

decision decide_start_meeting(const v1::MeetingState& state, const v1::StartMeeting&,
                              const command_context& context) {
  if (auto not_open = require_not_ended(state)) return *not_open;
  if (state.status() == v1::MEETING_STATUS_LIVE) {
    return reject(v1::ERROR_CODE_FAILED_PRECONDITION, "The meeting is already live.");
  }
  v1::Event event = stamped_event(context);
  event.mutable_meeting_started();
  return std::vector{event};
}

decision decide_end_meeting(const v1::MeetingState& state, const v1::EndMeeting&,
                            const command_context& context) {
  if (auto not_open = require_not_ended(state)) return *not_open;
  std::vector<v1::Event> events;
  if (auto turn = end_running_turn(state, context)) events.push_back(std::move(*turn));
  for (const auto& poll : state.polls()) {
    if (poll.status() == v1::POLL_STATUS_OPEN) {
      events.push_back(poll_closed_event(state, poll, context, /*by_deadline=*/false));
    }
  }
  if (const v1::AgendaItem* current = find_item(state, state.current_item_id());
      current != nullptr && current->status() == v1::AGENDA_ITEM_STATUS_ACTIVE) {
    v1::Event closed = stamped_event(context);
    closed.mutable_agenda_item_closed()->set_item_id(current->id());
    events.push_back(std::move(closed));
  }
  v1::Event ended = stamped_event(context);
  ended.mutable_meeting_ended();
  events.push_back(std::move(ended));
  return events;
}

decision decide_update_meeting(const v1::MeetingState& state, const v1::UpdateMeeting& command,
                               const command_context& context) {
  if (auto not_open = require_not_ended(state)) return *not_open;
  if (command.title().empty() && command.languages().empty() &&
      command.stakeholder_groups().empty()) {
    return reject(v1::ERROR_CODE_INVALID_ARGUMENT, "Nothing to change in the meeting.");
  }
  if (!command.title().empty()) {
    if (auto bad = check_text(command.title(), limits::max_title_chars, "The title")) return *bad;
  }
  if (auto bad = check_name_list(command.languages(), limits::max_languages,
                                 limits::max_language_chars, "languages")) {
    return *bad;
  }
  if (auto bad = check_name_list(command.stakeholder_groups(), limits::max_stakeholder_groups,
                                 limits::max_group_name_chars, "stakeholder groups")) {
    return *bad;
  }
  v1::Event event = stamped_event(context);
  auto& updated = *event.mutable_meeting_updated();
  updated.set_title(command.title());
  *updated.mutable_languages() = command.languages();
  *updated.mutable_stakeholder_groups() = command.stakeholder_groups();
  return std::vector{event};
}

decision decide_set_queue_policy(const v1::MeetingState& state, const v1::SetQueuePolicy& command,
                                 const command_context& context) {
  if (auto not_open = require_not_ended(state)) return *not_open;
  v1::Event event = stamped_event(context);
  *event.mutable_queue_policy_changed()->mutable_policy() = command.policy();
  return std::vector{event};
}

decision decide_set_default_speaking_time(const v1::MeetingState& state,
                                          const v1::SetDefaultSpeakingTime& command,
                                          const command_context& context) {
  if (auto not_open = require_not_ended(state)) return *not_open;
  if (command.time_limit_ms() < 0 || command.time_limit_ms() > limits::max_speaking_time_ms) {
    return reject(v1::ERROR_CODE_INVALID_ARGUMENT,
                  "The speaking time must be between 0 (no limit) and 4 hours.");
  }
  v1::Event event = stamped_event(context);
  event.mutable_default_speaking_time_changed()->set_time_limit_ms(command.time_limit_ms());
  return std::vector{event};
}

void apply_meeting_created(v1::MeetingState& state, const v1::Event& event) {
  const auto& created = event.meeting_created();
  state.set_meeting_id(created.meeting_id());
  state.set_title(created.title());
  *state.mutable_languages() = created.languages();
  *state.mutable_stakeholder_groups() = created.stakeholder_groups();
  *state.mutable_settings() = created.settings();
  state.set_status(v1::MEETING_STATUS_SCHEDULED);
  state.set_created_at_ms(event.at_ms());
}

void apply_meeting_started(v1::MeetingState& state, const v1::Event& event) {
  state.set_status(v1::MEETING_STATUS_LIVE);
  state.set_started_at_ms(event.at_ms());
}

void apply_meeting_ended(v1::MeetingState& state, const v1::Event& event) {
  state.set_status(v1::MEETING_STATUS_ENDED);
  state.set_ended_at_ms(event.at_ms());
}

void apply_meeting_updated(v1::MeetingState& state, const v1::Event& event) {
  const auto& updated = event.meeting_updated();
  if (!updated.title().empty()) state.set_title(updated.title());
  if (!updated.languages().empty()) *state.mutable_languages() = updated.languages();
  if (!updated.stakeholder_groups().empty()) {
    *state.mutable_stakeholder_groups() = updated.stakeholder_groups();
    reorder_all_lists(state);  // stakeholder balance breaks ties by the groups' order
  }
}

void apply_queue_policy_changed(v1::MeetingState& state, const v1::Event& event) {
  *state.mutable_settings()->mutable_queue_policy() = event.queue_policy_changed().policy();
  reorder_all_lists(state);
}

void apply_default_speaking_time_changed(v1::MeetingState& state, const v1::Event& event) {
  state.mutable_settings()->set_default_speaking_time_ms(
      event.default_speaking_time_changed().time_limit_ms());
  reorder_all_lists(state);  // stakeholder balance assumes this time for each waiting turn
}

}  // namespace majlis::domain
