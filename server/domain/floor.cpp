#include "floor.hpp"

#include <algorithm>
#include <string>

#include "agenda.hpp"
#include "decision_parts.hpp"
#include "limits.hpp"
#include "meeting_rules.hpp"
#include "queue_order.hpp"
#include "roster.hpp"
#include "state_lookup.hpp"

namespace majlis::domain {
namespace {

// The floor is given on the current item only; a named item must be the current one (it
// guards against a console that still shows an item the chair has just left).
const v1::AgendaItem* floor_target(const v1::MeetingState& state, const std::string& item_id,
                                   rejection& why) {
  const v1::AgendaItem* item = resolve_item(state, item_id, why);
  if (item == nullptr) return nullptr;
  if (item->id() != state.current_item_id()) {
    why = reject(v1::ERROR_CODE_FAILED_PRECONDITION,
                 "The floor can only be given on the agenda item under way.");
    return nullptr;
  }
  return item;
}

std::optional<rejection> check_time_limit(int64_t time_limit_ms) {
  if (time_limit_ms < 0 || time_limit_ms > limits::max_speaking_time_ms) {
    return reject(v1::ERROR_CODE_INVALID_ARGUMENT,
                  "A time limit must be between 0 (no limit) and 4 hours.");
  }
  return std::nullopt;
}

// A new turn must leave room for the intervention it will record when it ends.
std::optional<rejection> check_intervention_room(const v1::MeetingState& state) {
  const std::size_t pending = item_with_floor(state) != nullptr ? 1 : 0;
  if (static_cast<std::size_t>(state.interventions_size()) + pending >= limits::max_interventions) {
    return reject(v1::ERROR_CODE_RESOURCE_EXHAUSTED,
                  "This meeting has recorded the maximum number of interventions.");
  }
  return std::nullopt;
}

v1::Event floor_granted(const v1::MeetingState& state, const v1::AgendaItem& item,
                        const std::string& participant_id, const std::string& entry_id,
                        v1::RequestKind kind, int64_t requested_limit_ms,
                        const command_context& context) {
  v1::Event event = stamped_event(context);
  auto& granted = *event.mutable_floor_granted();
  granted.set_item_id(item.id());
  auto& floor = *granted.mutable_floor();
  floor.set_participant_id(participant_id);
  floor.set_entry_id(entry_id);
  floor.set_kind(kind);
  floor.set_started_at_ms(context.now_ms);
  floor.set_resumed_at_ms(context.now_ms);
  floor.set_time_limit_ms(requested_limit_ms > 0 ? requested_limit_ms
                                                 : state.settings().default_speaking_time_ms());
  return event;
}

const v1::AgendaItem* require_floor(const v1::MeetingState& state, rejection& why) {
  const v1::AgendaItem* item = item_with_floor(state);
  if (item == nullptr) why = reject(v1::ERROR_CODE_FAILED_PRECONDITION, "Nobody has the floor.");
  return item;
}

void add_figure(google::protobuf::RepeatedPtrField<v1::SpeakingFigure>& figures,
                std::string_view key, int64_t speaking_ms) {
  v1::SpeakingFigure* figure = nullptr;
  for (auto& f : figures) {
    if (f.key() == key) figure = &f;
  }
  if (figure == nullptr) {
    figure = figures.Add();
    figure->set_key(std::string(key));
  }
  figure->set_speaking_ms(figure->speaking_ms() + speaking_ms);
  figure->set_turns(figure->turns() + 1);
}

v1::Floor* mutable_floor_of(v1::MeetingState& state, const std::string& item_id) {
  v1::AgendaItem* item = find_by_id(*state.mutable_agenda(), item_id);
  if (item == nullptr || !item->speakers().floor_taken()) return nullptr;
  return item->mutable_speakers()->mutable_floor();
}

}  // namespace

int64_t spoken_ms(const v1::Floor& floor, int64_t now_ms) {
  if (floor.paused()) return floor.elapsed_before_pause_ms();
  const int64_t stretch_start =
      floor.resumed_at_ms() != 0 ? floor.resumed_at_ms() : floor.started_at_ms();
  return floor.elapsed_before_pause_ms() + std::max<int64_t>(0, now_ms - stretch_start);
}

std::optional<v1::Event> end_running_turn(const v1::MeetingState& state,
                                          const command_context& context) {
  const v1::AgendaItem* item = item_with_floor(state);
  if (item == nullptr) return std::nullopt;
  const v1::Floor& floor = item->speakers().floor();
  v1::Event event = stamped_event(context);
  auto& intervention = *event.mutable_turn_ended()->mutable_intervention();
  intervention.set_participant_id(floor.participant_id());
  intervention.set_item_id(item->id());
  intervention.set_kind(floor.kind());
  intervention.set_started_at_ms(floor.started_at_ms());
  intervention.set_ended_at_ms(context.now_ms);
  intervention.set_duration_ms(spoken_ms(floor, context.now_ms));
  intervention.set_time_limit_ms(floor.time_limit_ms());
  if (const v1::Participant* speaker = find_participant(state, floor.participant_id())) {
    // The record and the equity figures hold verified values only (queue_order.hpp).
    intervention.set_stakeholder_group(std::string(fair_group(*speaker)));
    intervention.set_attendance(fair_attendance(*speaker));
  }
  return event;
}

decision decide_next_speaker(const v1::MeetingState& state, const v1::NextSpeaker& command,
                             const command_context& context) {
  if (auto not_live = require_live(state, "The floor can be given")) return *not_live;
  rejection why;
  const v1::AgendaItem* item = floor_target(state, command.item_id(), why);
  if (item == nullptr) return why;
  if (auto bad = check_time_limit(command.time_limit_ms())) return *bad;
  if (auto full = check_intervention_room(state)) return *full;
  std::vector<v1::Event> events;
  auto turn = end_running_turn(state, context);
  // With nobody waiting the chair ends the turn with EndTurn; "next" never leaves the floor
  // empty by surprise.
  if (!turn) {
    if (item->speakers().waiting().empty()) {
      return reject(v1::ERROR_CODE_FAILED_PRECONDITION, "Nobody is waiting to speak.");
    }
    const v1::QueueEntry& next = item->speakers().waiting(0);
    events.push_back(floor_granted(state, *item, next.participant_id(), next.id(), next.kind(),
                                   command.time_limit_ms(), context));
    return events;
  }
  // The finished turn changes the figures the order is computed from: decide on the order
  // the list will have once the turn is recorded.
  v1::MeetingState after = state;
  evolve(after, *turn);
  const v1::AgendaItem* item_after = find_item(after, item->id());
  if (item_after == nullptr || item_after->speakers().waiting().empty()) {
    return reject(v1::ERROR_CODE_FAILED_PRECONDITION, "Nobody is waiting to speak.");
  }
  const v1::QueueEntry& next = item_after->speakers().waiting(0);
  events.push_back(std::move(*turn));
  events.push_back(floor_granted(state, *item, next.participant_id(), next.id(), next.kind(),
                                 command.time_limit_ms(), context));
  return events;
}

decision decide_grant_floor(const v1::MeetingState& state, const v1::GrantFloor& command,
                            const command_context& context) {
  if (auto not_live = require_live(state, "The floor can be given")) return *not_live;
  rejection why;
  const v1::AgendaItem* item = floor_target(state, command.item_id(), why);
  if (item == nullptr) return why;
  const v1::Participant* speaker = find_participant(state, command.participant_id());
  if (speaker == nullptr) return reject(v1::ERROR_CODE_NOT_FOUND, "No such participant.");
  if (!can_take_part(*speaker)) {
    return reject(v1::ERROR_CODE_FAILED_PRECONDITION,
                  "Displays and observers cannot take the floor.");
  }
  if (auto bad = check_time_limit(command.time_limit_ms())) return *bad;
  if (auto full = check_intervention_room(state)) return *full;
  std::string entry_id;
  for (const auto& entry : item->speakers().waiting()) {
    if (entry.participant_id() == speaker->id() && entry.kind() == v1::REQUEST_KIND_SPEAK) {
      entry_id = entry.id();
    }
  }
  std::vector<v1::Event> events;
  if (auto turn = end_running_turn(state, context)) events.push_back(std::move(*turn));
  events.push_back(floor_granted(state, *item, speaker->id(), entry_id, v1::REQUEST_KIND_SPEAK,
                                 command.time_limit_ms(), context));
  return events;
}

decision decide_pause_floor(const v1::MeetingState& state, const v1::PauseFloor&,
                            const command_context& context) {
  if (auto not_live = require_live(state, "The speaker can be paused")) return *not_live;
  rejection why;
  const v1::AgendaItem* item = require_floor(state, why);
  if (item == nullptr) return why;
  if (item->speakers().floor().paused()) {
    return reject(v1::ERROR_CODE_FAILED_PRECONDITION, "The speaker is already paused.");
  }
  v1::Event event = stamped_event(context);
  event.mutable_floor_paused()->set_item_id(item->id());
  event.mutable_floor_paused()->set_at_ms(context.now_ms);
  return std::vector{event};
}

decision decide_resume_floor(const v1::MeetingState& state, const v1::ResumeFloor&,
                             const command_context& context) {
  if (auto not_live = require_live(state, "The speaker can be resumed")) return *not_live;
  rejection why;
  const v1::AgendaItem* item = require_floor(state, why);
  if (item == nullptr) return why;
  if (!item->speakers().floor().paused()) {
    return reject(v1::ERROR_CODE_FAILED_PRECONDITION, "The speaker is not paused.");
  }
  v1::Event event = stamped_event(context);
  event.mutable_floor_resumed()->set_item_id(item->id());
  event.mutable_floor_resumed()->set_at_ms(context.now_ms);
  return std::vector{event};
}

decision decide_end_turn(const v1::MeetingState& state, const v1::EndTurn&,
                         const command_context& context) {
  if (auto not_live = require_live(state, "A turn can be ended")) return *not_live;
  rejection why;
  const v1::AgendaItem* item = require_floor(state, why);
  if (item == nullptr) return why;
  if (!is_chair(context) && item->speakers().floor().participant_id() != context.actor_id) {
    return reject(v1::ERROR_CODE_PERMISSION_DENIED,
                  "Only the chair or the speaker can end this turn.");
  }
  return std::vector{*end_running_turn(state, context)};
}

decision decide_set_turn_time_limit(const v1::MeetingState& state,
                                    const v1::SetTurnTimeLimit& command,
                                    const command_context& context) {
  if (auto not_live = require_live(state, "A turn's time limit can be changed")) return *not_live;
  rejection why;
  const v1::AgendaItem* item = require_floor(state, why);
  if (item == nullptr) return why;
  if (auto bad = check_time_limit(command.time_limit_ms())) return *bad;
  v1::Event event = stamped_event(context);
  event.mutable_turn_time_limit_changed()->set_item_id(item->id());
  event.mutable_turn_time_limit_changed()->set_time_limit_ms(command.time_limit_ms());
  return std::vector{event};
}

void apply_floor_granted(v1::MeetingState& state, const v1::Event& event) {
  const auto& granted = event.floor_granted();
  v1::AgendaItem* item = find_by_id(*state.mutable_agenda(), granted.item_id());
  if (item == nullptr) return;
  auto& speakers = *item->mutable_speakers();
  *speakers.mutable_floor() = granted.floor();
  speakers.set_floor_taken(true);
  if (!granted.floor().entry_id().empty()) {
    erase_at(*speakers.mutable_waiting(),
             index_of_id(speakers.waiting(), granted.floor().entry_id()));
  }
  reorder_list(state, *item);  // the new speaker counts as having spoken
}

void apply_floor_paused(v1::MeetingState& state, const v1::Event& event) {
  const auto& paused = event.floor_paused();
  v1::Floor* floor = mutable_floor_of(state, paused.item_id());
  if (floor == nullptr || floor->paused()) return;
  floor->set_elapsed_before_pause_ms(spoken_ms(*floor, paused.at_ms()));
  floor->set_paused(true);
  floor->set_paused_at_ms(paused.at_ms());
}

void apply_floor_resumed(v1::MeetingState& state, const v1::Event& event) {
  const auto& resumed = event.floor_resumed();
  v1::Floor* floor = mutable_floor_of(state, resumed.item_id());
  if (floor == nullptr || !floor->paused()) return;
  floor->set_paused(false);
  floor->set_paused_at_ms(0);
  floor->set_resumed_at_ms(resumed.at_ms());
}

void apply_turn_ended(v1::MeetingState& state, const v1::Event& event) {
  const auto& intervention = event.turn_ended().intervention();
  v1::AgendaItem* item = find_by_id(*state.mutable_agenda(), intervention.item_id());
  if (item != nullptr && item->speakers().floor_taken()) {
    item->mutable_speakers()->clear_floor();
    item->mutable_speakers()->set_floor_taken(false);
  }
  *state.add_interventions() = intervention;
  auto& equity = *state.mutable_equity();
  add_figure(*equity.mutable_by_group(), group_key(intervention.stakeholder_group()),
             intervention.duration_ms());
  add_figure(*equity.mutable_by_attendance(), attendance_key(intervention.attendance()),
             intervention.duration_ms());
  reorder_all_lists(state);  // first-time on this item, alternation and balance all moved
}

void apply_turn_time_limit_changed(v1::MeetingState& state, const v1::Event& event) {
  const auto& changed = event.turn_time_limit_changed();
  if (v1::Floor* floor = mutable_floor_of(state, changed.item_id())) {
    floor->set_time_limit_ms(changed.time_limit_ms());
  }
}

}  // namespace majlis::domain
