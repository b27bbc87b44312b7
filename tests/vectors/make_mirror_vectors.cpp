// make_mirror_vectors: the shared test vectors that hold the web client's mirror
// (client-sdk/web/mirror.js) to the domain's evolve (DESIGN §6).
//
//   make_mirror_vectors <out-dir>
//
// Builds a few meetings deterministically (scripted scenarios that reach every event kind, and
// pseudo-random command sequences from fixed seeds), then writes, for each meeting and each
// audience, <meeting>.<audience>.json:
//
//   {"scenario", "audience", "viewer",
//    "initial": the projected snapshot at seq k,
//    "events":  the projected events k+1..n (redacted stubs included),
//    "final":   the projected snapshot at seq n}
//
// in the protobuf JSON mapping with default options (lowerCamelCase, defaults omitted, enums
// by name, 64-bit integers as strings), as majlisd sends them. my_choices is cleared in both
// snapshots: events carry no per-viewer data. Before writing, the domain's own evolve replays
// every vector, so a vector the C++ mirror cannot reproduce is never committed.
//
// Output is byte-for-byte deterministic; tests/vectors/check_fresh.cmake (CTest
// mirror_vectors_fresh) regenerates it and diffs it against tests/vectors/mirror/.
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <stdexcept>
#include <tuple>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>

#include "command_sequence.hpp"  // byte_reader, check_invariants, command_sequence
#include "decider.hpp"
#include "meeting_builder.hpp"  // command builders
#include "projection.hpp"

namespace majlis::domain::vectors {
namespace {

namespace fs = std::filesystem;
using testing::byte_reader;

constexpr int64_t start_ms = 1'700'000'000'000;

[[noreturn]] void die(const std::string& what) {
  throw std::runtime_error(what);
}

// One meeting: decide commands as someone, apply the events with seq numbers, keep the log.
// A refused command in a script is a bug in the script: it stops the generator.
class meeting {
 public:
  explicit meeting(std::string name, std::vector<std::string> groups = {})
      : name_(std::move(name)) {
    std::vector<v1::Event> created = {
        meeting_created("m-" + name_, "Vectors: " + name_, {"ar", "en"}, groups, now_ms)};
    created[0].clear_seq();
    apply(created);
  }

  // A meeting recorded elsewhere (a random walk): its state and its log, seq 1 onwards.
  meeting(std::string name, v1::MeetingState recorded, std::vector<v1::Event> events)
      : state(std::move(recorded)), log(std::move(events)), name_(std::move(name)) {}

  const std::string& name() const { return name_; }

  v1::MeetingState state;
  std::vector<v1::Event> log;    // every applied event, with its seq
  uint64_t mark = 0;             // the seq of the initial snapshot
  std::vector<uint64_t> checks;  // seqs between mark and the end where the state is recorded too
  int64_t now_ms = start_ms;
  bool with_display = false;      // also written for the display audience (check-in codes)

  // Who has the floor now (empty if nobody).
  std::string speaker() const {
    for (const auto& item : state.agenda()) {
      if (item.speakers().floor_taken()) return item.speakers().floor().participant_id();
    }
    return "";
  }

  // The vectors start from the state as it is now.
  void begin() { mark = state.seq(); }
  // The vectors also record the state as it is now (after the events so far), so that what
  // later events would undo — a reorder, a pause — is still compared.
  void check() {
    if (state.seq() > mark && (checks.empty() || checks.back() < state.seq())) {
      checks.push_back(state.seq());
    }
  }
  void advance(int64_t ms) { now_ms += ms; }

  // Decides and applies; returns the fresh id the command could use (the id of what it
  // created, if anything). Stops the generator if the domain refuses.
  std::string run(const v1::Command& command, const std::string& actor = testing::chair_id,
                  v1::Role role = v1::ROLE_MODERATOR, const std::string& fresh = "") {
    const std::string id = fresh.empty() ? "f" + std::to_string(++fresh_) : fresh;
    decision result = decide(state, command, command_context{actor, role, now_ms, id});
    if (const auto* refused = std::get_if<rejection>(&result)) {
      die(name_ + ": refused (" + v1::ErrorCode_Name(refused->code) + ": " + refused->message +
          "): " + command.ShortDebugString());
    }
    apply(std::get<std::vector<v1::Event>>(result));
    return id;
  }

  // Decides and applies if the domain accepts; a refusal changes nothing.
  bool attempt(const v1::Command& command, const std::string& actor, v1::Role role) {
    const std::string id = "r" + std::to_string(++fresh_);
    decision result = decide(state, command, command_context{actor, role, now_ms, id});
    if (std::holds_alternative<rejection>(result)) return false;
    apply(std::get<std::vector<v1::Event>>(result));
    return true;
  }

  // Someone connects, as the runtime does on join (added to the roster on first sight).
  void join(const std::string& id, const std::string& display_name,
            v1::Role role = v1::ROLE_PARTICIPANT, const std::string& group = "",
            v1::Attendance attendance = v1::ATTENDANCE_REMOTE) {
    v1::Participant who;
    who.set_id(id);
    who.set_display_name(display_name);
    who.set_role(role);
    who.set_stakeholder_group(group);
    who.set_attendance(attendance);
    apply(connection_opened(state, who, "conn-" + std::to_string(++connections_), "instance-a",
                            now_ms));
  }

  // Someone's oldest connection closes.
  void leave(const std::string& id) {
    const v1::Participant* p = nullptr;
    for (const auto& x : state.participants()) {
      if (x.id() == id) p = &x;
    }
    if (p == nullptr || p->connection_ids().empty()) die(name_ + ": " + id + " is not connected");
    apply(connection_closed(state, id, p->connection_ids(0), "instance-a", now_ms));
  }

  // Presence gathered into one PresenceChanged, as the runtime writes it now: `joins` are
  // (id, name, role) opening a new connection, `leaves` close someone's oldest connection.
  void presence(const std::vector<std::tuple<std::string, std::string, v1::Role>>& joins,
                const std::vector<std::string>& leaves,
                const std::vector<std::tuple<std::string, uint32_t, uint32_t>>& audience) {
    std::vector<presence_change> changes;
    for (const auto& [id, name, role] : joins) {
      presence_change change;
      change.who.set_id(id);
      change.who.set_display_name(name);
      change.who.set_role(role);
      change.who.set_attendance(v1::ATTENDANCE_REMOTE);
      change.connection_id = "conn-" + std::to_string(++connections_);
      changes.push_back(std::move(change));
    }
    for (const auto& id : leaves) {
      const v1::Participant* p = nullptr;
      for (const auto& x : state.participants()) {
        if (x.id() == id) p = &x;
      }
      if (p == nullptr || p->connection_ids().empty()) die(name_ + ": " + id + " is not connected");
      presence_change change;
      change.opened = false;
      change.who.set_id(id);
      change.connection_id = p->connection_ids(0);
      changes.push_back(std::move(change));
    }
    std::vector<v1::AudienceCount> counts;
    for (const auto& [instance, observers, displays] : audience) {
      v1::AudienceCount count;
      count.set_instance_id(instance);
      count.set_observers(observers);
      count.set_displays(displays);
      counts.push_back(std::move(count));
    }
    auto event = presence_changed(state, changes, counts, "instance-a", now_ms);
    if (!event) die(name_ + ": a presence change that changes nothing");
    apply({std::move(*event)});
  }

  // Time passes: the system proposes what is due (poll deadlines) and the log takes it.
  void run_due() {
    for (const auto& command : due_commands(state, now_ms)) run(command, "", v1::ROLE_UNSPECIFIED);
  }

  void apply(std::vector<v1::Event> events) {
    for (auto& event : events) {
      event.set_seq(state.seq() + 1);
      evolve(state, event);
      log.push_back(event);
    }
    if (auto broken = testing::check_invariants(state))
      die(name_ + ": invariant broken: " + *broken);
  }

 private:
  std::string name_;
  int fresh_ = 0;
  int connections_ = 0;
};

// ---- commands --------------------------------------------------------------------------------

v1::Command start_meeting() {
  v1::Command c;
  c.mutable_start_meeting();
  return c;
}
v1::Command end_meeting() {
  v1::Command c;
  c.mutable_end_meeting();
  return c;
}
v1::Command add_item(const std::string& title, int32_t position = -1, uint32_t minutes = 0,
                     const std::string& presenter = "") {
  v1::Command c = testing::add_agenda_item(title, position);
  c.mutable_add_agenda_item()->set_planned_minutes(minutes);
  c.mutable_add_agenda_item()->set_presenter(presenter);
  return c;
}
v1::Command item_command(const std::string& which, const std::string& item_id) {
  v1::Command c;
  if (which == "start") c.mutable_start_agenda_item()->set_item_id(item_id);
  if (which == "close") c.mutable_close_agenda_item()->set_item_id(item_id);
  if (which == "skip") {
    c.mutable_close_agenda_item()->set_item_id(item_id);
    c.mutable_close_agenda_item()->set_skipped(true);
  }
  if (which == "reopen") c.mutable_reopen_agenda_item()->set_item_id(item_id);
  if (which == "remove") c.mutable_remove_agenda_item()->set_item_id(item_id);
  return c;
}
v1::Command pause_floor() {
  v1::Command c;
  c.mutable_pause_floor();
  return c;
}
v1::Command resume_floor() {
  v1::Command c;
  c.mutable_resume_floor();
  return c;
}
v1::Command turn_time_limit(int64_t ms) {
  v1::Command c;
  c.mutable_set_turn_time_limit()->set_time_limit_ms(ms);
  return c;
}
v1::Command default_speaking_time(int64_t ms) {
  v1::Command c;
  c.mutable_set_default_speaking_time()->set_time_limit_ms(ms);
  return c;
}
v1::Command update_participant(const std::string& id, const std::string& display_name,
                               const std::string& group, v1::Attendance attendance) {
  v1::Command c;
  auto& body = *c.mutable_update_participant();
  body.set_participant_id(id);
  body.set_display_name(display_name);
  body.set_stakeholder_group(group);
  body.set_attendance(attendance);
  return c;
}
v1::Command walk_in(const std::string& display_name, const std::string& group) {
  v1::Command c;
  c.mutable_add_walk_in()->set_display_name(display_name);
  c.mutable_add_walk_in()->set_stakeholder_group(group);
  return c;
}
v1::Command withdraw(const std::string& entry_id) {
  v1::Command c;
  c.mutable_withdraw_request()->set_entry_id(entry_id);
  return c;
}
v1::Command move_request(const std::string& entry_id, int32_t position) {
  v1::Command c;
  c.mutable_move_request()->set_entry_id(entry_id);
  c.mutable_move_request()->set_position(position);
  return c;
}
v1::Command list_closed(bool closed) {
  v1::Command c;
  c.mutable_set_list_closed()->set_closed(closed);
  return c;
}
v1::Command delete_poll(const std::string& poll_id) {
  v1::Command c;
  c.mutable_delete_poll()->set_poll_id(poll_id);
  return c;
}

v1::Command set_registration(v1::RegistrationMode mode, uint32_t cap) {
  v1::Command c;
  c.mutable_set_registration()->set_mode(mode);
  c.mutable_set_registration()->set_registration_cap(cap);
  return c;
}
// The HTTP API's registration, proposed as the system after it checked the invite code.
v1::Command register_participant(const std::string& id, const std::string& display_name,
                                 const std::string& group, v1::Attendance attendance,
                                 const std::string& invite_nonce = "") {
  v1::Command c;
  auto& body = *c.mutable_register_participant();
  body.set_participant_id(id);
  body.set_display_name(display_name);
  body.set_stakeholder_group(group);
  body.set_attendance(attendance);
  body.set_invite_nonce(invite_nonce);
  return c;
}
v1::Command admit(const std::string& id, const std::string& group = "",
                  v1::Attendance attendance = v1::ATTENDANCE_UNSPECIFIED) {
  v1::Command c;
  c.mutable_admit_participant()->set_participant_id(id);
  c.mutable_admit_participant()->set_stakeholder_group(group);
  c.mutable_admit_participant()->set_attendance(attendance);
  return c;
}
v1::Command remove_participant(const std::string& id) {
  v1::Command c;
  c.mutable_remove_participant()->set_participant_id(id);
  return c;
}
v1::Command rotate_invite_code() {
  v1::Command c;
  c.mutable_rotate_invite_code();
  return c;
}
v1::Command verify(const std::string& id) {
  v1::Command c;
  c.mutable_verify_participant()->set_participant_id(id);
  return c;
}
v1::Command answer_request(const std::string& id, bool accept) {
  v1::Command c;
  c.mutable_answer_participant_request()->set_participant_id(id);
  c.mutable_answer_participant_request()->set_accept(accept);
  return c;
}
v1::Command set_check_in(bool open) {
  v1::Command c;
  c.mutable_set_check_in()->set_open(open);
  return c;
}
v1::Command check_in(const std::string& code) {
  v1::Command c;
  c.mutable_check_in()->set_code(code);
  return c;
}
// Proposed as the system when the code is due, with the code a replica drew.
v1::Command rotate_check_in_code(const std::string& code) {
  v1::Command c;
  c.mutable_rotate_check_in_code()->set_code(code);
  return c;
}

const std::string chair = testing::chair_id;
constexpr v1::Role participant = v1::ROLE_PARTICIPANT;

// The usual cast: the chair in the room, four participants across groups and attendance,
// a room display and a remote observer (the public audience). p1 is the participant viewer.
v1::Command show_on_display(const std::string& contribution_id) {
  v1::Command command;
  command.mutable_show_contribution()->set_contribution_id(contribution_id);
  return command;
}

void seat_everyone(meeting& m) {
  m.join(chair, "الرئيسة", v1::ROLE_MODERATOR, "civil_society", v1::ATTENDANCE_IN_ROOM);
  m.join("p1", "أمل", participant, "government", v1::ATTENDANCE_IN_ROOM);
  m.join("p2", "Bashir", participant, "civil_society", v1::ATTENDANCE_REMOTE);
  m.join("p3", "Camila", participant, "academia", v1::ATTENDANCE_IN_ROOM);
  m.join("p4", "Dmitri", participant, "private_sector", v1::ATTENDANCE_REMOTE);
  m.join("screen", "Room screen", v1::ROLE_DISPLAY, "", v1::ATTENDANCE_IN_ROOM);
  m.join("press", "Press", v1::ROLE_OBSERVER, "", v1::ATTENDANCE_REMOTE);
}

// ---- scripted scenarios ----------------------------------------------------------------------

// From an empty state: the meeting's life and its agenda.
meeting agenda_scenario() {
  meeting m("agenda");
  m.mark = 0;  // the mirror starts from nothing and sees meeting_created
  seat_everyone(m);
  v1::Command update;
  update.mutable_update_meeting()->set_title("Digital policy consultation — الجلسة الأولى");
  update.mutable_update_meeting()->add_languages("ar");
  update.mutable_update_meeting()->add_languages("fr");
  m.run(update);
  const std::string opening =
      m.run(add_item("Opening", -1, 5, "الرئيسة"), chair, v1::ROLE_MODERATOR, "item-opening");
  const std::string budget =
      m.run(add_item("Budget", -1, 30), chair, v1::ROLE_MODERATOR, "item-budget");
  const std::string misc =
      m.run(add_item("Any other business"), chair, v1::ROLE_MODERATOR, "item-aob");
  const std::string early =
      m.run(add_item("Welcome coffee", 0), chair, v1::ROLE_MODERATOR, "item-coffee");
  const std::string dropped =
      m.run(add_item("Dropped", 2), chair, v1::ROLE_MODERATOR, "item-dropped");
  v1::Command edit;
  edit.mutable_update_agenda_item()->set_item_id(budget);
  edit.mutable_update_agenda_item()->set_description("الميزانية 2026");
  edit.mutable_update_agenda_item()->set_planned_minutes(45);
  edit.mutable_update_agenda_item()->set_presenter("p3");
  m.run(edit);
  v1::Command move;
  move.mutable_move_agenda_item()->set_item_id(misc);
  move.mutable_move_agenda_item()->set_position(1);
  m.run(move);
  move.mutable_move_agenda_item()->set_item_id(early);
  move.mutable_move_agenda_item()->set_position(-1);  // past the end: last
  m.run(move);
  m.check();
  m.run(item_command("remove", dropped));
  m.check();
  m.run(start_meeting());
  m.advance(60'000);
  m.run(item_command("start", opening));
  v1::Command adopted;
  adopted.mutable_record_decision()->set_item_id(opening);
  adopted.mutable_record_decision()->set_text("The agenda is adopted.");
  m.run(adopted);
  v1::Command action;
  auto& body = *action.mutable_record_action_item();
  body.set_item_id(opening);
  body.set_text("Circulate the minutes");
  body.set_owner("p2");
  body.set_due_date("2026-03-01");
  m.run(action);
  m.check();
  m.advance(300'000);
  m.run(item_command("start", budget));  // closes the opening as done
  m.advance(120'000);
  m.run(item_command("close", budget));
  m.run(item_command("skip", misc));
  m.check();
  m.run(item_command("reopen", budget));
  m.check();
  m.advance(30'000);
  m.run(item_command("start", budget));  // reopened: keeps its first start
  m.run(update_participant("p4", "Dmitri K.", "technical_community", v1::ATTENDANCE_IN_ROOM));
  m.run(update_participant("", "", "", v1::ATTENDANCE_REMOTE), "p1", participant);
  m.run(default_speaking_time(180'000));
  m.check();
  m.advance(600'000);
  m.run(item_command("close", budget));
  m.run(item_command("start", early));
  m.leave("p2");
  m.check();
  m.advance(60'000);
  m.run(end_meeting());
  return m;
}

// The speaking queue: kinds, the three policies alone and together (each with someone on the
// floor, whose running turn counts), pins, reorders on roster and meeting changes, the floor.
meeting queue_scenario() {
  meeting m("queue");
  seat_everyone(m);
  m.run(start_meeting());
  const std::string first = m.run(add_item("First reading"), chair, v1::ROLE_MODERATOR, "item-1");
  const std::string second = m.run(add_item("Second reading"), chair, v1::ROLE_MODERATOR, "item-2");
  m.run(item_command("start", first));
  m.join("p5", "Fatima", participant, "government", v1::ATTENDANCE_REMOTE);
  // p1 has spoken once on this item before the snapshot, and asks again.
  m.run(testing::grant_floor("p1", 60'000));
  m.advance(45'000);
  m.run(testing::end_turn());
  m.run(testing::request_floor(v1::REQUEST_KIND_SPEAK), "p1", participant, "e-p1");
  m.begin();
  m.advance(1'000);
  m.run(testing::grant_floor("p5", 60'000));  // government, remote: on the floor throughout
  m.run(testing::request_floor(v1::REQUEST_KIND_SPEAK), "p3", participant, "e-p3");
  m.run(testing::request_floor(v1::REQUEST_KIND_SPEAK), "p4", participant, "e-p4");
  m.run(testing::request_floor(v1::REQUEST_KIND_SPEAK), "p2", participant, "e-p2");
  const std::string guest =
      m.run(walk_in("Guest from the floor", "academia"), chair, v1::ROLE_MODERATOR, "walk-in-1");
  m.run(testing::request_floor(v1::REQUEST_KIND_SPEAK, guest), chair, v1::ROLE_MODERATOR,
        "e-guest");
  m.check();                                       // first in, first out
  m.run(testing::set_policy(true, false, false));  // first_time_first
  m.check();
  m.run(testing::set_policy(false, true, false));  // alternate_attendance
  m.check();
  m.run(testing::set_policy(false, false, true));  // stakeholder_balance
  m.check();
  m.run(testing::set_policy(true, true, true));  // all three, composed
  m.check();
  m.run(testing::set_policy(false, false, true));
  m.run(default_speaking_time(20'000));  // balance assumes this per turn
  m.check();
  v1::Command groups;
  for (const char* g : {"academia", "civil_society", "government", "private_sector",
                        "technical_community", "international_organisations"}) {
    groups.mutable_update_meeting()->add_stakeholder_groups(g);
  }
  m.run(groups);  // balance breaks ties by the groups' order
  m.check();
  m.run(update_participant("p4", "", "academia", v1::ATTENDANCE_UNSPECIFIED));
  m.check();
  m.run(testing::set_policy(false, true, false));
  m.run(update_participant("p3", "", "", v1::ATTENDANCE_REMOTE));
  m.check();
  m.run(testing::request_floor(v1::REQUEST_KIND_POINT_OF_ORDER), "p4", participant, "e-poo");
  m.run(testing::request_floor(v1::REQUEST_KIND_REPLY), "p1", participant, "e-reply");
  m.check();
  m.run(move_request("e-p2", 0), chair, v1::ROLE_MODERATOR);   // pinned at the top
  m.run(move_request("e-p3", 99), chair, v1::ROLE_MODERATOR);  // past the end: last, pinned
  m.check();
  m.advance(10'000);
  m.run(pause_floor());
  m.check();
  m.advance(15'000);
  m.run(resume_floor());
  m.check();
  m.advance(10'000);
  m.run(turn_time_limit(15'000));
  m.check();
  m.advance(40'000);                                     // overtime
  m.run(testing::end_turn(), m.speaker(), participant);  // the speaker ends their own turn
  m.check();
  m.run(withdraw("e-p2"), "p2", participant);
  m.run(testing::next_speaker(90'000));
  m.advance(20'000);
  m.run(testing::next_speaker());  // ends that turn, next in order
  m.check();
  m.advance(30'000);
  m.run(testing::grant_floor("p2", 60'000));  // directly, ends the running turn
  m.advance(25'000);
  m.run(pause_floor());
  m.advance(5'000);
  m.run(testing::end_turn());  // ended while paused
  m.run(list_closed(true));
  m.run(testing::request_floor(v1::REQUEST_KIND_SPEAK, "p2"), chair, v1::ROLE_MODERATOR, "e-p2b");
  m.run(testing::set_policy(true, true, true));
  m.check();
  m.run(withdraw("e-guest"));  // by the chair
  m.run(list_closed(false));
  m.run(testing::request_floor(v1::REQUEST_KIND_SPEAK, "", second), "p3", participant, "e-next");
  m.run(testing::request_floor(v1::REQUEST_KIND_SPEAK, "p1", second), chair, v1::ROLE_MODERATOR,
        "e-next-p1");
  m.run(testing::next_speaker());
  m.advance(70'000);
  m.check();
  m.run(item_command("start", second));  // the running turn ends with the item
  m.check();
  m.run(testing::next_speaker(0));
  m.advance(15'000);
  m.run(testing::request_floor(v1::REQUEST_KIND_SPEAK), "p4", participant, "e-p4-2");
  m.run(testing::request_floor(v1::REQUEST_KIND_SPEAK), "p2", participant, "e-p2-2");
  m.run(pause_floor());
  m.run(turn_time_limit(240'000));  // the end: someone paused on the floor, others waiting
  return m;
}

// Named polls: every kind and visibility, changed ballots, a deadline, a deleted draft.
meeting named_polls_scenario() {
  meeting m("polls_named");
  seat_everyone(m);
  m.run(start_meeting());
  m.run(item_command("start", m.run(add_item("Votes"), chair, v1::ROLE_MODERATOR, "item-1")));
  const std::string live = m.run(testing::create_poll(v1::POLL_KIND_SINGLE, v1::POLL_SECRECY_NAMED,
                                                      v1::RESULTS_VISIBILITY_LIVE),
                                 chair, v1::ROLE_MODERATOR, "poll-live");
  m.run(testing::open_poll(live));
  m.run(testing::cast_ballot(live, {0}), "p1", participant);
  m.begin();  // mid-poll: the snapshot carries p1's own choice, cleared in the vector
  m.run(testing::cast_ballot(live, {1}), "p2", participant);
  m.run(testing::cast_ballot(live, {2}), "p1", participant);  // changed
  m.run(testing::cast_ballot(live, {1}), chair, v1::ROLE_MODERATOR);
  m.check();
  const std::string after =
      m.run(testing::create_poll(v1::POLL_KIND_MULTIPLE, v1::POLL_SECRECY_NAMED,
                                 v1::RESULTS_VISIBILITY_AFTER_CLOSE,
                                 {"Roads", "Schools", "Clinics", "Parks"}, 1, 3),
            chair, v1::ROLE_MODERATOR, "poll-after");
  const std::string publish =
      m.run(testing::create_poll(v1::POLL_KIND_YES_NO_ABSTAIN, v1::POLL_SECRECY_NAMED,
                                 v1::RESULTS_VISIBILITY_ON_PUBLISH),
            chair, v1::ROLE_MODERATOR, "poll-publish");
  const std::string draft =
      m.run(testing::create_poll(v1::POLL_KIND_SINGLE, v1::POLL_SECRECY_NAMED,
                                 v1::RESULTS_VISIBILITY_UNSPECIFIED, {"x", "y"}),
            chair, v1::ROLE_MODERATOR, "poll-draft");
  v1::Command timed = testing::create_poll(v1::POLL_KIND_SINGLE, v1::POLL_SECRECY_NAMED,
                                           v1::RESULTS_VISIBILITY_AFTER_CLOSE, {"Now", "Later"});
  timed.mutable_create_poll()->set_deadline_ms(m.now_ms + 60'000);
  timed.mutable_create_poll()->add_eligible_roles(v1::ROLE_PARTICIPANT);  // not the chair
  const std::string deadline = m.run(timed, chair, v1::ROLE_MODERATOR, "poll-deadline");
  m.check();
  m.run(delete_poll(draft));
  m.run(testing::open_poll(after));
  m.run(testing::open_poll(publish));
  m.run(testing::open_poll(deadline));
  m.run(testing::cast_ballot(after, {0, 2}), "p1", participant);
  m.run(testing::cast_ballot(after, {1}), "p3", participant);
  m.run(testing::cast_ballot(after, {1, 2, 3}), "p1", participant);  // changed
  m.run(testing::cast_ballot(publish, {0}), "p2", participant);
  m.run(testing::cast_ballot(publish, {2}), "p4", participant);
  m.run(testing::cast_ballot(publish, {1}), "p1", participant);
  m.run(testing::cast_ballot(deadline, {1}), "p3", participant);
  m.run(testing::cast_ballot(deadline, {0}), "p2", participant);
  m.check();
  m.leave("p4");  // turnout counts who is online at close
  m.advance(10'000);
  m.run(testing::close_poll(live));
  m.run(testing::close_poll(after));
  m.run(testing::close_poll(publish));
  m.check();
  m.run(testing::publish_poll(after));
  m.run(testing::publish_poll(publish));
  m.check();
  m.advance(60'000);
  m.run_due();  // the deadline passes: the system closes the poll
  m.run(testing::publish_poll(live));
  return m;
}

// Secret polls: the tally only after close (or on publish), never who chose what.
meeting secret_polls_scenario() {
  meeting m("polls_secret");
  seat_everyone(m);
  m.run(start_meeting());
  m.run(item_command("start", m.run(add_item("Elections"), chair, v1::ROLE_MODERATOR, "item-1")));
  const std::string after =
      m.run(testing::create_poll(v1::POLL_KIND_SINGLE, v1::POLL_SECRECY_SECRET,
                                 v1::RESULTS_VISIBILITY_AFTER_CLOSE, {"Amal", "Bashir"}),
            chair, v1::ROLE_MODERATOR, "poll-secret-after");
  m.run(testing::open_poll(after));
  m.run(testing::cast_ballot(after, {0}), "p1", participant);
  m.begin();
  const std::string publish =
      m.run(testing::create_poll(v1::POLL_KIND_MULTIPLE, v1::POLL_SECRECY_SECRET,
                                 v1::RESULTS_VISIBILITY_ON_PUBLISH, {"A", "B", "C"}, 1, 2),
            chair, v1::ROLE_MODERATOR, "poll-secret-publish");
  const std::string yna =
      m.run(testing::create_poll(v1::POLL_KIND_YES_NO_ABSTAIN, v1::POLL_SECRECY_SECRET,
                                 v1::RESULTS_VISIBILITY_UNSPECIFIED),
            chair, v1::ROLE_MODERATOR, "poll-secret-yna");
  m.run(testing::open_poll(publish));
  m.run(testing::open_poll(yna));
  m.run(testing::cast_ballot(after, {1}), "p2", participant);
  m.run(testing::cast_ballot(after, {1}), "p3", participant);
  m.run(testing::cast_ballot(after, {0}), chair, v1::ROLE_MODERATOR);
  m.run(testing::cast_ballot(publish, {0, 2}), "p1", participant);
  m.run(testing::cast_ballot(publish, {1}), "p4", participant);
  m.run(testing::cast_ballot(yna, {2}), "p2", participant);
  m.check();
  m.run(testing::close_poll(after));
  m.run(testing::close_poll(publish));
  m.check();
  m.run(testing::publish_poll(after));
  m.run(testing::publish_poll(publish));
  m.run(testing::close_poll(yna));  // closed, not published
  return m;
}

// Contributions: submitted, upvoted, hidden, shown again (with the upvotes the mirror never
// saw), answered, put on the room display and taken off (by the chair, or by hiding).
meeting contributions_scenario() {
  meeting m("contributions");
  seat_everyone(m);
  m.run(start_meeting());
  const std::string item = m.run(add_item("Open floor"), chair, v1::ROLE_MODERATOR, "item-1");
  m.run(item_command("start", item));
  const std::string spam = m.run(testing::submit("Buy cheap watches"), "p4", participant, "c-spam");
  const std::string first =
      m.run(testing::submit("What is the timeline?"), "p1", participant, "c-timeline");
  m.run(testing::upvote(spam), "p2", participant);
  m.run(testing::mark(spam, false, true));  // hidden before the snapshot: blanked in it
  m.begin();
  m.advance(5'000);
  const std::string arabic =
      m.run(testing::submit("ما هي الميزانية المخصصة؟"), "p2", participant, "c-budget");
  m.run(testing::upvote(first), "p2", participant);
  m.run(testing::upvote(first), "p3", participant);
  m.run(testing::upvote(arabic), "p1", participant);
  m.run(testing::mark(arabic, false, true));  // hidden after the snapshot: blanked on the mirror
  // decide refuses upvotes on hidden contributions, but evolve trusts the log: an upvote that
  // lands on a hidden one reaches non-moderators as a stub (the only stub projection makes).
  v1::Event late;
  late.set_at_ms(m.now_ms);
  late.set_actor_id("p3");
  late.mutable_contribution_upvoted()->set_contribution_id(arabic);
  late.mutable_contribution_upvoted()->set_voter_id("p3");
  m.apply({late});
  m.check();
  m.run(testing::mark(spam, false, false));   // shown again: carried whole, upvotes included
  m.run(testing::mark(first, true, false));   // answered
  m.run(testing::mark(arabic, true, false));  // shown again and answered
  m.check();
  m.run(testing::upvote(spam), "p3", participant);
  m.run(testing::upvote(arabic), "p4", participant);
  m.run(show_on_display(first));             // on the room display
  m.run(show_on_display(arabic));            // replaces it
  m.run(testing::mark(first, true, true));   // answered and hidden
  m.run(testing::mark(arabic, true, true));  // hidden while on screen: taken off
  m.check();
  m.run(show_on_display(spam));
  m.run(show_on_display(""));  // taken off
  m.advance(5'000);
  m.run(testing::submit("Thank you", item), "p3", participant, "c-thanks");
  m.run(show_on_display("c-thanks"));  // left on screen at the end
  return m;
}

// Presence: joins, several connections, leaves, reconnects, walk-ins, roster edits.
meeting presence_scenario() {
  meeting m("presence");
  m.join(chair, "Chair", v1::ROLE_MODERATOR, "civil_society", v1::ATTENDANCE_IN_ROOM);
  m.join("p1", "أمل", participant, "government", v1::ATTENDANCE_IN_ROOM);
  m.begin();
  m.join("p1", "أمل", participant, "government", v1::ATTENDANCE_IN_ROOM);  // a second tab
  m.join("p2", "Bashir", participant, "", v1::ATTENDANCE_REMOTE);
  m.join("screen", "Room screen", v1::ROLE_DISPLAY);
  m.join("press", "Press", v1::ROLE_OBSERVER);
  m.run(walk_in("زائر", "academia"), chair, v1::ROLE_MODERATOR, "walk-in-1");
  m.run(walk_in("Visitor", ""), chair, v1::ROLE_MODERATOR, "walk-in-2");
  m.check();
  m.leave("p1");
  m.advance(30'000);
  m.leave("p2");
  m.leave("press");
  m.check();
  m.join("p2", "Bashir", participant, "", v1::ATTENDANCE_REMOTE);  // back
  m.run(update_participant("", "Bashir A.", "international_organisations",
                           v1::ATTENDANCE_UNSPECIFIED),
        "p2", participant);
  m.run(update_participant("walk-in-2", "", "private_sector", v1::ATTENDANCE_REMOTE));
  m.run(start_meeting());
  m.leave("p1");  // last connection: offline
  m.join("p3", "Camila", participant, "academia", v1::ATTENDANCE_IN_ROOM);
  m.check();
  // A join storm: many joins and leaves in one PresenceChanged, the audience counted per instance.
  m.presence({{"p4", "Dalia", participant}, {"p5", "عمر", participant}, {"p2", "Bashir A.", participant},
              {"p4", "Dalia", participant}},
             {"p3"}, {{"instance-a", 120, 2}});
  m.presence({}, {}, {{"instance-b", 40, 0}});
  m.check();
  m.presence({}, {"p5", "p4"}, {{"instance-a", 0, 1}, {"instance-b", 0, 0}});
  return m;
}

// Admission: registration modes and cap, the lobby, admitting (with a corrected group), declining,
// a rotated invite code, a removal that withdraws a waiting request, admitting again.
meeting admission_scenario() {
  meeting m("admission", {"government", "civil_society", "academia"});
  m.join(chair, "الرئيسة", v1::ROLE_MODERATOR, "civil_society", v1::ATTENDANCE_IN_ROOM);
  m.join("p1", "أمل", participant, "government", v1::ATTENDANCE_IN_ROOM);  // admin-issued
  m.join("screen", "Room screen", v1::ROLE_DISPLAY);
  m.join("press", "Press", v1::ROLE_OBSERVER);
  m.run(start_meeting());
  const std::string item = m.run(add_item("Roster"), chair, v1::ROLE_MODERATOR, "item-roster");
  m.run(item_command("start", item));
  m.run(register_participant("r0", "Early bird", "academia", v1::ATTENDANCE_REMOTE), "",
        v1::ROLE_UNSPECIFIED);  // open by default: admitted at once, unverified
  m.begin();
  m.run(set_registration(v1::REGISTRATION_MODE_APPROVAL, 4));
  m.advance(1'000);
  m.run(register_participant("r1", "سلمى بن عمر", "civil_society", v1::ATTENDANCE_REMOTE), "",
        v1::ROLE_UNSPECIFIED);
  m.run(register_participant("r2", "Karim", "academia", v1::ATTENDANCE_IN_ROOM), "",
        v1::ROLE_UNSPECIFIED);
  m.check();
  m.run(admit("r1", "government"));  // the chair corrects the group: verified
  m.run(remove_participant("r2"));   // declined from the lobby
  m.check();
  m.run(rotate_invite_code(), chair, v1::ROLE_MODERATOR, "nonce-2");
  m.run(set_registration(v1::REGISTRATION_MODE_OPEN, 0));
  m.run(register_participant("r3", "Nadia", "", v1::ATTENDANCE_UNSPECIFIED, "nonce-2"), "",
        v1::ROLE_UNSPECIFIED);
  m.join("r3", "Nadia", participant);
  m.run(testing::request_floor(v1::REQUEST_KIND_SPEAK), "r3", participant, "e-r3");
  m.run(testing::request_floor(v1::REQUEST_KIND_SPEAK), "r1", participant, "e-r1");
  m.check();
  m.run(remove_participant("r3"));  // their request withdrawn with them
  m.leave("r3");
  m.check();
  m.run(admit("r3", "", v1::ATTENDANCE_REMOTE));  // back: attendance verified, no group
  m.run(admit("r2"));                             // admitted after all, as registered
  m.run(set_registration(v1::REGISTRATION_MODE_CLOSED, 10));
  return m;
}

// Verification: change requests declined and accepted, the chair's Verify and edits, fairness
// on verified values only, in-room check-in with rotating codes (the previous one in its grace).
meeting verification_scenario() {
  meeting m("verification", {"government", "civil_society", "academia"});
  m.with_display = true;
  m.join(chair, "الرئيسة", v1::ROLE_MODERATOR, "civil_society", v1::ATTENDANCE_IN_ROOM);
  m.join("p1", "أمل", participant, "government", v1::ATTENDANCE_IN_ROOM);  // admin-issued
  m.join("screen", "Room screen", v1::ROLE_DISPLAY);
  m.join("press", "Press", v1::ROLE_OBSERVER);
  for (const auto& [id, name, group, attendance] :
       std::vector<std::tuple<std::string, std::string, std::string, v1::Attendance>>{
           {"r1", "Bashir", "civil_society", v1::ATTENDANCE_REMOTE},
           {"r2", "كريم", "academia", v1::ATTENDANCE_IN_ROOM},
           {"r3", "Dana", "government", v1::ATTENDANCE_REMOTE}}) {
    m.run(register_participant(id, name, group, attendance), "", v1::ROLE_UNSPECIFIED);
    m.join(id, name, participant);
  }
  m.run(start_meeting());
  const std::string item = m.run(add_item("Verified"), chair, v1::ROLE_MODERATOR, "item-v");
  m.run(item_command("start", item));
  m.run(testing::set_policy(false, true, true));
  m.run(testing::grant_floor("p1", 60'000));
  m.begin();
  m.run(testing::request_floor(v1::REQUEST_KIND_SPEAK), "r1", participant, "e-r1");
  m.run(testing::request_floor(v1::REQUEST_KIND_SPEAK), "r2", participant, "e-r2");
  m.run(testing::request_floor(v1::REQUEST_KIND_SPEAK), "r3", participant, "e-r3");
  m.check();  // unverified: one group bucket, no attendance to alternate on
  m.run(update_participant("", "", "academia", v1::ATTENDANCE_IN_ROOM), "r1", participant);
  m.check();
  m.run(answer_request("r1", false));
  m.run(update_participant("", "Bashir A.", "", v1::ATTENDANCE_IN_ROOM), "r1", participant);
  m.run(answer_request("r1", true));  // attendance applied and verified; the group is not
  m.check();
  m.run(verify("r2"));  // both as registered
  m.run(update_participant("r3", "", "academia", v1::ATTENDANCE_UNSPECIFIED));  // the chair
  m.check();
  m.advance(30'000);
  m.run(testing::end_turn());  // the record holds verified values only
  m.run(set_check_in(true));
  m.run(rotate_check_in_code("482913"), "", v1::ROLE_UNSPECIFIED);
  m.check();
  m.run(check_in("482913"), "r1", participant);  // already in the room, verified: no event
  m.run(update_participant("", "", "", v1::ATTENDANCE_REMOTE), "r3", participant);
  m.advance(30'000);
  m.run(rotate_check_in_code("105577"), "", v1::ROLE_UNSPECIFIED);
  m.advance(2'000);
  m.run(check_in("482913"), "r3", participant);  // the previous code, within its grace
  m.check();
  m.run(set_check_in(false));  // the codes are forgotten
  return m;
}

// ---- pseudo-random sequences -------------------------------------------------------------------

// The random walk of tests/unit/domain/command_sequence (its invariants and audience mirrors
// checked after every step), from a fixed seed, with the meeting kept live, recorded from its
// event log. The vectors start half-way through; past that, the state is recorded every dozen
// events or so.
meeting random_meeting(uint32_t seed, std::size_t steps) {
  const std::string name = "random_" + std::to_string(seed);
  std::mt19937 random(seed);  // the engine's output is fixed by the standard
  std::vector<uint8_t> bytes(steps * 8);
  for (auto& b : bytes) b = static_cast<uint8_t>(random());
  byte_reader reader(bytes.data(), bytes.size());
  testing::command_sequence walk(/*may_end_meeting=*/false);
  uint64_t mark = 0;
  std::vector<uint64_t> checks;
  for (std::size_t i = 0; i < steps; ++i) {
    if (i == steps / 2) mark = walk.state().seq();
    if (!walk.step(reader)) die(name + ": " + walk.violation().value_or("step failed"));
    const uint64_t seq = walk.state().seq();
    if (i > steps / 2 && seq >= (checks.empty() ? mark : checks.back()) + 12) {
      checks.push_back(seq);
    }
  }
  meeting m(name, walk.state(), walk.log());
  m.mark = mark;
  m.checks = std::move(checks);
  return m;
}

// ---- writing --------------------------------------------------------------------------------

std::string to_json(const google::protobuf::Message& message) {
  std::string out;
  const auto status = google::protobuf::util::MessageToJsonString(
      message, &out, google::protobuf::util::JsonPrintOptions{});
  if (!status.ok()) die("cannot encode " + message.GetDescriptor()->name() + " as JSON");
  return out;
}

struct viewpoint {
  audience who;
  const char* name;
  const char* viewer;
};
constexpr viewpoint viewpoints[] = {
    {audience::moderator, "moderator", "chair"},
    {audience::participant, "participant", "p1"},
    {audience::public_view, "public_view", "press"},
    {audience::display, "display", "screen"},
};

v1::MeetingState snapshot(const v1::MeetingState& state, const viewpoint& v) {
  v1::MeetingState view = project_state(state, v.who, v.viewer);
  for (auto& poll : *view.mutable_polls()) poll.clear_my_choices();
  return view;
}

struct totals {
  std::size_t files = 0;
  std::size_t events = 0;
  std::size_t stubs = 0;
  std::size_t checkpoints = 0;
  std::size_t bytes = 0;
  std::map<std::string, std::size_t> kinds;  // event kind -> projected, non-stub occurrences
};

// The C++ mirror must reach the projected snapshot: otherwise the vector is wrong, not the JS.
void expect_same(const v1::MeetingState& expected, v1::MeetingState mirror,
                 const std::string& where) {
  for (auto& poll : *mirror.mutable_polls()) poll.clear_my_choices();
  google::protobuf::util::MessageDifferencer differ;
  std::string report;
  differ.ReportDifferencesToString(&report);
  if (!differ.Compare(expected, mirror)) {
    die(where + ": the C++ mirror itself differs from the projected snapshot:\n" + report);
  }
}

void write_vectors(const meeting& m, const fs::path& dir, totals& total) {
  v1::MeetingState authoritative;
  for (uint64_t i = 0; i < m.mark; ++i) evolve(authoritative, m.log[i]);
  const v1::MeetingState at_mark = authoritative;
  for (const auto& v : viewpoints) {
    if (v.who == audience::display && !m.with_display) continue;
    const std::string where = m.name() + "." + v.name;
    v1::MeetingState state = at_mark;
    const v1::MeetingState initial = snapshot(at_mark, v);
    v1::MeetingState mirror = initial;  // the C++ mirror, fed what the client gets
    std::string events;
    std::string checkpoints;
    auto next_check = m.checks.begin();
    for (uint64_t i = m.mark; i < m.log.size(); ++i) {
      const v1::Event& event = m.log[i];
      evolve(state, event);
      v1::Event out;
      if (!project_event(state, event, v.who, out)) {
        out.Clear();
        out.set_seq(event.seq());
        ++total.stubs;
      } else {
        const auto* field = v1::Event::descriptor()->FindFieldByNumber(out.kind_case());
        if (field != nullptr) ++total.kinds[field->json_name()];
      }
      evolve(mirror, out);
      events += (events.empty() ? "\n" : ",\n") + to_json(out);
      ++total.events;
      if (next_check != m.checks.end() && *next_check == event.seq()) {
        ++next_check;
        if (event.seq() == m.state.seq()) continue;  // the final state says it already
        const v1::MeetingState view = snapshot(state, v);
        expect_same(view, mirror, where + " at seq " + std::to_string(event.seq()));
        checkpoints += std::string(checkpoints.empty() ? "\n" : ",\n") + "{\"seq\":\"" +
                       std::to_string(event.seq()) + "\",\"state\":" + to_json(view) + "}";
        ++total.checkpoints;
      }
    }
    const v1::MeetingState final_view = snapshot(m.state, v);
    expect_same(final_view, mirror, where + " at the end");
    const std::string text =
        std::string("{\"scenario\":\"") + m.name() + "\",\"audience\":\"" + v.name +
        "\",\"viewer\":\"" + v.viewer + "\",\n\"initial\":" + to_json(initial) + ",\n\"events\":[" +
        events + "\n],\n\"checkpoints\":[" + checkpoints + (checkpoints.empty() ? "" : "\n") +
        "],\n\"final\":" + to_json(final_view) + "}\n";
    const fs::path path = dir / (m.name() + "." + v.name + ".json");
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file << text;
    if (!file) die("cannot write " + path.string());
    ++total.files;
    total.bytes += text.size();
  }
}

int generate(const fs::path& dir) {
  fs::create_directories(dir);
  for (const auto& entry : fs::directory_iterator(dir)) {  // no stale vectors
    if (entry.path().extension() == ".json") fs::remove(entry.path());
  }
  std::vector<meeting> meetings;
  meetings.push_back(agenda_scenario());
  meetings.push_back(queue_scenario());
  meetings.push_back(named_polls_scenario());
  meetings.push_back(secret_polls_scenario());
  meetings.push_back(contributions_scenario());
  meetings.push_back(presence_scenario());
  meetings.push_back(admission_scenario());
  meetings.push_back(verification_scenario());
  for (const uint32_t seed : {11U, 23U, 37U, 2026U}) meetings.push_back(random_meeting(seed, 600));

  totals total;
  for (const auto& m : meetings) write_vectors(m, dir, total);

  std::vector<std::string> missing;
  const auto* oneof = v1::Event::descriptor()->FindOneofByName("kind");
  for (int i = 0; i < oneof->field_count(); ++i) {
    if (total.kinds.count(oneof->field(i)->json_name()) == 0) {
      missing.push_back(oneof->field(i)->json_name());
    }
  }
  std::cout << total.files << " vectors, " << meetings.size() << " meetings, " << total.events
            << " events (" << total.stubs << " stubs), " << total.checkpoints << " checkpoints, "
            << total.kinds.size() << " of " << oneof->field_count() << " event kinds, "
            << total.bytes << " bytes in " << dir.string() << "\n";
  if (!missing.empty()) {
    std::string names;
    for (const auto& n : missing) names += " " + n;
    die("event kinds no vector covers:" + names);
  }
  return 0;
}

}  // namespace
}  // namespace majlis::domain::vectors

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_mirror_vectors <out-dir>\n";
    return 2;
  }
  try {
    return majlis::domain::vectors::generate(argv[1]);
  } catch (const std::exception& e) {
    std::cerr << "make_mirror_vectors: " << e.what() << "\n";
    return 1;
  }
}
