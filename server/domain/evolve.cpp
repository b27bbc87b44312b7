// evolve(): one event, applied by the rule file that owns it. Works on the authoritative
// state and on client mirrors fed projected events (stubs only advance seq).
#include "admission.hpp"
#include "agenda.hpp"
#include "check_in.hpp"
#include "contributions.hpp"
#include "decider.hpp"
#include "floor.hpp"
#include "meeting_rules.hpp"
#include "polls.hpp"
#include "roster.hpp"
#include "speaking_queue.hpp"

namespace majlis::domain {

void evolve(v1::MeetingState& state, const v1::Event& event) {
  if (event.seq() > 0) state.set_seq(event.seq());
  auto& s = state;
  const auto& e = event;
  using K = v1::Event::KindCase;
  switch (event.kind_case()) {
    case K::kMeetingCreated:
      return apply_meeting_created(s, e);
    case K::kMeetingStarted:
      return apply_meeting_started(s, e);
    case K::kMeetingEnded:
      return apply_meeting_ended(s, e);
    case K::kMeetingUpdated:
      return apply_meeting_updated(s, e);
    case K::kQueuePolicyChanged:
      return apply_queue_policy_changed(s, e);
    case K::kDefaultSpeakingTimeChanged:
      return apply_default_speaking_time_changed(s, e);
    case K::kParticipantAdded:
      return apply_participant_added(s, e);
    case K::kParticipantUpdated:
      return apply_participant_updated(s, e);
    case K::kConnectionOpened:
      return apply_connection_opened(s, e);
    case K::kConnectionClosed:
      return apply_connection_closed(s, e);
    case K::kPresenceChanged:
      return apply_presence_changed(s, e);
    case K::kAgendaItemAdded:
      return apply_agenda_item_added(s, e);
    case K::kAgendaItemUpdated:
      return apply_agenda_item_updated(s, e);
    case K::kAgendaItemMoved:
      return apply_agenda_item_moved(s, e);
    case K::kAgendaItemRemoved:
      return apply_agenda_item_removed(s, e);
    case K::kAgendaItemStarted:
      return apply_agenda_item_started(s, e);
    case K::kAgendaItemClosed:
      return apply_agenda_item_closed(s, e);
    case K::kAgendaItemReopened:
      return apply_agenda_item_reopened(s, e);
    case K::kDecisionRecorded:
      return apply_decision_recorded(s, e);
    case K::kActionItemRecorded:
      return apply_action_item_recorded(s, e);
    case K::kFloorRequested:
      return apply_floor_requested(s, e);
    case K::kRequestWithdrawn:
      return apply_request_withdrawn(s, e);
    case K::kRequestMoved:
      return apply_request_moved(s, e);
    case K::kListClosedChanged:
      return apply_list_closed_changed(s, e);
    case K::kFloorGranted:
      return apply_floor_granted(s, e);
    case K::kFloorPaused:
      return apply_floor_paused(s, e);
    case K::kFloorResumed:
      return apply_floor_resumed(s, e);
    case K::kTurnEnded:
      return apply_turn_ended(s, e);
    case K::kTurnTimeLimitChanged:
      return apply_turn_time_limit_changed(s, e);
    case K::kPollCreated:
      return apply_poll_created(s, e);
    case K::kPollOpened:
      return apply_poll_opened(s, e);
    case K::kPollClosed:
      return apply_poll_closed(s, e);
    case K::kPollPublished:
      return apply_poll_published(s, e);
    case K::kPollDeleted:
      return apply_poll_deleted(s, e);
    case K::kBallotCast:
      return apply_ballot_cast(s, e);
    case K::kContributionSubmitted:
      return apply_contribution_submitted(s, e);
    case K::kContributionUpvoted:
      return apply_contribution_upvoted(s, e);
    case K::kContributionMarked:
      return apply_contribution_marked(s, e);
    case K::kContributionShown:
      return apply_contribution_shown(s, e);
    case K::kParticipantRegistered:
      return apply_participant_registered(s, e);
    case K::kRegistrationChanged:
      return apply_registration_changed(s, e);
    case K::kInviteCodeRotated:
      return apply_invite_code_rotated(s, e);
    case K::kParticipantAdmitted:
      return apply_participant_admitted(s, e);
    case K::kParticipantRemoved:
      return apply_participant_removed(s, e);
    case K::kParticipantVerified:
      return apply_participant_verified(s, e);
    case K::kParticipantChangeRequested:
      return apply_participant_change_requested(s, e);
    case K::kParticipantRequestAnswered:
      return apply_participant_request_answered(s, e);
    case K::kCheckInChanged:
      return apply_check_in_changed(s, e);
    case K::kCheckInCodeRotated:
      return apply_check_in_code_rotated(s, e);
    case K::kParticipantCheckedIn:
      return apply_participant_checked_in(s, e);
    case K::KIND_NOT_SET:
      return;  // a redacted stub
  }
}

}  // namespace majlis::domain
