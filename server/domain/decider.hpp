// The meeting state machine: decide(state, command, context) -> events | rejection, and
// evolve(state, event). Pure and deterministic: no clock, no randomness, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "majlis/v1/commands.pb.h"
#include "majlis/v1/events.pb.h"
#include "majlis/v1/state.pb.h"

namespace majlis::domain {

// Who acts, when, and the fresh id the command may use for something it creates.
struct command_context {
  std::string actor_id;                       // participant id from the join token
  v1::Role role = v1::ROLE_UNSPECIFIED;
  int64_t now_ms = 0;                         // supplied by the caller
  std::string fresh_id;                       // unique id for a created entity (entry, item, poll, ...)
  // How long a check-in code lasts; 0 = check_in_rotation_ms (30 s). Tests shorten it.
  int64_t check_in_rotation_ms = 0;
};

// A command the domain refused, with a stable code and a message a person can read.
struct rejection {
  v1::ErrorCode code = v1::ERROR_CODE_UNSPECIFIED;
  std::string message;
};

// Events carry no seq yet: the event log assigns it on append.
using decision = std::variant<std::vector<v1::Event>, rejection>;

decision decide(const v1::MeetingState& state, const v1::Command& command,
                const command_context& context);

// Applies one event in place. Events are trusted (they passed decide or come from the log);
// an event that does not fit the state is ignored rather than crashing, and seq advances.
void evolve(v1::MeetingState& state, const v1::Event& event);

// Creates the first event of a meeting (seq 1), used by the HTTP API.
v1::Event meeting_created(const std::string& meeting_id, const std::string& title,
                          const std::vector<std::string>& languages,
                          const std::vector<std::string>& stakeholder_groups, int64_t now_ms);

// The groups a meeting gets when its creator names none.
const std::vector<std::string>& default_stakeholder_groups();

// Joining is not a client command: the runtime decides it when a connection joins or leaves.
// Adds the participant on first sight (from the token's claims), then opens the connection.
std::vector<v1::Event> connection_opened(const v1::MeetingState& state, const v1::Participant& who,
                                         const std::string& connection_id,
                                         const std::string& instance_id, int64_t now_ms);
std::vector<v1::Event> connection_closed(const v1::MeetingState& state,
                                         const std::string& participant_id,
                                         const std::string& connection_id,
                                         const std::string& instance_id, int64_t now_ms);

// Observers and displays (and unknown roles) are the audience: counted per instance in
// MeetingState.audience, never listed in the roster. Participants and moderators are listed.
bool counted_in_audience(v1::Role role);

// One connection of a listed person joining or leaving, as the runtime saw it.
struct presence_change {
  bool opened = true;
  // Opened: the token's claims (id, name, role, group, attendance). Closed: the id.
  v1::Participant who;
  std::string connection_id;
};

// Every presence change a replica gathered since its last one, decided together: at most one
// PresenceChanged, so a join storm costs a few events instead of one or two per person. Each
// change is decided as connection_opened/connection_closed would be after the ones before it
// (first sight adds the person; a full roster, someone kept out, a connection already open or
// past the roster's per-person limit open nothing). `audience` is the instance's new counts of
// observer and display connections; it goes in only when it differs from the state's.
// nullopt when nothing changes.
std::optional<v1::Event> presence_changed(const v1::MeetingState& state,
                                          const std::vector<presence_change>& changes,
                                          const std::vector<v1::AudienceCount>& audience,
                                          const std::string& instance_id, int64_t now_ms);

// Observers and displays online (every instance's counts).
uint32_t audience_online(const v1::MeetingState& state);

// Commands a replica may propose on its own when time passes (poll deadlines, check-in codes). Empty when
// nothing is due. Proposed with the system as actor; the log decides which proposal wins.
std::vector<v1::Command> due_commands(const v1::MeetingState& state, int64_t now_ms);

// The earliest future deadline in the state (0 = none), so a replica can set one timer.
int64_t next_deadline_ms(const v1::MeetingState& state);

}  // namespace majlis::domain
