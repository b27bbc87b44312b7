#include "permissions.hpp"

#include <array>
#include <string>

#include "decision_parts.hpp"

namespace majlis::domain {
namespace {

using K = v1::Command::KindCase;
constexpr uint8_t chair_only = chair;
constexpr uint8_t anyone = chair | participant;

constexpr std::array rows = {
    // meeting
    permission_row{K::kStartMeeting, "start the meeting", chair_only},
    permission_row{K::kEndMeeting, "end the meeting", chair_only},
    permission_row{K::kUpdateMeeting, "change the meeting", chair_only},
    permission_row{K::kSetQueuePolicy, "change the queue policy", chair_only},
    permission_row{K::kSetDefaultSpeakingTime, "change the speaking time", chair_only},
    // roster
    permission_row{K::kAddWalkIn, "register a walk-in", chair_only},
    permission_row{K::kUpdateParticipant, "update a participant", anyone},
    permission_row{K::kVerifyParticipant, "verify a participant", chair_only},
    permission_row{K::kAnswerParticipantRequest, "answer a participant's request", chair_only},
    // check-in
    permission_row{K::kSetCheckIn, "open or close check-in", chair_only},
    permission_row{K::kCheckIn, "check in", anyone},
    permission_row{K::kRotateCheckInCode, "rotate the check-in code", system},
    // agenda
    permission_row{K::kAddAgendaItem, "add an agenda item", chair_only},
    permission_row{K::kUpdateAgendaItem, "edit an agenda item", chair_only},
    permission_row{K::kMoveAgendaItem, "move an agenda item", chair_only},
    permission_row{K::kRemoveAgendaItem, "remove an agenda item", chair_only},
    permission_row{K::kStartAgendaItem, "start an agenda item", chair_only},
    permission_row{K::kCloseAgendaItem, "close an agenda item", chair_only},
    permission_row{K::kReopenAgendaItem, "reopen an agenda item", chair_only},
    permission_row{K::kRecordDecision, "record a decision", chair_only},
    permission_row{K::kRecordActionItem, "record an action item", chair_only},
    // speaking queue and floor
    permission_row{K::kRequestFloor, "request the floor", anyone},
    permission_row{K::kWithdrawRequest, "withdraw a request", anyone},
    permission_row{K::kMoveRequest, "move a request", chair_only},
    permission_row{K::kSetListClosed, "open or close the list of speakers", chair_only},
    permission_row{K::kNextSpeaker, "call the next speaker", chair_only},
    permission_row{K::kGrantFloor, "grant the floor", chair_only},
    permission_row{K::kPauseFloor, "pause the speaker", chair_only},
    permission_row{K::kResumeFloor, "resume the speaker", chair_only},
    permission_row{K::kEndTurn, "end a turn", anyone},
    permission_row{K::kSetTurnTimeLimit, "change the turn's time limit", chair_only},
    // polls
    permission_row{K::kCreatePoll, "create a poll", chair_only},
    permission_row{K::kOpenPoll, "open a poll", chair_only},
    permission_row{K::kClosePoll, "close a poll", chair | system},
    permission_row{K::kPublishPoll, "publish a poll", chair_only},
    permission_row{K::kDeletePoll, "delete a poll", chair_only},
    permission_row{K::kCastBallot, "vote", anyone},
    // contributions
    permission_row{K::kSubmitContribution, "submit a contribution", anyone},
    permission_row{K::kUpvoteContribution, "upvote a contribution", anyone},
    permission_row{K::kMarkContribution, "mark a contribution", chair_only},
    permission_row{K::kShowContribution, "put a contribution on the display", chair_only},
    // admission (registration is the HTTP API's, proposed as the system, never a client's)
    permission_row{K::kSetRegistration, "change how people register", chair_only},
    permission_row{K::kRotateInviteCode, "replace the invite code", chair_only},
    permission_row{K::kAdmitParticipant, "admit a participant", chair_only},
    permission_row{K::kRemoveParticipant, "remove a participant", chair_only},
    permission_row{K::kRegisterParticipant, "register a participant", system},
};

uint8_t class_of(const command_context& context) {
  if (is_system(context)) return system;
  switch (context.role) {
    case v1::ROLE_MODERATOR:
      return chair;
    case v1::ROLE_PARTICIPANT:
      return participant;
    default:
      return 0;  // displays, observers, and unknown roles send nothing
  }
}

}  // namespace

std::span<const permission_row> permission_table() {
  return rows;
}

const permission_row* find_permission(v1::Command::KindCase command) {
  for (const auto& row : rows) {
    if (row.command == command) return &row;
  }
  return nullptr;
}

std::optional<rejection> check_permission(const v1::Command& command,
                                          const command_context& context) {
  const permission_row* row = find_permission(command.kind_case());
  if (row == nullptr) return reject(v1::ERROR_CODE_INVALID_ARGUMENT, "The command is empty.");
  const uint8_t who = class_of(context);
  if ((row->allowed & who) != 0) return std::nullopt;
  if (context.role == v1::ROLE_DISPLAY || context.role == v1::ROLE_OBSERVER) {
    return reject(
        v1::ERROR_CODE_PERMISSION_DENIED,
        "Displays and observers are read-only and cannot " + std::string(row->name) + ".");
  }
  if ((row->allowed & chair) != 0 && (row->allowed & participant) == 0) {
    return reject(v1::ERROR_CODE_PERMISSION_DENIED,
                  "Only the chair can " + std::string(row->name) + ".");
  }
  return reject(v1::ERROR_CODE_PERMISSION_DENIED,
                "You are not allowed to " + std::string(row->name) + ".");
}

}  // namespace majlis::domain
