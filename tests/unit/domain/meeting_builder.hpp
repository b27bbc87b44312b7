// A meeting for tests: decide commands as someone, apply the events with seq numbers, and
// keep the log, so each test reads as "who does what, and what must follow".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "decider.hpp"

namespace majlis::domain::testing {

inline constexpr const char* chair_id = "chair";

class meeting_builder {
 public:
  // A scheduled meeting with the default stakeholder groups and the chair on the roster.
  meeting_builder();

  // Live, with one agenda item started ("item-1" unless named otherwise).
  static meeting_builder live_with_item(const std::string& title = "Item one");

  v1::MeetingState state;
  std::vector<v1::Event> log;  // every applied event, with its seq
  int64_t now_ms = 1'700'000'000'000;

  // The context a command is decided in; the fresh id is "id-<n>" (predictable in tests).
  command_context context(const std::string& actor, v1::Role role);
  std::string next_fresh_id() const { return "id-" + std::to_string(fresh_counter_); }

  decision decide(const v1::Command& command, const std::string& actor, v1::Role role);
  // Decides and applies; records a test failure (with the message) if the command is refused.
  std::vector<v1::Event> run(const v1::Command& command, const std::string& actor = chair_id,
                             v1::Role role = v1::ROLE_MODERATOR);
  // Decides, expects a refusal, and returns it; the state is left as it was.
  rejection refuse(const v1::Command& command, const std::string& actor = chair_id,
                   v1::Role role = v1::ROLE_MODERATOR);
  // Same, from the system (no actor, no role).
  std::vector<v1::Event> run_as_system(const v1::Command& command);

  // Assigns seq numbers and applies.
  void apply(std::vector<v1::Event>& events);
  void apply(std::vector<v1::Event>&& events) { apply(events); }
  void apply(v1::Event event);

  // Puts someone on the roster through a connection, as the runtime does.
  std::string join(const std::string& id, const std::string& name,
                   v1::Role role = v1::ROLE_PARTICIPANT, const std::string& group = "",
                   v1::Attendance attendance = v1::ATTENDANCE_REMOTE);
  void leave(const std::string& id);
  std::string walk_in(const std::string& name, const std::string& group = "");

  std::string add_item(const std::string& title);
  void start_item(const std::string& item_id);
  void start_meeting();
  void advance(int64_t ms) { now_ms += ms; }

  const v1::AgendaItem& item(const std::string& id) const;
  const v1::AgendaItem& current_item() const;
  const v1::Poll& poll(const std::string& id) const;
  const v1::Participant& participant(const std::string& id) const;
  // Participant ids of the current item's waiting entries, in order.
  std::vector<std::string> waiting_ids() const;
  std::vector<std::string> waiting_reasons() const;

 private:
  int fresh_counter_ = 1;
  int connection_counter_ = 1;
};

// Command builders for the common cases.
v1::Command request_floor(v1::RequestKind kind = v1::REQUEST_KIND_SPEAK,
                          const std::string& participant_id = "", const std::string& item_id = "");
v1::Command next_speaker(int64_t time_limit_ms = 0);
v1::Command grant_floor(const std::string& participant_id, int64_t time_limit_ms = 0);
v1::Command end_turn();
v1::Command set_policy(bool first_time_first, bool alternate_attendance, bool stakeholder_balance);
v1::Command create_poll(v1::PollKind kind, v1::PollSecrecy secrecy,
                        v1::ResultsVisibility visibility,
                        const std::vector<std::string>& options = {"A", "B", "C"},
                        uint32_t min_choices = 0, uint32_t max_choices = 0);
v1::Command open_poll(const std::string& poll_id);
v1::Command close_poll(const std::string& poll_id);
v1::Command publish_poll(const std::string& poll_id);
v1::Command cast_ballot(const std::string& poll_id, const std::vector<uint32_t>& choices);
v1::Command submit(const std::string& text, const std::string& item_id = "");
v1::Command upvote(const std::string& contribution_id);
v1::Command mark(const std::string& contribution_id, bool answered, bool hidden);
v1::Command add_agenda_item(const std::string& title, int32_t position = -1);

}  // namespace majlis::domain::testing
