#include "command_sequence.hpp"

#include <algorithm>
#include <iterator>
#include <numeric>
#include <set>
#include <utility>

#include <google/protobuf/util/message_differencer.h>

#include "state_lookup.hpp"

namespace majlis::domain::testing {
namespace {

std::string describe(const v1::Event& event) {
  return event.ShortDebugString();
}

// A view as it can be compared between a mirror and a projected snapshot: the viewer's own
// choices come from their own commands, not from events; hidden contributions stay on a
// mirror (flagged) but leave a snapshot.
void normalise(v1::MeetingState& view) {
  for (auto& poll : *view.mutable_polls()) poll.clear_my_choices();
  auto& contributions = *view.mutable_contributions();
  for (int i = contributions.size() - 1; i >= 0; --i) {
    if (contributions.Get(i).hidden()) erase_at(contributions, i);
  }
}

}  // namespace

std::optional<std::string> check_invariants(const v1::MeetingState& state) {
  int floors = 0;
  for (const auto& item : state.agenda()) {
    const auto& list = item.speakers();
    std::set<std::pair<std::string, int>> kinds;
    std::set<std::string> ids;
    for (const auto& entry : list.waiting()) {
      if (!kinds.insert({entry.participant_id(), entry.kind()}).second) {
        return "two waiting requests of one kind for " + entry.participant_id() + " on " +
               item.id();
      }
      if (!ids.insert(entry.id()).second) return "entry id twice: " + entry.id();
      if (entry.reason().empty()) return "entry without a reason: " + entry.id();
    }
    if (list.floor_taken()) {
      ++floors;
      if (list.floor().participant_id().empty()) return "a floor without a speaker";
    }
  }
  if (floors > 1) return "more than one floor in the meeting";
  if (!state.current_item_id().empty()) {
    const v1::AgendaItem* current = find_item(state, state.current_item_id());
    if (current == nullptr || current->status() != v1::AGENDA_ITEM_STATUS_ACTIVE) {
      return "the current item is not an active item";
    }
  }
  for (const auto& poll : state.polls()) {
    if (poll.secrecy() == v1::POLL_SECRECY_SECRET && !poll.ballots().empty()) {
      return "a secret poll stores ballots: " + poll.id();
    }
    std::set<std::string> voters(poll.voter_ids().begin(), poll.voter_ids().end());
    if (voters.size() != static_cast<std::size_t>(poll.voter_ids_size())) {
      return "a voter counted twice in " + poll.id();
    }
    const uint64_t sum = std::accumulate(poll.tally().begin(), poll.tally().end(), uint64_t{0});
    const uint64_t n = voters.size();
    if (poll.tally_size() != poll.options_size()) return "tally size differs from options";
    if (poll.kind() != v1::POLL_KIND_MULTIPLE && sum != n) {
      return "single-choice tally " + std::to_string(sum) + " for " + std::to_string(n) +
             " voters in " + poll.id();
    }
    if (poll.kind() == v1::POLL_KIND_MULTIPLE &&
        (sum < n * poll.min_choices() || sum > n * poll.max_choices())) {
      return "multiple-choice tally out of bounds in " + poll.id();
    }
    if (poll.secrecy() == v1::POLL_SECRECY_NAMED && poll.ballots_size() != poll.voter_ids_size()) {
      return "named poll ballots differ from voters in " + poll.id();
    }
  }
  uint64_t group_turns = 0;
  uint64_t attendance_turns = 0;
  for (const auto& f : state.equity().by_group()) group_turns += f.turns();
  for (const auto& f : state.equity().by_attendance()) attendance_turns += f.turns();
  if (group_turns != static_cast<uint64_t>(state.interventions_size()) ||
      attendance_turns != group_turns) {
    return "equity turns differ from interventions";
  }
  for (const auto& c : state.contributions()) {
    if (c.upvotes() != static_cast<uint32_t>(c.upvoter_ids_size())) return "upvote count drift";
  }
  if (!state.on_screen_contribution_id().empty()) {
    const v1::Contribution* shown = find_contribution(state, state.on_screen_contribution_id());
    if (shown == nullptr || shown->hidden()) {
      return "the display shows a missing or hidden contribution";
    }
  }
  for (const auto& p : state.participants()) {
    if (p.connection_count() != static_cast<uint32_t>(p.connection_ids_size()) ||
        p.online() != (p.connection_count() > 0)) {
      return "connection count drift for " + p.id();
    }
  }
  return std::nullopt;
}

command_sequence::command_sequence(bool may_end_meeting) : may_end_meeting_(may_end_meeting) {
  std::vector<v1::Event> events = {meeting_created("m", "Fuzz", {"ar"}, {}, now_ms_)};
  events[0].clear_seq();
  apply(events, nullptr);
  struct person {
    const char* id;
    v1::Role role;
    const char* group;
    v1::Attendance attendance;
  };
  const person people[] = {
      {"chair", v1::ROLE_MODERATOR, "civil_society", v1::ATTENDANCE_IN_ROOM},
      {"p1", v1::ROLE_PARTICIPANT, "government", v1::ATTENDANCE_IN_ROOM},
      {"p2", v1::ROLE_PARTICIPANT, "academia", v1::ATTENDANCE_REMOTE},
      {"p3", v1::ROLE_PARTICIPANT, "government", v1::ATTENDANCE_REMOTE},
      {"p4", v1::ROLE_PARTICIPANT, "", v1::ATTENDANCE_IN_ROOM},
      {"screen", v1::ROLE_DISPLAY, "", v1::ATTENDANCE_IN_ROOM},
      {"press", v1::ROLE_OBSERVER, "", v1::ATTENDANCE_REMOTE},
  };
  for (const auto& p : people) {
    v1::Participant who;
    who.set_id(p.id);
    who.set_display_name(p.id);
    who.set_role(p.role);
    who.set_stakeholder_group(p.group);
    who.set_attendance(p.attendance);
    auto joined =
        connection_opened(state_, who, "c" + std::to_string(++connections_), "i", now_ms_);
    apply(joined, nullptr);
    actors_.push_back({p.id, p.role});
  }
  actors_.push_back({"", v1::ROLE_UNSPECIFIED});          // the system
  actors_.push_back({"stranger", v1::ROLE_PARTICIPANT});  // not on the roster
  // Live with two items, the first under way: most sequences then reach floors and polls.
  // Starting and ending the meeting stay among the commands, for the other phases.
  const command_context chair{"chair", v1::ROLE_MODERATOR, now_ms_, "item-a"};
  v1::Command command;
  command.mutable_start_meeting();
  decide_and_apply(command, chair);
  command.mutable_add_agenda_item()->set_title("First");
  decide_and_apply(command, chair);
  command.mutable_add_agenda_item()->set_title("Second");
  decide_and_apply(command, command_context{"chair", v1::ROLE_MODERATOR, now_ms_, "item-b"});
  command.mutable_start_agenda_item()->set_item_id("item-a");
  decide_and_apply(command, chair);
  mirrors_.push_back({audience::moderator, "chair", {}});
  mirrors_.push_back({audience::participant, "p1", {}});
  mirrors_.push_back({audience::public_view, "", {}});
  mirrors_.push_back({audience::display, "", {}});
  for (auto& m : mirrors_) m.state = project_state(state_, m.who, m.viewer_id);
}

void command_sequence::fail(std::string what) {
  if (!violation_) violation_ = std::move(what);
}

std::string command_sequence::pick_item(byte_reader& bytes) const {
  const uint32_t n = static_cast<uint32_t>(state_.agenda_size());
  const uint32_t k = bytes.below(n + 2);
  if (k < n) return state_.agenda(static_cast<int>(k)).id();
  return k == n ? "" : "ghost";
}

std::string command_sequence::pick_poll(byte_reader& bytes) const {
  const uint32_t n = static_cast<uint32_t>(state_.polls_size());
  if (n > 0 && bytes.chance(2)) return state_.polls(static_cast<int>(n - 1)).id();  // the latest
  const uint32_t k = bytes.below(n + 1);
  return k < n ? state_.polls(static_cast<int>(k)).id() : "ghost";
}

std::string command_sequence::pick_entry(byte_reader& bytes) const {
  std::vector<std::string> ids;
  for (const auto& item : state_.agenda()) {
    for (const auto& entry : item.speakers().waiting()) ids.push_back(entry.id());
  }
  const uint32_t k = bytes.below(static_cast<uint32_t>(ids.size()) + 1);
  return k < ids.size() ? ids[k] : "ghost";
}

std::string command_sequence::pick_contribution(byte_reader& bytes) const {
  const uint32_t n = static_cast<uint32_t>(state_.contributions_size());
  const uint32_t k = bytes.below(n + 1);
  return k < n ? state_.contributions(static_cast<int>(k)).id() : "ghost";
}

std::string command_sequence::pick_participant(byte_reader& bytes) const {
  const uint32_t n = static_cast<uint32_t>(state_.participants_size());
  const uint32_t k = bytes.below(n + 2);
  if (k < n) return state_.participants(static_cast<int>(k)).id();
  return k == n ? "" : "ghost";
}

std::string command_sequence::random_code(byte_reader& bytes) const {
  std::string code;
  for (int i = 0; i < 6; ++i) code += static_cast<char>('0' + bytes.below(10));
  return code;
}

std::string command_sequence::pick_text(byte_reader& bytes) const {
  switch (bytes.below(8)) {
    case 0:
      return "";
    case 1:
      return "  ";
    case 2:
      return "فاطمة الزهراء";
    case 3:
      return std::string("\xD8\xA7\xD8", 3);
    case 4:
      return std::string(201, 'x');
    default:
      return "text " + std::to_string(bytes.byte());
  }
}

v1::Command command_sequence::make_command(byte_reader& bytes) {
  using K = v1::Command::KindCase;
  // Half the time a command that moves the meeting along (polls, floor, contributions), so
  // sequences reach deep states; otherwise any command at all.
  static constexpr K busy[] = {K::kCreatePoll,         K::kOpenPoll,        K::kCastBallot,
                               K::kCastBallot,         K::kCastBallot,      K::kClosePoll,
                               K::kPublishPoll,        K::kRequestFloor,    K::kRequestFloor,
                               K::kNextSpeaker,        K::kEndTurn,         K::kSubmitContribution,
                               K::kUpvoteContribution, K::kMarkContribution};
  const auto* oneof = v1::Command::descriptor()->FindOneofByName("kind");
  const google::protobuf::FieldDescriptor* field = nullptr;
  if (bytes.chance(2)) {
    field = v1::Command::descriptor()->FindFieldByNumber(
        static_cast<int>(busy[bytes.below(std::size(busy))]));
  } else {
    field =
        oneof->field(static_cast<int>(bytes.below(static_cast<uint32_t>(oneof->field_count()))));
  }
  v1::Command command;
  command.GetReflection()->MutableMessage(&command, field);
  // Ending the meeting stops everything else; keep it rare so sequences go deep.
  if (command.kind_case() == K::kEndMeeting && (!may_end_meeting_ || !bytes.chance(8))) {
    command.mutable_next_speaker();
  }
  const auto limit = [&] { return static_cast<int64_t>(bytes.below(4)) * 30'000 - 1; };
  const auto position = [&] { return static_cast<int32_t>(bytes.below(6)) - 1; };
  switch (command.kind_case()) {
    case K::kUpdateMeeting:
      if (bytes.chance(2)) command.mutable_update_meeting()->set_title(pick_text(bytes));
      if (bytes.chance(4)) command.mutable_update_meeting()->add_stakeholder_groups("academia");
      break;
    case K::kSetQueuePolicy: {
      auto& policy = *command.mutable_set_queue_policy()->mutable_policy();
      const uint32_t bits = bytes.below(8);
      policy.set_first_time_first((bits & 1U) != 0);
      policy.set_alternate_attendance((bits & 2U) != 0);
      policy.set_stakeholder_balance((bits & 4U) != 0);
      break;
    }
    case K::kSetDefaultSpeakingTime:
      command.mutable_set_default_speaking_time()->set_time_limit_ms(limit());
      break;
    case K::kAddWalkIn:
      command.mutable_add_walk_in()->set_display_name(pick_text(bytes));
      if (bytes.chance(2)) command.mutable_add_walk_in()->set_stakeholder_group("academia");
      break;
    case K::kUpdateParticipant: {
      auto& body = *command.mutable_update_participant();
      body.set_participant_id(pick_participant(bytes));
      body.set_attendance(static_cast<v1::Attendance>(bytes.below(3)));
      if (bytes.chance(3)) body.set_stakeholder_group("private_sector");
      break;
    }
    case K::kAddAgendaItem:
      command.mutable_add_agenda_item()->set_title(pick_text(bytes));
      command.mutable_add_agenda_item()->set_position(position());
      break;
    case K::kUpdateAgendaItem:
      command.mutable_update_agenda_item()->set_item_id(pick_item(bytes));
      command.mutable_update_agenda_item()->set_title(pick_text(bytes));
      break;
    case K::kMoveAgendaItem:
      command.mutable_move_agenda_item()->set_item_id(pick_item(bytes));
      command.mutable_move_agenda_item()->set_position(position());
      break;
    case K::kRemoveAgendaItem:
      command.mutable_remove_agenda_item()->set_item_id(pick_item(bytes));
      break;
    case K::kStartAgendaItem:
      command.mutable_start_agenda_item()->set_item_id(pick_item(bytes));
      break;
    case K::kCloseAgendaItem:
      command.mutable_close_agenda_item()->set_item_id(pick_item(bytes));
      command.mutable_close_agenda_item()->set_skipped(bytes.chance(2));
      break;
    case K::kReopenAgendaItem:
      command.mutable_reopen_agenda_item()->set_item_id(pick_item(bytes));
      break;
    case K::kRecordDecision:
      command.mutable_record_decision()->set_item_id(pick_item(bytes));
      command.mutable_record_decision()->set_text(pick_text(bytes));
      break;
    case K::kRecordActionItem:
      command.mutable_record_action_item()->set_item_id(pick_item(bytes));
      command.mutable_record_action_item()->set_text(pick_text(bytes));
      command.mutable_record_action_item()->set_due_date(bytes.chance(2) ? "2026-02-29"
                                                                         : "2026-03-01");
      break;
    case K::kRequestFloor: {
      auto& body = *command.mutable_request_floor();
      body.set_kind(static_cast<v1::RequestKind>(bytes.below(4)));
      if (bytes.chance(3)) body.set_participant_id(pick_participant(bytes));
      if (bytes.chance(4)) body.set_item_id(pick_item(bytes));
      break;
    }
    case K::kWithdrawRequest:
      command.mutable_withdraw_request()->set_entry_id(pick_entry(bytes));
      break;
    case K::kMoveRequest:
      command.mutable_move_request()->set_entry_id(pick_entry(bytes));
      command.mutable_move_request()->set_position(position());
      break;
    case K::kSetListClosed:
      command.mutable_set_list_closed()->set_closed(bytes.chance(2));
      break;
    case K::kNextSpeaker:
      command.mutable_next_speaker()->set_time_limit_ms(limit());
      break;
    case K::kGrantFloor:
      command.mutable_grant_floor()->set_participant_id(pick_participant(bytes));
      command.mutable_grant_floor()->set_time_limit_ms(limit());
      break;
    case K::kSetTurnTimeLimit:
      command.mutable_set_turn_time_limit()->set_time_limit_ms(limit());
      break;
    case K::kCreatePoll: {
      auto& body = *command.mutable_create_poll();
      body.set_question(bytes.chance(5) ? pick_text(bytes) : "Question?");
      body.set_kind(static_cast<v1::PollKind>(bytes.below(4)));
      body.set_secrecy(static_cast<v1::PollSecrecy>(bytes.below(3)));
      body.set_visibility(static_cast<v1::ResultsVisibility>(bytes.below(4)));
      const uint32_t options = bytes.chance(4) ? bytes.below(3) : 2 + bytes.below(3);
      for (uint32_t i = 0; i < options; ++i) body.add_options("option " + std::to_string(i));
      body.set_min_choices(bytes.chance(4) ? bytes.below(3) : 1);
      body.set_max_choices(body.min_choices() + bytes.below(3));
      if (bytes.chance(3)) body.set_deadline_ms(now_ms_ + bytes.below(8) * 10'000);
      break;
    }
    case K::kOpenPoll:
      command.mutable_open_poll()->set_poll_id(pick_poll(bytes));
      break;
    case K::kClosePoll:
      command.mutable_close_poll()->set_poll_id(pick_poll(bytes));
      break;
    case K::kPublishPoll:
      command.mutable_publish_poll()->set_poll_id(pick_poll(bytes));
      break;
    case K::kDeletePoll:
      command.mutable_delete_poll()->set_poll_id(pick_poll(bytes));
      break;
    case K::kCastBallot: {
      auto& body = *command.mutable_cast_ballot();
      body.set_poll_id(pick_poll(bytes));
      const uint32_t count = bytes.chance(2) ? 1 : bytes.below(4);
      for (uint32_t i = 0; i < count; ++i) body.add_choices(bytes.below(count == 1 ? 3 : 5));
      break;
    }
    case K::kSubmitContribution:
      command.mutable_submit_contribution()->set_text(pick_text(bytes));
      break;
    case K::kUpvoteContribution:
      command.mutable_upvote_contribution()->set_contribution_id(pick_contribution(bytes));
      break;
    case K::kMarkContribution:
      command.mutable_mark_contribution()->set_contribution_id(pick_contribution(bytes));
      command.mutable_mark_contribution()->set_answered(bytes.chance(2));
      command.mutable_mark_contribution()->set_hidden(bytes.chance(2));
      break;
    case K::kShowContribution:
      // Now and then an empty id: taking the contribution off the display.
      if (!bytes.chance(4)) {
        command.mutable_show_contribution()->set_contribution_id(pick_contribution(bytes));
      }
      break;
    case K::kVerifyParticipant:
      command.mutable_verify_participant()->set_participant_id(pick_participant(bytes));
      break;
    case K::kAnswerParticipantRequest:
      command.mutable_answer_participant_request()->set_participant_id(pick_participant(bytes));
      command.mutable_answer_participant_request()->set_accept(bytes.chance(2));
      break;
    case K::kSetCheckIn:
      command.mutable_set_check_in()->set_open(!bytes.chance(3));
      break;
    case K::kCheckIn: {
      const auto& check_in = state_.check_in();
      const uint32_t pick = bytes.below(3);
      command.mutable_check_in()->set_code(pick == 0   ? check_in.code()
                                           : pick == 1 ? check_in.previous_code()
                                                       : std::string("123456"));
      break;
    }
    case K::kRotateCheckInCode:
      command.mutable_rotate_check_in_code()->set_code(bytes.chance(4) ? "12a456"
                                                                        : random_code(bytes));
      break;
    case K::kSetRegistration:
      command.mutable_set_registration()->set_mode(static_cast<v1::RegistrationMode>(bytes.below(4)));
      command.mutable_set_registration()->set_registration_cap(bytes.below(4));
      break;
    case K::kAdmitParticipant:
      command.mutable_admit_participant()->set_participant_id(pick_participant(bytes));
      break;
    case K::kRemoveParticipant:
      // Rare: a removal takes a voice out of every later step.
      if (bytes.chance(4)) {
        command.mutable_remove_participant()->set_participant_id(pick_participant(bytes));
      }
      break;
    default:
      break;  // commands without fields
  }
  return command;
}

bool command_sequence::step(byte_reader& bytes) {
  if (violation_) return false;
  now_ms_ += static_cast<int64_t>(bytes.below(16)) * 5'000;
  switch (bytes.below(16)) {
    case 0: {  // someone connects or disconnects
      const auto& a = actors_[bytes.below(static_cast<uint32_t>(actors_.size()))];
      const v1::Participant* known = find_participant(state_, a.id);
      std::vector<v1::Event> events;
      if (known != nullptr && !known->connection_ids().empty() && bytes.chance(2)) {
        events = connection_closed(state_, a.id, known->connection_ids(0), "i", now_ms_);
      } else if (!a.id.empty()) {
        v1::Participant who;
        who.set_id(a.id);
        who.set_display_name(a.id);
        who.set_role(a.role);
        events = connection_opened(state_, who, "c" + std::to_string(++connections_), "i", now_ms_);
      }
      apply(events, nullptr);
      break;
    }
    case 1: {  // a deadline passes: the system proposes what is due
      const command_context system{"", v1::ROLE_UNSPECIFIED, now_ms_, ""};
      for (auto command : due_commands(state_, now_ms_)) {
        // The replica fills in a random code; here the bytes do.
        if (command.has_rotate_check_in_code()) {
          command.mutable_rotate_check_in_code()->set_code(random_code(bytes));
        }
        decide_and_apply(command, system);
      }
      break;
    }
    default: {
      const v1::Command command = make_command(bytes);
      const auto& a =
          actors_[bytes.chance(3) ? 0 : bytes.below(static_cast<uint32_t>(actors_.size()))];
      const command_context context{a.id, a.role, now_ms_, "f" + std::to_string(++fresh_)};
      decide_and_apply(command, context);
    }
  }
  // A refused command changed nothing: nothing new to check.
  if (!violation_ && state_.seq() != checked_seq_) {
    checked_seq_ = state_.seq();
    if (auto broken = check_invariants(state_)) fail(*broken);
    if (!violation_) check_mirrors();
  }
  return !violation_;
}

void command_sequence::run(byte_reader& bytes, std::size_t max_steps) {
  for (std::size_t i = 0; i < max_steps && !bytes.done(); ++i) {
    if (!step(bytes)) return;
  }
}

void command_sequence::decide_and_apply(const v1::Command& command,
                                        const command_context& context) {
  decision result = decide(state_, command, context);
  const decision again = decide(state_, command, context);
  if (result.index() != again.index()) return fail("decide is not deterministic");
  if (auto* refused = std::get_if<rejection>(&result)) {
    ++refused_;
    if (refused->code == v1::ERROR_CODE_UNSPECIFIED || refused->message.empty()) {
      fail("a rejection without code or message for " + command.ShortDebugString());
    }
    return;
  }
  auto& events = std::get<std::vector<v1::Event>>(result);
  const auto& repeat = std::get<std::vector<v1::Event>>(again);
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (events[i].SerializeAsString() != repeat[i].SerializeAsString()) {
      return fail("decide is not deterministic for " + command.ShortDebugString());
    }
  }
  ++accepted_;
  apply(events, &context);
}

void command_sequence::apply(std::vector<v1::Event>& events, const command_context* context) {
  for (auto& event : events) {
    if (event.seq() != 0) return fail("decide set a seq: " + describe(event));
    if (context != nullptr &&
        (event.at_ms() != context->now_ms || event.actor_id() != context->actor_id)) {
      return fail("an event not stamped with the context: " + describe(event));
    }
    const uint64_t before = state_.seq();
    event.set_seq(before + 1);
    evolve(state_, event);
    if (state_.seq() != before + 1) return fail("seq did not advance");
    log_.push_back(event);
    for (auto& m : mirrors_) {
      v1::Event out;
      if (!project_event(state_, event, m.who, out)) {
        out.Clear();
        out.set_seq(event.seq());
      }
      if (out.seq() != event.seq()) return fail("a projection changed the seq");
      if (out.has_ballot_cast()) {
        const v1::Poll* poll = find_poll(state_, out.ballot_cast().poll_id());
        if (poll != nullptr && poll->secrecy() == v1::POLL_SECRECY_SECRET &&
            !out.ballot_cast().choices().empty()) {
          return fail("a secret ballot's choices were projected");
        }
      }
      if (out.has_poll_published() && !out.poll_published().ballots().empty()) {
        const v1::Poll* poll = find_poll(state_, out.poll_published().poll_id());
        if (poll != nullptr && poll->secrecy() == v1::POLL_SECRECY_SECRET) {
          return fail("a secret poll's ballots were published");
        }
      }
      evolve(m.state, out);
    }
  }
}

void command_sequence::check_mirrors() {
  for (auto& m : mirrors_) {
    v1::MeetingState expected = project_state(state_, m.who, m.viewer_id);
    v1::MeetingState actual = m.state;
    normalise(expected);
    normalise(actual);
    for (const auto& poll : expected.polls()) {
      if (poll.secrecy() == v1::POLL_SECRECY_SECRET && !poll.ballots().empty()) {
        return fail("a projected state carries secret ballots");
      }
    }
    if (expected.SerializeAsString() == actual.SerializeAsString()) continue;
    google::protobuf::util::MessageDifferencer differ;
    std::string report;
    differ.ReportDifferencesToString(&report);
    if (!differ.Compare(expected, actual)) {
      return fail("mirror of audience " + std::to_string(static_cast<int>(m.who)) +
                  " drifted from the projected state:\n" + report);
    }
  }
}

}  // namespace majlis::domain::testing
