// The agenda: ordered items, the current one, their lifecycle and their outcomes.
#pragma once

#include <string_view>

#include "decider.hpp"

namespace majlis::domain {

// The item a command names; an empty id means the current item. Sets `why` and returns
// nullptr when there is none (NOT_FOUND, or FAILED_PRECONDITION when no item is current).
const v1::AgendaItem* resolve_item(const v1::MeetingState& state, std::string_view item_id,
                                   rejection& why);

decision decide_add_agenda_item(const v1::MeetingState& state, const v1::AddAgendaItem& command,
                                const command_context& context);
decision decide_update_agenda_item(const v1::MeetingState& state,
                                   const v1::UpdateAgendaItem& command,
                                   const command_context& context);
decision decide_move_agenda_item(const v1::MeetingState& state, const v1::MoveAgendaItem& command,
                                 const command_context& context);
decision decide_remove_agenda_item(const v1::MeetingState& state,
                                   const v1::RemoveAgendaItem& command,
                                   const command_context& context);
decision decide_start_agenda_item(const v1::MeetingState& state, const v1::StartAgendaItem& command,
                                  const command_context& context);
decision decide_close_agenda_item(const v1::MeetingState& state, const v1::CloseAgendaItem& command,
                                  const command_context& context);
decision decide_reopen_agenda_item(const v1::MeetingState& state,
                                   const v1::ReopenAgendaItem& command,
                                   const command_context& context);
decision decide_record_decision(const v1::MeetingState& state, const v1::RecordDecision& command,
                                const command_context& context);
decision decide_record_action_item(const v1::MeetingState& state,
                                   const v1::RecordActionItem& command,
                                   const command_context& context);

void apply_agenda_item_added(v1::MeetingState& state, const v1::Event& event);
void apply_agenda_item_updated(v1::MeetingState& state, const v1::Event& event);
void apply_agenda_item_moved(v1::MeetingState& state, const v1::Event& event);
void apply_agenda_item_removed(v1::MeetingState& state, const v1::Event& event);
void apply_agenda_item_started(v1::MeetingState& state, const v1::Event& event);
void apply_agenda_item_closed(v1::MeetingState& state, const v1::Event& event);
void apply_agenda_item_reopened(v1::MeetingState& state, const v1::Event& event);
void apply_decision_recorded(v1::MeetingState& state, const v1::Event& event);
void apply_action_item_recorded(v1::MeetingState& state, const v1::Event& event);

}  // namespace majlis::domain
