#include "command_verbs.hpp"

#include <charconv>
#include <stdexcept>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/reflection.h>

#include "enum_names.hpp"

namespace majlis::ctl {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

const std::string item_current = "agenda item id (default: the current item)";
const std::string time_limit_help = "turn time limit in ms (default 0: the meeting's default)";

std::vector<command_verb> make_verbs() {
  return {
      // --- meeting (chair) ---
      {"start-meeting", "start_meeting", "Start the meeting (scheduled -> live). Chair only.", {}},
      {"end-meeting", "end_meeting", "End the meeting (live -> ended). Chair only.", {}},
      {"update-meeting",
       "update_meeting",
       "Change the meeting's title, languages or stakeholder groups. Chair only.",
       {{"title", "--title", "new title (omit to keep)"},
        {"languages", "--language", "language code; repeat for several; replaces the list (omit to keep)"},
        {"stakeholder_groups", "--group",
         "stakeholder group; repeat for several; replaces the list (omit to keep)"}}},
      {"set-queue-policy",
       "set_queue_policy",
       "Choose how waiting speak requests are ordered; replaces the whole policy (no flag: first "
       "in, first out). Chair only.",
       {{"policy.first_time_first", "--first-time-first",
         "people who have not spoken on this item go first"},
        {"policy.alternate_attendance", "--alternate-attendance",
         "alternate in-room and remote speakers while both wait"},
        {"policy.stakeholder_balance", "--stakeholder-balance",
         "the waiting group with the least speaking time in the meeting goes next"}}},
      {"set-default-speaking-time",
       "set_default_speaking_time",
       "Set the time limit of a turn unless the chair sets another. Chair only.",
       {{"time_limit_ms", "--time-limit-ms", "time limit in ms; 0 = no limit", true}}},

      // --- roster ---
      {"add-walk-in",
       "add_walk_in",
       "Register someone in the room who has no device. Chair only.",
       {{"display_name", "--name", "display name (any script)", true},
        {"stakeholder_group", "--group", "stakeholder group"}}},
      {"update-participant",
       "update_participant",
       "Change a participant's name, group or attendance (the chair for anyone, a participant "
       "for themself).",
       {{"participant_id", "--participant", "participant id (default: yourself)"},
        {"display_name", "--name", "new display name (omit to keep)"},
        {"stakeholder_group", "--group", "new stakeholder group (omit to keep)"},
        {"attendance", "--attendance", "new attendance (omit to keep)"}}},
      {"verify",
       "verify_participant",
       "Confirm a participant's current group and attendance as verified (the queue's fairness "
       "rules use verified values only). Chair only.",
       {{"participant_id", "--participant", "participant id", true}}},
      {"answer-request",
       "answer_participant_request",
       "Answer a participant's requested change of group or attendance: with --accept it is "
       "applied and verified, without it is declined. Chair only.",
       {{"participant_id", "--participant", "participant id", true},
        {"accept", "--accept", "apply the requested change; without this flag it is declined"}}},

      // --- in-room check-in ---
      {"check-in",
       "set_check_in",
       "Open in-room check-in (the room display shows a code that changes every 30 s) or close "
       "it. Chair only.",
       {{"open", "--open", "open check-in; without this flag it is closed"}}},
      {"check-in-code",
       "check_in",
       "Check in as present in the room with the code the room display shows.",
       {{"code", "--code", "the six-digit code on the room display", true}}},

      // --- admission and roster control (chair) ---
      {"set-registration",
       "set_registration",
       "Choose how the invite link admits people: open (at once, up to the cap), approval "
       "(they wait in the lobby until admitted) or closed (only admin-issued tokens). Chair only.",
       {{"mode", "--mode", "registration mode", true},
        {"registration_cap", "--cap",
         "self-registrations accepted at most (default 0: the server's limit, 2000)"}}},
      {"rotate-invite",
       "rotate_invite_code",
       "Replace the invite code: every earlier invite link stops working at once (fetch the new "
       "one with `majlisctl links`). Chair only.",
       {}},
      {"admit",
       "admit_participant",
       "Admit someone from the lobby, or back after a removal; a group or attendance given here "
       "is set and verified. Chair only.",
       {{"participant_id", "--participant", "participant id", true},
        {"stakeholder_group", "--group", "stakeholder group (omit to keep the registered one)"},
        {"attendance", "--attendance", "attendance (omit to keep the registered one)"}}},
      {"remove-participant",
       "remove_participant",
       "Remove a participant (or decline one in the lobby): their connections are closed (4003), "
       "their waiting requests withdrawn, their turn ended, their tokens refused; ballots already "
       "cast stay counted. Chair only.",
       {{"participant_id", "--participant", "participant id", true}}},

      // --- agenda (chair) ---
      {"add-item",
       "add_agenda_item",
       "Add an agenda item. Chair only.",
       {{"title", "--title", "item title", true},
        {"description", "--description", "longer description"},
        {"planned_minutes", "--minutes", "planned duration in minutes"},
        {"presenter", "--presenter", "who presents it"},
        {"position", "--position", "index to insert at (default -1: append; past the end appends)",
         false, "-1"}}},
      {"update-item",
       "update_agenda_item",
       "Edit an agenda item; omitted options stay unchanged. Chair only.",
       {{"item_id", "--item", "agenda item id", true},
        {"title", "--title", "new title"},
        {"description", "--description", "new description"},
        {"planned_minutes", "--minutes", "new planned duration in minutes"},
        {"presenter", "--presenter", "new presenter"}}},
      {"move-item",
       "move_agenda_item",
       "Move an agenda item to another position. Chair only.",
       {{"item_id", "--item", "agenda item id", true},
        {"position", "--position", "new index (0 = first)", true}}},
      {"remove-item",
       "remove_agenda_item",
       "Remove a pending agenda item. Chair only.",
       {{"item_id", "--item", "agenda item id", true}}},
      {"start-item",
       "start_agenda_item",
       "Make an agenda item current; the previous current item is closed as done. Chair only.",
       {{"item_id", "--item", "agenda item id", true}}},
      {"close-item",
       "close_agenda_item",
       "Close an agenda item as done (or skipped). Chair only.",
       {{"item_id", "--item", "agenda item id", true},
        {"skipped", "--skipped", "close it as skipped instead of done"}}},
      {"reopen-item",
       "reopen_agenda_item",
       "Undo a close: the item is pending again. Chair only.",
       {{"item_id", "--item", "agenda item id", true}}},
      {"record-decision",
       "record_decision",
       "Record a decision on an agenda item. Chair only.",
       {{"item_id", "--item", "agenda item id", true},
        {"text", "--text", "the decision", true}}},
      {"record-action",
       "record_action_item",
       "Record an action item on an agenda item. Chair only.",
       {{"item_id", "--item", "agenda item id", true},
        {"text", "--text", "what is to be done", true},
        {"owner", "--owner", "who does it"},
        {"due_date", "--due", "due date, ISO 8601 (e.g. 2026-12-31)"}}},

      // --- speaking queue ---
      {"request-floor",
       "request_floor",
       "Ask to speak: speak (ordered by the queue policy), point_of_order (before every speak "
       "request) or reply (right after the current speaker).",
       {{"kind", "--kind", "kind of request (default: speak)", false, "speak"},
        {"participant_id", "--for", "chair only: request on behalf of this participant id "
                                    "(walk-ins too; default: yourself)"},
        {"item_id", "--item", item_current}}},
      {"withdraw-request",
       "withdraw_request",
       "Withdraw a waiting request (your own; the chair any).",
       {{"entry_id", "--entry", "queue entry id", true}, {"item_id", "--item", item_current}}},
      {"move-request",
       "move_request",
       "Move a waiting request to another position; it keeps that position. Chair only.",
       {{"entry_id", "--entry", "queue entry id", true},
        {"position", "--position", "new index in the list (0 = next)", true},
        {"item_id", "--item", item_current}}},
      {"set-list-closed",
       "set_list_closed",
       "Close the speakers' list (it refuses self-added requests) or reopen it. Chair only.",
       {{"closed", "--closed", "close the list; without this flag the list is reopened"},
        {"item_id", "--item", item_current}}},
      {"next-speaker",
       "next_speaker",
       "Give the floor to the first waiting request. Chair only.",
       {{"time_limit_ms", "--time-limit-ms", time_limit_help}, {"item_id", "--item", item_current}}},
      {"grant-floor",
       "grant_floor",
       "Give the floor to a participant directly. Chair only.",
       {{"participant_id", "--to", "participant id", true},
        {"time_limit_ms", "--time-limit-ms", time_limit_help},
        {"item_id", "--item", item_current}}},
      {"pause-floor", "pause_floor", "Pause the running turn's clock. Chair only.", {}},
      {"resume-floor", "resume_floor", "Resume the paused turn's clock. Chair only.", {}},
      {"end-turn", "end_turn", "End the running turn (the chair, or the speaker themself).", {}},
      {"set-turn-time-limit",
       "set_turn_time_limit",
       "Change the running turn's time limit. Chair only.",
       {{"time_limit_ms", "--time-limit-ms", "time limit in ms; 0 = no limit", true}}},

      // --- polls ---
      {"create-poll",
       "create_poll",
       "Create a poll as a draft (open it with open-poll). Chair only.",
       {{"question", "--question", "the question", true},
        {"kind", "--kind", "poll kind", true},
        {"secrecy", "--secrecy", "named: who chose what is recorded; secret: only who voted "
                                 "(default: named)"},
        {"visibility", "--visibility", "when everyone sees the tally (default: after_close; live "
                                       "is for named polls only)"},
        {"options", "--option", "an answer option; repeat in order (ignored for yes_no_abstain)"},
        {"min_choices", "--min-choices", "multiple only: fewest options a ballot picks"},
        {"max_choices", "--max-choices", "multiple only: most options a ballot picks"},
        {"eligible_roles", "--eligible-role",
         "role that may vote; repeat for several (default: participants and the chair)"},
        {"deadline_ms", "--deadline-ms",
         "closing time, ms since the Unix epoch (default 0: none)"},
        {"item_id", "--item", item_current}}},
      {"open-poll", "open_poll", "Open a draft poll for voting. Chair only.",
       {{"poll_id", "--poll", "poll id", true}}},
      {"close-poll", "close_poll", "Close an open poll. Chair only.",
       {{"poll_id", "--poll", "poll id", true}}},
      {"publish-poll", "publish_poll", "Publish a closed poll's results to everyone. Chair only.",
       {{"poll_id", "--poll", "poll id", true}}},
      {"delete-poll", "delete_poll", "Delete a draft poll. Chair only.",
       {{"poll_id", "--poll", "poll id", true}}},
      {"vote",
       "cast_ballot",
       "Cast a ballot in an open poll (a named ballot may be changed while open; a secret one is "
       "final).",
       {{"poll_id", "--poll", "poll id", true},
        {"choices", "--choice",
         "option index, 0-based (yes_no_abstain: 0 yes, 1 no, 2 abstain); repeat for several",
         true}}},

      // --- contributions ---
      {"contribute",
       "submit_contribution",
       "Submit written input on an agenda item.",
       {{"text", "--text", "what you want to say", true}, {"item_id", "--item", item_current}}},
      {"upvote", "upvote_contribution", "Upvote a contribution (once per participant).",
       {{"contribution_id", "--contribution", "contribution id", true}}},
      {"mark-contribution",
       "mark_contribution",
       "Mark a contribution answered and/or hidden; sets both flags (omitted = false). Chair only.",
       {{"contribution_id", "--contribution", "contribution id", true},
        {"answered", "--answered", "mark it answered"},
        {"hidden", "--hidden", "hide it from everyone but moderators"}}},
      {"show-contribution",
       "show_contribution",
       "Put a contribution on the room display (one at a time); without --contribution, take it "
       "off. Chair only.",
       {{"contribution_id", "--contribution", "contribution id (omitted: take it off)"}}},
  };
}

// The descriptor of the message a verb fills (e.g. v1::RequestFloor).
const Descriptor& verb_message(const command_verb& verb) {
  const auto* field = v1::Command::descriptor()->FindFieldByName(verb.command_field);
  if (field == nullptr || field->message_type() == nullptr)
    throw std::logic_error("majlisctl: no Command case " + verb.command_field);
  return *field->message_type();
}

// Walks "a.b" from `type`: the last field, and the message types on the way.
const FieldDescriptor& resolve(const Descriptor& type, const std::string& path) {
  const Descriptor* current = &type;
  const FieldDescriptor* field = nullptr;
  std::size_t begin = 0;
  for (;;) {
    const auto dot = path.find('.', begin);
    const auto name = path.substr(begin, dot == std::string::npos ? std::string::npos : dot - begin);
    field = current == nullptr ? nullptr : current->FindFieldByName(name);
    if (field == nullptr) throw std::logic_error("majlisctl: no field " + path + " in " + type.name());
    if (dot == std::string::npos) return *field;
    current = field->message_type();
    begin = dot + 1;
  }
}

Message& parent_message(Message& root, const std::string& path) {
  Message* current = &root;
  std::size_t begin = 0;
  for (auto dot = path.find('.'); dot != std::string::npos; dot = path.find('.', begin)) {
    const auto* field = current->GetDescriptor()->FindFieldByName(path.substr(begin, dot - begin));
    current = current->GetReflection()->MutableMessage(current, field);
    begin = dot + 1;
  }
  return *current;
}

template <class Integer>
bool parse_integer(const std::string& text, Integer& out) {
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc{} && ptr == end;
}

// Sets (or adds, for a repeated field) one value; returns an error sentence or "".
std::string set_value(Message& message, const FieldDescriptor& field, const std::string& flag,
                      const std::string& text) {
  const auto* reflection = message.GetReflection();
  const bool repeated = field.is_repeated();
  const auto bad_integer = [&] { return flag + " expects an integer, not \"" + text + "\""; };
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      repeated ? reflection->AddString(&message, &field, text)
               : reflection->SetString(&message, &field, text);
      return {};
    case FieldDescriptor::CPPTYPE_BOOL: {
      if (text != "true" && text != "false") return flag + " expects true or false";
      repeated ? reflection->AddBool(&message, &field, text == "true")
               : reflection->SetBool(&message, &field, text == "true");
      return {};
    }
    case FieldDescriptor::CPPTYPE_INT32: {
      std::int32_t value = 0;
      if (!parse_integer(text, value)) return bad_integer();
      repeated ? reflection->AddInt32(&message, &field, value)
               : reflection->SetInt32(&message, &field, value);
      return {};
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      std::int64_t value = 0;
      if (!parse_integer(text, value)) return bad_integer();
      repeated ? reflection->AddInt64(&message, &field, value)
               : reflection->SetInt64(&message, &field, value);
      return {};
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      std::uint32_t value = 0;
      if (!parse_integer(text, value)) return flag + " expects a whole number >= 0, not \"" + text + "\"";
      repeated ? reflection->AddUInt32(&message, &field, value)
               : reflection->SetUInt32(&message, &field, value);
      return {};
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      std::uint64_t value = 0;
      if (!parse_integer(text, value)) return flag + " expects a whole number >= 0, not \"" + text + "\"";
      repeated ? reflection->AddUInt64(&message, &field, value)
               : reflection->SetUInt64(&message, &field, value);
      return {};
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const auto number = parse_enum_choice(*field.enum_type(), text);
      if (!number) {
        std::string choices;
        for (const auto& choice : enum_choices(*field.enum_type()))
          choices += (choices.empty() ? "" : ", ") + choice;
        return flag + " must be one of " + choices + ", not \"" + text + "\"";
      }
      repeated ? reflection->AddEnumValue(&message, &field, *number)
               : reflection->SetEnumValue(&message, &field, *number);
      return {};
    }
    default:
      return flag + ": this kind of field cannot be set from the command line";
  }
}

}  // namespace

const std::vector<command_verb>& command_verbs() {
  static const std::vector<command_verb> verbs = make_verbs();
  return verbs;
}

option_shape shape_of(const command_verb& verb, const option_spec& option) {
  const auto& field = resolve(verb_message(verb), option.field);
  option_shape shape;
  shape.repeated = field.is_repeated();
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_BOOL:
      shape.kind = option_kind::flag;
      break;
    case FieldDescriptor::CPPTYPE_ENUM:
      shape.kind = option_kind::choice;
      shape.choices = enum_choices(*field.enum_type());
      break;
    case FieldDescriptor::CPPTYPE_STRING:
      shape.kind = option_kind::text;
      break;
    case FieldDescriptor::CPPTYPE_MESSAGE:
      throw std::logic_error("majlisctl: option " + option.flag + " is bound to a message");
    default:
      shape.kind = option_kind::integer;
      break;
  }
  return shape;
}

std::variant<v1::Command, std::string> build_command(const command_verb& verb,
                                                     const option_values& values) {
  v1::Command command;
  const auto* case_field = v1::Command::descriptor()->FindFieldByName(verb.command_field);
  if (case_field == nullptr) return "unknown command " + verb.command_field;
  // Setting the case even when the message stays empty: StartMeeting{} is a command too.
  auto* body = command.GetReflection()->MutableMessage(&command, case_field);
  for (const auto& option : verb.options) {
    const auto& field = resolve(*body->GetDescriptor(), option.field);
    std::vector<std::string> given;
    if (const auto it = values.find(option.field); it != values.end()) given = it->second;
    if (given.empty() && !option.default_value.empty()) given.push_back(option.default_value);
    if (given.empty()) {
      if (option.required) return option.flag + " is required";
      continue;
    }
    if (!field.is_repeated() && given.size() > 1)
      return option.flag + " may be given only once";
    auto& target = parent_message(*body, option.field);
    for (const auto& text : given) {
      if (auto error = set_value(target, field, option.flag, text); !error.empty()) return error;
    }
  }
  return command;
}

}  // namespace majlis::ctl
