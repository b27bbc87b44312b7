// decide(): the permission table first, then the rule file that owns the command.
#include "decider.hpp"

#include <algorithm>

#include "admission.hpp"
#include "agenda.hpp"
#include "check_in.hpp"
#include "contributions.hpp"
#include "decision_parts.hpp"
#include "floor.hpp"
#include "meeting_rules.hpp"
#include "permissions.hpp"
#include "polls.hpp"
#include "roster.hpp"
#include "speaking_queue.hpp"

namespace majlis::domain {

decision decide(const v1::MeetingState& state, const v1::Command& command,
                const command_context& context) {
  if (auto denied = check_permission(command, context)) return *denied;
  if (auto kept_out = require_admitted_actor(state, context)) return *kept_out;
  const auto& s = state;
  const auto& c = command;
  const auto& x = context;
  using K = v1::Command::KindCase;
  switch (command.kind_case()) {
    case K::kStartMeeting:
      return decide_start_meeting(s, c.start_meeting(), x);
    case K::kEndMeeting:
      return decide_end_meeting(s, c.end_meeting(), x);
    case K::kUpdateMeeting:
      return decide_update_meeting(s, c.update_meeting(), x);
    case K::kSetQueuePolicy:
      return decide_set_queue_policy(s, c.set_queue_policy(), x);
    case K::kSetDefaultSpeakingTime:
      return decide_set_default_speaking_time(s, c.set_default_speaking_time(), x);
    case K::kAddWalkIn:
      return decide_add_walk_in(s, c.add_walk_in(), x);
    case K::kUpdateParticipant:
      return decide_update_participant(s, c.update_participant(), x);
    case K::kAddAgendaItem:
      return decide_add_agenda_item(s, c.add_agenda_item(), x);
    case K::kUpdateAgendaItem:
      return decide_update_agenda_item(s, c.update_agenda_item(), x);
    case K::kMoveAgendaItem:
      return decide_move_agenda_item(s, c.move_agenda_item(), x);
    case K::kRemoveAgendaItem:
      return decide_remove_agenda_item(s, c.remove_agenda_item(), x);
    case K::kStartAgendaItem:
      return decide_start_agenda_item(s, c.start_agenda_item(), x);
    case K::kCloseAgendaItem:
      return decide_close_agenda_item(s, c.close_agenda_item(), x);
    case K::kReopenAgendaItem:
      return decide_reopen_agenda_item(s, c.reopen_agenda_item(), x);
    case K::kRecordDecision:
      return decide_record_decision(s, c.record_decision(), x);
    case K::kRecordActionItem:
      return decide_record_action_item(s, c.record_action_item(), x);
    case K::kRequestFloor:
      return decide_request_floor(s, c.request_floor(), x);
    case K::kWithdrawRequest:
      return decide_withdraw_request(s, c.withdraw_request(), x);
    case K::kMoveRequest:
      return decide_move_request(s, c.move_request(), x);
    case K::kSetListClosed:
      return decide_set_list_closed(s, c.set_list_closed(), x);
    case K::kNextSpeaker:
      return decide_next_speaker(s, c.next_speaker(), x);
    case K::kGrantFloor:
      return decide_grant_floor(s, c.grant_floor(), x);
    case K::kPauseFloor:
      return decide_pause_floor(s, c.pause_floor(), x);
    case K::kResumeFloor:
      return decide_resume_floor(s, c.resume_floor(), x);
    case K::kEndTurn:
      return decide_end_turn(s, c.end_turn(), x);
    case K::kSetTurnTimeLimit:
      return decide_set_turn_time_limit(s, c.set_turn_time_limit(), x);
    case K::kCreatePoll:
      return decide_create_poll(s, c.create_poll(), x);
    case K::kOpenPoll:
      return decide_open_poll(s, c.open_poll(), x);
    case K::kClosePoll:
      return decide_close_poll(s, c.close_poll(), x);
    case K::kPublishPoll:
      return decide_publish_poll(s, c.publish_poll(), x);
    case K::kDeletePoll:
      return decide_delete_poll(s, c.delete_poll(), x);
    case K::kCastBallot:
      return decide_cast_ballot(s, c.cast_ballot(), x);
    case K::kSubmitContribution:
      return decide_submit_contribution(s, c.submit_contribution(), x);
    case K::kUpvoteContribution:
      return decide_upvote_contribution(s, c.upvote_contribution(), x);
    case K::kMarkContribution:
      return decide_mark_contribution(s, c.mark_contribution(), x);
    case K::kShowContribution:
      return decide_show_contribution(s, c.show_contribution(), x);
    case K::kSetRegistration:
      return decide_set_registration(s, c.set_registration(), x);
    case K::kRotateInviteCode:
      return decide_rotate_invite_code(s, c.rotate_invite_code(), x);
    case K::kAdmitParticipant:
      return decide_admit_participant(s, c.admit_participant(), x);
    case K::kRemoveParticipant:
      return decide_remove_participant(s, c.remove_participant(), x);
    case K::kRegisterParticipant:
      return decide_register_participant(s, c.register_participant(), x);
    case K::kVerifyParticipant:
      return decide_verify_participant(s, c.verify_participant(), x);
    case K::kAnswerParticipantRequest:
      return decide_answer_participant_request(s, c.answer_participant_request(), x);
    case K::kSetCheckIn:
      return decide_set_check_in(s, c.set_check_in(), x);
    case K::kCheckIn:
      return decide_check_in(s, c.check_in(), x);
    case K::kRotateCheckInCode:
      return decide_rotate_check_in_code(s, c.rotate_check_in_code(), x);
    case K::KIND_NOT_SET:
      break;
  }
  return reject(v1::ERROR_CODE_INVALID_ARGUMENT, "The command is empty.");
}

v1::Event meeting_created(const std::string& meeting_id, const std::string& title,
                          const std::vector<std::string>& languages,
                          const std::vector<std::string>& stakeholder_groups, int64_t now_ms) {
  v1::Event event;
  event.set_seq(1);
  event.set_at_ms(now_ms);
  auto& created = *event.mutable_meeting_created();
  created.set_meeting_id(meeting_id);
  created.set_title(title);
  for (const auto& language : languages) created.add_languages(language);
  for (const auto& group :
       stakeholder_groups.empty() ? default_stakeholder_groups() : stakeholder_groups) {
    created.add_stakeholder_groups(group);
  }
  // Three minutes a turn is what consultations commonly give; the chair changes it freely.
  created.mutable_settings()->set_default_speaking_time_ms(int64_t{3} * 60 * 1000);
  return event;
}

const std::vector<std::string>& default_stakeholder_groups() {
  static const std::vector<std::string> groups = {
      "government", "private_sector",      "civil_society",
      "academia",   "technical_community", "international_organisations"};
  return groups;
}

std::vector<v1::Command> due_commands(const v1::MeetingState& state, int64_t now_ms) {
  std::vector<v1::Command> due;
  if (state.status() == v1::MEETING_STATUS_ENDED) return due;
  for (const auto& poll : state.polls()) {
    if (poll.status() == v1::POLL_STATUS_OPEN && poll.deadline_ms() != 0 &&
        poll.deadline_ms() <= now_ms) {
      due.emplace_back().mutable_close_poll()->set_poll_id(poll.id());
    }
  }
  // A new check-in code; the replica fills in the random code before proposing it.
  if (check_in_code_due(state, now_ms)) due.emplace_back().mutable_rotate_check_in_code();
  return due;
}

int64_t next_deadline_ms(const v1::MeetingState& state) {
  int64_t earliest = 0;
  if (state.status() == v1::MEETING_STATUS_ENDED) return earliest;  // nothing is due any more
  for (const auto& poll : state.polls()) {
    if (poll.status() != v1::POLL_STATUS_OPEN || poll.deadline_ms() == 0) continue;
    if (earliest == 0 || poll.deadline_ms() < earliest) earliest = poll.deadline_ms();
  }
  if (state.check_in().open()) {
    // Due at 0 right after opening: 1 keeps "0 = none" meaning none, and is long past.
    const int64_t rotation = std::max<int64_t>(1, state.check_in().next_rotation_ms());
    if (earliest == 0 || rotation < earliest) earliest = rotation;
  }
  return earliest;
}

}  // namespace majlis::domain
