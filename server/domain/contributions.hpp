// Written input tied to an agenda item: submitted by anyone taking part, upvoted once per
// participant, marked answered or hidden by the chair, one at a time put on the room display.
#pragma once

#include "decider.hpp"

namespace majlis::domain {

decision decide_submit_contribution(const v1::MeetingState& state,
                                    const v1::SubmitContribution& command,
                                    const command_context& context);
decision decide_upvote_contribution(const v1::MeetingState& state,
                                    const v1::UpvoteContribution& command,
                                    const command_context& context);
decision decide_mark_contribution(const v1::MeetingState& state,
                                  const v1::MarkContribution& command,
                                  const command_context& context);
// Chair: one written contribution on the room display (an empty id takes it off).
decision decide_show_contribution(const v1::MeetingState& state,
                                  const v1::ShowContribution& command,
                                  const command_context& context);

void apply_contribution_submitted(v1::MeetingState& state, const v1::Event& event);
void apply_contribution_upvoted(v1::MeetingState& state, const v1::Event& event);
// On a non-moderator's mirror, showing a hidden contribution again carries the whole
// contribution (the mirror never had it); it is put back in submission order.
// Hiding the contribution on the display also takes it off.
void apply_contribution_marked(v1::MeetingState& state, const v1::Event& event);
void apply_contribution_shown(v1::MeetingState& state, const v1::Event& event);

}  // namespace majlis::domain
