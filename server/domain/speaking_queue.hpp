// Requests to speak: one list of speakers per agenda item, with at most one waiting request
// of each kind per participant. The order itself is queue_order's business.
#pragma once

#include "decider.hpp"

namespace majlis::domain {

decision decide_request_floor(const v1::MeetingState& state, const v1::RequestFloor& command,
                              const command_context& context);
decision decide_withdraw_request(const v1::MeetingState& state, const v1::WithdrawRequest& command,
                                 const command_context& context);
decision decide_move_request(const v1::MeetingState& state, const v1::MoveRequest& command,
                             const command_context& context);
decision decide_set_list_closed(const v1::MeetingState& state, const v1::SetListClosed& command,
                                const command_context& context);

void apply_floor_requested(v1::MeetingState& state, const v1::Event& event);
void apply_request_withdrawn(v1::MeetingState& state, const v1::Event& event);
void apply_request_moved(v1::MeetingState& state, const v1::Event& event);
void apply_list_closed_changed(v1::MeetingState& state, const v1::Event& event);

}  // namespace majlis::domain
