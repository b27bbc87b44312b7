#include "speaking_queue.hpp"

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

std::string kind_name(v1::RequestKind kind) {
  switch (kind) {
    case v1::REQUEST_KIND_POINT_OF_ORDER:
      return "point of order";
    case v1::REQUEST_KIND_REPLY:
      return "reply";
    default:
      return "request to speak";
  }
}

// The list an entry sits on: the named item, or when none is named, any item (entry ids are
// unique in a meeting, and the console may not know which list an old entry is on).
const v1::AgendaItem* item_holding(const v1::MeetingState& state, const std::string& item_id,
                                   const std::string& entry_id, const v1::QueueEntry*& entry) {
  for (const auto& item : state.agenda()) {
    if (!item_id.empty() && item.id() != item_id) continue;
    if ((entry = find_by_id(item.speakers().waiting(), entry_id)) != nullptr) return &item;
  }
  return nullptr;
}

}  // namespace

decision decide_request_floor(const v1::MeetingState& state, const v1::RequestFloor& command,
                              const command_context& context) {
  if (auto not_live = require_live(state, "The floor can be requested")) return *not_live;
  if (command.kind() != v1::REQUEST_KIND_SPEAK &&
      command.kind() != v1::REQUEST_KIND_POINT_OF_ORDER &&
      command.kind() != v1::REQUEST_KIND_REPLY) {
    return reject(v1::ERROR_CODE_INVALID_ARGUMENT,
                  "Choose what to request: to speak, a point of order or a reply.");
  }
  const std::string& who =
      command.participant_id().empty() ? context.actor_id : command.participant_id();
  const bool on_behalf = who != context.actor_id;
  if (on_behalf && !is_chair(context)) {
    return reject(v1::ERROR_CODE_PERMISSION_DENIED,
                  "Only the chair can request the floor for someone else.");
  }
  const v1::Participant* speaker = find_participant(state, who);
  if (speaker == nullptr) {
    return reject(v1::ERROR_CODE_NOT_FOUND,
                  on_behalf ? "No such participant." : "You are not on this meeting's roster.");
  }
  if (!can_take_part(*speaker)) {
    return reject(v1::ERROR_CODE_FAILED_PRECONDITION,
                  "Displays and observers cannot take the floor.");
  }
  rejection why;
  const v1::AgendaItem* item = resolve_item(state, command.item_id(), why);
  if (item == nullptr) return why;
  // People may queue ahead for a pending item (its list is waiting when the chair starts it);
  // a finished or skipped item takes no more requests.
  if (item->status() == v1::AGENDA_ITEM_STATUS_DONE ||
      item->status() == v1::AGENDA_ITEM_STATUS_SKIPPED) {
    return reject(v1::ERROR_CODE_FAILED_PRECONDITION, "This agenda item is closed.");
  }
  const auto& list = item->speakers();
  // The chair may still add people to a closed list (the list closes to self-adds only).
  if (list.closed() && !is_chair(context)) {
    return reject(v1::ERROR_CODE_FAILED_PRECONDITION, "The list of speakers is closed.");
  }
  if (command.kind() == v1::REQUEST_KIND_REPLY) {
    if (!list.floor_taken()) {
      return reject(v1::ERROR_CODE_FAILED_PRECONDITION, "A reply needs someone to have the floor.");
    }
    if (list.floor().participant_id() == who) {
      return reject(v1::ERROR_CODE_FAILED_PRECONDITION, "The speaker cannot reply to themself.");
    }
  }
  for (const auto& entry : list.waiting()) {
    if (entry.participant_id() == who && entry.kind() == command.kind()) {
      return reject(
          v1::ERROR_CODE_ALREADY_EXISTS,
          (on_behalf ? "This participant already has a waiting " : "You already have a waiting ") +
              kind_name(command.kind()) + ".");
    }
  }
  if (static_cast<std::size_t>(list.waiting_size()) >= limits::max_waiting_per_list) {
    return reject(v1::ERROR_CODE_RESOURCE_EXHAUSTED, "The list of speakers is full.");
  }
  if (context.fresh_id.empty()) {
    return reject(v1::ERROR_CODE_INVALID_ARGUMENT, "No id was supplied for the request.");
  }
  v1::Event event = stamped_event(context);
  auto& requested = *event.mutable_floor_requested();
  requested.set_item_id(item->id());
  auto& entry = *requested.mutable_entry();
  entry.set_id(context.fresh_id);
  entry.set_participant_id(who);
  entry.set_kind(command.kind());
  entry.set_requested_at_ms(context.now_ms);
  entry.set_request_order(state.next_request_order());
  entry.set_added_by_chair(on_behalf);
  return std::vector{event};
}

decision decide_withdraw_request(const v1::MeetingState& state, const v1::WithdrawRequest& command,
                                 const command_context& context) {
  if (auto not_open = require_not_ended(state)) return *not_open;
  const v1::QueueEntry* entry = nullptr;
  const v1::AgendaItem* item = item_holding(state, command.item_id(), command.entry_id(), entry);
  if (item == nullptr) return reject(v1::ERROR_CODE_NOT_FOUND, "No such waiting request.");
  const bool own = entry->participant_id() == context.actor_id;
  if (!own && !is_chair(context)) {
    return reject(v1::ERROR_CODE_PERMISSION_DENIED, "You can only withdraw your own request.");
  }
  v1::Event event = stamped_event(context);
  auto& withdrawn = *event.mutable_request_withdrawn();
  withdrawn.set_item_id(item->id());
  withdrawn.set_entry_id(entry->id());
  withdrawn.set_by_chair(!own);
  return std::vector{event};
}

decision decide_move_request(const v1::MeetingState& state, const v1::MoveRequest& command,
                             const command_context& context) {
  if (auto not_open = require_not_ended(state)) return *not_open;
  const v1::QueueEntry* entry = nullptr;
  const v1::AgendaItem* item = item_holding(state, command.item_id(), command.entry_id(), entry);
  if (item == nullptr) return reject(v1::ERROR_CODE_NOT_FOUND, "No such waiting request.");
  const int last = item->speakers().waiting_size() - 1;
  v1::Event event = stamped_event(context);
  auto& moved = *event.mutable_request_moved();
  moved.set_item_id(item->id());
  moved.set_entry_id(entry->id());
  moved.set_position(command.position() < 0 || command.position() > last ? last
                                                                         : command.position());
  return std::vector{event};
}

decision decide_set_list_closed(const v1::MeetingState& state, const v1::SetListClosed& command,
                                const command_context& context) {
  if (auto not_open = require_not_ended(state)) return *not_open;
  rejection why;
  const v1::AgendaItem* item = resolve_item(state, command.item_id(), why);
  if (item == nullptr) return why;
  if (item->speakers().closed() == command.closed()) {
    return reject(v1::ERROR_CODE_FAILED_PRECONDITION,
                  command.closed() ? "The list is already closed." : "The list is already open.");
  }
  v1::Event event = stamped_event(context);
  event.mutable_list_closed_changed()->set_item_id(item->id());
  event.mutable_list_closed_changed()->set_closed(command.closed());
  return std::vector{event};
}

void apply_floor_requested(v1::MeetingState& state, const v1::Event& event) {
  const auto& requested = event.floor_requested();
  v1::AgendaItem* item = find_by_id(*state.mutable_agenda(), requested.item_id());
  if (item == nullptr || requested.entry().id().empty() ||
      find_by_id(item->speakers().waiting(), requested.entry().id()) != nullptr) {
    return;
  }
  v1::QueueEntry& entry = *item->mutable_speakers()->add_waiting();
  entry = requested.entry();
  entry.set_pinned(false);
  if (entry.request_order() >= state.next_request_order()) {
    state.set_next_request_order(entry.request_order() + 1);
  }
  reorder_list(state, *item);
}

void apply_request_withdrawn(v1::MeetingState& state, const v1::Event& event) {
  const auto& withdrawn = event.request_withdrawn();
  v1::AgendaItem* item = find_by_id(*state.mutable_agenda(), withdrawn.item_id());
  if (item == nullptr) return;
  const int index = index_of_id(item->speakers().waiting(), withdrawn.entry_id());
  if (index < 0) return;
  erase_at(*item->mutable_speakers()->mutable_waiting(), index);
  reorder_list(state, *item);
}

void apply_request_moved(v1::MeetingState& state, const v1::Event& event) {
  const auto& moved = event.request_moved();
  v1::AgendaItem* item = find_by_id(*state.mutable_agenda(), moved.item_id());
  if (item == nullptr || index_of_id(item->speakers().waiting(), moved.entry_id()) < 0) return;
  auto& waiting = *item->mutable_speakers()->mutable_waiting();
  const int from = index_of_id(waiting, moved.entry_id());
  const int to = moved.position() < 0 || moved.position() >= waiting.size() ? waiting.size() - 1
                                                                            : moved.position();
  move_element(waiting, from, to);
  waiting.Mutable(to)->set_pinned(true);
  reorder_list(state, *item);
}

void apply_list_closed_changed(v1::MeetingState& state, const v1::Event& event) {
  const auto& changed = event.list_closed_changed();
  if (v1::AgendaItem* item = find_by_id(*state.mutable_agenda(), changed.item_id())) {
    item->mutable_speakers()->set_closed(changed.closed());
  }
}

}  // namespace majlis::domain
