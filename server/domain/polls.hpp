// Polls: kinds, secrecy, results visibility, lifecycle draft -> open -> closed -> published,
// ballots and tallies. A secret poll records who voted and the tally, never who chose what.
#pragma once

#include "decider.hpp"

namespace majlis::domain {

// Options of a yes/no/abstain poll, fixed.
const std::vector<std::string>& yes_no_abstain_options();

// Whether a role may vote in the poll.
bool is_eligible(const v1::Poll& poll, v1::Role role);

// Participants on the roster, online now, whose role may vote (turnout's denominator).
uint32_t eligible_online(const v1::MeetingState& state, const v1::Poll& poll);

// The PollClosed event for an open poll. It carries the tally only when closing makes the
// results visible to everyone (live, after_close); for on_publish, projection hands the
// tally to moderators alone.
v1::Event poll_closed_event(const v1::MeetingState& state, const v1::Poll& poll,
                            const command_context& context, bool by_deadline);

decision decide_create_poll(const v1::MeetingState& state, const v1::CreatePoll& command,
                            const command_context& context);
decision decide_open_poll(const v1::MeetingState& state, const v1::OpenPoll& command,
                          const command_context& context);
decision decide_close_poll(const v1::MeetingState& state, const v1::ClosePoll& command,
                           const command_context& context);
decision decide_publish_poll(const v1::MeetingState& state, const v1::PublishPoll& command,
                             const command_context& context);
decision decide_delete_poll(const v1::MeetingState& state, const v1::DeletePoll& command,
                            const command_context& context);
decision decide_cast_ballot(const v1::MeetingState& state, const v1::CastBallot& command,
                            const command_context& context);

// Evolve works on the authoritative state and on a client mirror fed projected events:
// a BallotCast without choices only records the voter; a close or publish with a tally
// makes the tally visible.
void apply_poll_created(v1::MeetingState& state, const v1::Event& event);
void apply_poll_opened(v1::MeetingState& state, const v1::Event& event);
void apply_poll_closed(v1::MeetingState& state, const v1::Event& event);
void apply_poll_published(v1::MeetingState& state, const v1::Event& event);
void apply_poll_deleted(v1::MeetingState& state, const v1::Event& event);
void apply_ballot_cast(v1::MeetingState& state, const v1::Event& event);

}  // namespace majlis::domain
