#include "agenda.hpp"

#include <string>

#include "decision_parts.hpp"
#include "floor.hpp"
#include "limits.hpp"
#include "meeting_rules.hpp"
#include "state_lookup.hpp"
#include "text_rules.hpp"

namespace majlis::domain {
namespace {

// Index for "insert at / move to": -1 (or any negative) and past-the-end mean the last slot.
int clamp_position(int32_t position, int size) {
  if (position < 0 || position >= size) return size - 1;
  return position;
}

const v1::AgendaItem* named_item(const v1::MeetingState& state, std::string_view item_id,
                                 rejection& why) {
  const v1::AgendaItem* item = find_item(state, item_id);
  if (item == nullptr) why = reject(v1::ERROR_CODE_NOT_FOUND, "No such agenda item.");
  return item;
}

bool is_closed(const v1::AgendaItem& item) {
  return item.status() == v1::AGENDA_ITEM_STATUS_DONE ||
         item.status() == v1::AGENDA_ITEM_STATUS_SKIPPED;
}

std::optional<rejection> check_item_texts(std::string_view title, std::string_view description,
                                          std::string_view presenter, uint32_t planned_minutes,
                                          text_presence title_presence) {
  if (title_presence == text_presence::required || !title.empty()) {
    if (auto bad = check_text(title, limits::max_title_chars, "The title")) return bad;
  }
  if (auto bad = check_text(description, limits::max_description_chars, "The description",
                            text_presence::optional, text_lines::many)) {
    return bad;
  }
  if (auto bad = check_text(presenter, limits::max_display_name_chars, "The presenter",
                            text_presence::optional)) {
    return bad;
  }
  if (planned_minutes > limits::max_planned_minutes) {
    return reject(v1::ERROR_CODE_INVALID_ARGUMENT, "An item cannot be planned for over a day.");
  }
  return std::nullopt;
}

}  // namespace

const v1::AgendaItem* resolve_item(const v1::MeetingState& state, std::string_view item_id,
                                   rejection& why) {
  if (item_id.empty()) {
    const v1::AgendaItem* current = find_item(state, state.current_item_id());
    if (state.current_item_id().empty() || current == nullptr) {
      why = reject(v1::ERROR_CODE_FAILED_PRECONDITION, "No agenda item is under way.");
      return nullptr;
    }
    return current;
  }
  return named_item(state, item_id, why);
}

decision decide_add_agenda_item(const v1::MeetingState& state, const v1::AddAgendaItem& command,
                                const command_context& context) {
  if (auto not_open = require_not_ended(state)) return *not_open;
  if (auto bad = check_item_texts(command.title(), command.description(), command.presenter(),
                                  command.planned_minutes(), text_presence::required)) {
    return *bad;
  }
  if (static_cast<std::size_t>(state.agenda_size()) >= limits::max_agenda_items) {
    return reject(v1::ERROR_CODE_RESOURCE_EXHAUSTED,
                  "The agenda is full (" + std::to_string(limits::max_agenda_items) + " items).");
  }
  if (context.fresh_id.empty()) {
    return reject(v1::ERROR_CODE_INVALID_ARGUMENT, "No id was supplied for the new item.");
  }
  if (find_item(state, context.fresh_id) != nullptr) {
    return reject(v1::ERROR_CODE_ALREADY_EXISTS, "An agenda item with this id already exists.");
  }
  v1::Event event = stamped_event(context);
  auto& added = *event.mutable_agenda_item_added();
  auto& item = *added.mutable_item();
  item.set_id(context.fresh_id);
  item.set_title(command.title());
  item.set_description(command.description());
  item.set_planned_minutes(command.planned_minutes());
  item.set_presenter(command.presenter());
  item.set_status(v1::AGENDA_ITEM_STATUS_PENDING);
  added.set_position(clamp_position(command.position(), state.agenda_size() + 1));
  return std::vector{event};
}

decision decide_update_agenda_item(const v1::MeetingState& state,
                                   const v1::UpdateAgendaItem& command,
                                   const command_context& context) {
  if (auto not_open = require_not_ended(state)) return *not_open;
  rejection why;
  if (named_item(state, command.item_id(), why) == nullptr) return why;
  if (command.title().empty() && command.description().empty() && command.presenter().empty() &&
      command.planned_minutes() == 0) {
    return reject(v1::ERROR_CODE_INVALID_ARGUMENT, "Nothing to change in this item.");
  }
  if (auto bad = check_item_texts(command.title(), command.description(), command.presenter(),
                                  command.planned_minutes(), text_presence::optional)) {
    return *bad;
  }
  v1::Event event = stamped_event(context);
  auto& updated = *event.mutable_agenda_item_updated();
  updated.set_item_id(command.item_id());
  updated.set_title(command.title());
  updated.set_description(command.description());
  updated.set_planned_minutes(command.planned_minutes());
  updated.set_presenter(command.presenter());
  return std::vector{event};
}

decision decide_move_agenda_item(const v1::MeetingState& state, const v1::MoveAgendaItem& command,
                                 const command_context& context) {
  if (auto not_open = require_not_ended(state)) return *not_open;
  rejection why;
  if (named_item(state, command.item_id(), why) == nullptr) return why;
  v1::Event event = stamped_event(context);
  auto& moved = *event.mutable_agenda_item_moved();
  moved.set_item_id(command.item_id());
  moved.set_position(clamp_position(command.position(), state.agenda_size()));
  return std::vector{event};
}

decision decide_remove_agenda_item(const v1::MeetingState& state,
                                   const v1::RemoveAgendaItem& command,
                                   const command_context& context) {
  if (auto not_open = require_not_ended(state)) return *not_open;
  rejection why;
  const v1::AgendaItem* item = named_item(state, command.item_id(), why);
  if (item == nullptr) return why;
  if (item->status() != v1::AGENDA_ITEM_STATUS_PENDING) {
    return reject(v1::ERROR_CODE_FAILED_PRECONDITION,
                  "Only items that have not started can be removed; close it instead.");
  }
  for (const auto& poll : state.polls()) {
    if (poll.item_id() == item->id()) {
      return reject(v1::ERROR_CODE_FAILED_PRECONDITION,
                    "A poll belongs to this item; delete or keep the item.");
    }
  }
  v1::Event event = stamped_event(context);
  event.mutable_agenda_item_removed()->set_item_id(item->id());
  return std::vector{event};
}

decision decide_start_agenda_item(const v1::MeetingState& state, const v1::StartAgendaItem& command,
                                  const command_context& context) {
  if (auto not_live = require_live(state, "Agenda items can be started")) return *not_live;
  rejection why;
  const v1::AgendaItem* item = named_item(state, command.item_id(), why);
  if (item == nullptr) return why;
  if (item->status() == v1::AGENDA_ITEM_STATUS_ACTIVE && state.current_item_id() == item->id()) {
    return reject(v1::ERROR_CODE_FAILED_PRECONDITION, "This item is already under way.");
  }
  if (is_closed(*item)) {
    return reject(v1::ERROR_CODE_FAILED_PRECONDITION,
                  "This item is closed; reopen it before starting it again.");
  }
  std::vector<v1::Event> events;
  if (auto turn = end_running_turn(state, context)) events.push_back(std::move(*turn));
  if (const v1::AgendaItem* previous = find_item(state, state.current_item_id());
      previous != nullptr && previous->status() == v1::AGENDA_ITEM_STATUS_ACTIVE) {
    v1::Event closed = stamped_event(context);
    closed.mutable_agenda_item_closed()->set_item_id(previous->id());
    events.push_back(std::move(closed));
  }
  v1::Event started = stamped_event(context);
  started.mutable_agenda_item_started()->set_item_id(item->id());
  events.push_back(std::move(started));
  return events;
}

decision decide_close_agenda_item(const v1::MeetingState& state, const v1::CloseAgendaItem& command,
                                  const command_context& context) {
  if (auto not_open = require_not_ended(state)) return *not_open;
  rejection why;
  const v1::AgendaItem* item = named_item(state, command.item_id(), why);
  if (item == nullptr) return why;
  if (is_closed(*item)) {
    return reject(v1::ERROR_CODE_FAILED_PRECONDITION, "This item is already closed.");
  }
  // A pending item can be skipped but not "done": it never ran.
  if (item->status() == v1::AGENDA_ITEM_STATUS_PENDING && !command.skipped()) {
    return reject(v1::ERROR_CODE_FAILED_PRECONDITION,
                  "This item has not started; it can only be skipped.");
  }
  std::vector<v1::Event> events;
  if (item->speakers().floor_taken()) {
    if (auto turn = end_running_turn(state, context)) events.push_back(std::move(*turn));
  }
  v1::Event closed = stamped_event(context);
  auto& body = *closed.mutable_agenda_item_closed();
  body.set_item_id(item->id());
  body.set_skipped(command.skipped());
  events.push_back(std::move(closed));
  return events;
}

decision decide_reopen_agenda_item(const v1::MeetingState& state,
                                   const v1::ReopenAgendaItem& command,
                                   const command_context& context) {
  if (auto not_open = require_not_ended(state)) return *not_open;
  rejection why;
  const v1::AgendaItem* item = named_item(state, command.item_id(), why);
  if (item == nullptr) return why;
  if (!is_closed(*item)) {
    return reject(v1::ERROR_CODE_FAILED_PRECONDITION, "Only a closed item can be reopened.");
  }
  v1::Event event = stamped_event(context);
  event.mutable_agenda_item_reopened()->set_item_id(item->id());
  return std::vector{event};
}

decision decide_record_decision(const v1::MeetingState& state, const v1::RecordDecision& command,
                                const command_context& context) {
  if (auto not_open = require_not_ended(state)) return *not_open;
  rejection why;
  const v1::AgendaItem* item = resolve_item(state, command.item_id(), why);
  if (item == nullptr) return why;
  if (auto bad = check_text(command.text(), limits::max_outcome_chars, "The decision")) return *bad;
  if (static_cast<std::size_t>(item->decisions_size()) >= limits::max_decisions_per_item) {
    return reject(
        v1::ERROR_CODE_RESOURCE_EXHAUSTED,
        "This item already has " + std::to_string(limits::max_decisions_per_item) + " decisions.");
  }
  v1::Event event = stamped_event(context);
  auto& recorded = *event.mutable_decision_recorded();
  recorded.set_item_id(item->id());
  recorded.mutable_decision()->set_text(command.text());
  recorded.mutable_decision()->set_recorded_at_ms(context.now_ms);
  return std::vector{event};
}

decision decide_record_action_item(const v1::MeetingState& state,
                                   const v1::RecordActionItem& command,
                                   const command_context& context) {
  if (auto not_open = require_not_ended(state)) return *not_open;
  rejection why;
  const v1::AgendaItem* item = resolve_item(state, command.item_id(), why);
  if (item == nullptr) return why;
  if (auto bad = check_text(command.text(), limits::max_outcome_chars, "The action item")) {
    return *bad;
  }
  if (auto bad = check_text(command.owner(), limits::max_display_name_chars, "The owner",
                            text_presence::optional)) {
    return *bad;
  }
  if (!command.due_date().empty() && !is_iso_date(command.due_date())) {
    return reject(v1::ERROR_CODE_INVALID_ARGUMENT,
                  "The due date must be a real date written yyyy-mm-dd.");
  }
  if (static_cast<std::size_t>(item->action_items_size()) >= limits::max_action_items_per_item) {
    return reject(v1::ERROR_CODE_RESOURCE_EXHAUSTED,
                  "This item already has " + std::to_string(limits::max_action_items_per_item) +
                      " action items.");
  }
  v1::Event event = stamped_event(context);
  auto& recorded = *event.mutable_action_item_recorded();
  recorded.set_item_id(item->id());
  auto& action = *recorded.mutable_action_item();
  action.set_text(command.text());
  action.set_owner(command.owner());
  action.set_due_date(command.due_date());
  action.set_recorded_at_ms(context.now_ms);
  return std::vector{event};
}

void apply_agenda_item_added(v1::MeetingState& state, const v1::Event& event) {
  const auto& added = event.agenda_item_added();
  if (added.item().id().empty() || find_item(state, added.item().id()) != nullptr) return;
  auto& agenda = *state.mutable_agenda();
  *agenda.Add() = added.item();
  move_element(agenda, agenda.size() - 1, clamp_position(added.position(), agenda.size()));
}

void apply_agenda_item_updated(v1::MeetingState& state, const v1::Event& event) {
  const auto& updated = event.agenda_item_updated();
  v1::AgendaItem* item = find_by_id(*state.mutable_agenda(), updated.item_id());
  if (item == nullptr) return;
  if (!updated.title().empty()) item->set_title(updated.title());
  if (!updated.description().empty()) item->set_description(updated.description());
  if (updated.planned_minutes() != 0) item->set_planned_minutes(updated.planned_minutes());
  if (!updated.presenter().empty()) item->set_presenter(updated.presenter());
}

void apply_agenda_item_moved(v1::MeetingState& state, const v1::Event& event) {
  const auto& moved = event.agenda_item_moved();
  auto& agenda = *state.mutable_agenda();
  const int from = index_of_id(agenda, moved.item_id());
  if (from < 0) return;
  move_element(agenda, from, clamp_position(moved.position(), agenda.size()));
}

void apply_agenda_item_removed(v1::MeetingState& state, const v1::Event& event) {
  const std::string& id = event.agenda_item_removed().item_id();
  erase_at(*state.mutable_agenda(), index_of_id(state.agenda(), id));
  if (state.current_item_id() == id) state.clear_current_item_id();
}

void apply_agenda_item_started(v1::MeetingState& state, const v1::Event& event) {
  const std::string& id = event.agenda_item_started().item_id();
  v1::AgendaItem* item = find_by_id(*state.mutable_agenda(), id);
  if (item == nullptr) return;
  item->set_status(v1::AGENDA_ITEM_STATUS_ACTIVE);
  // The first start is the actual start for the minutes; a reopened item keeps it.
  if (item->started_at_ms() == 0) item->set_started_at_ms(event.at_ms());
  item->set_ended_at_ms(0);
  state.set_current_item_id(id);
}

void apply_agenda_item_closed(v1::MeetingState& state, const v1::Event& event) {
  const auto& closed = event.agenda_item_closed();
  v1::AgendaItem* item = find_by_id(*state.mutable_agenda(), closed.item_id());
  if (item == nullptr) return;
  item->set_status(closed.skipped() ? v1::AGENDA_ITEM_STATUS_SKIPPED : v1::AGENDA_ITEM_STATUS_DONE);
  item->set_ended_at_ms(event.at_ms());
  if (state.current_item_id() == closed.item_id()) state.clear_current_item_id();
}

void apply_agenda_item_reopened(v1::MeetingState& state, const v1::Event& event) {
  v1::AgendaItem* item =
      find_by_id(*state.mutable_agenda(), event.agenda_item_reopened().item_id());
  if (item == nullptr) return;
  item->set_status(v1::AGENDA_ITEM_STATUS_PENDING);
  item->set_ended_at_ms(0);
}

void apply_decision_recorded(v1::MeetingState& state, const v1::Event& event) {
  const auto& recorded = event.decision_recorded();
  v1::AgendaItem* item = find_by_id(*state.mutable_agenda(), recorded.item_id());
  if (item != nullptr) *item->add_decisions() = recorded.decision();
}

void apply_action_item_recorded(v1::MeetingState& state, const v1::Event& event) {
  const auto& recorded = event.action_item_recorded();
  v1::AgendaItem* item = find_by_id(*state.mutable_agenda(), recorded.item_id());
  if (item != nullptr) *item->add_action_items() = recorded.action_item();
}

}  // namespace majlis::domain
