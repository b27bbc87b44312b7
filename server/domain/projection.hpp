// What each audience may see of the state and of each event (DESIGN §6).
#pragma once

#include <string>

#include "majlis/v1/events.pb.h"
#include "majlis/v1/state.pb.h"

namespace majlis::domain {

// Events are encoded once per audience, so an audience is a role class, not a person.
enum class audience {
  moderator,    // live tallies of named polls, hidden contributions, named ballots
  participant,  // what poll visibility allows; hidden contributions blanked
  public_view,  // observers (and unknown roles): like participants
  display,      // room displays: like public_view, plus the current check-in codes they show
};
inline constexpr int audience_count = 4;

audience audience_of(v1::Role role);

// Projects an event for an audience, given the state after it was applied: right after it, or
// the current state when a batch or a replay is sent later (poll visibility, hidden flags and
// the like live there). An event about a contribution that is hidden in that state reaches
// non-moderators blanked as project_state shows it, whatever it carried when it happened, so a
// mirror fed a replay reaches the projected snapshot and never held the hidden text. Returns
// false when the audience may see nothing of it: the caller then sends a stub with only the seq.
bool project_event(const v1::MeetingState& state_after, const v1::Event& event, audience who,
                   v1::Event& out);

// Projects a snapshot for one viewer: the audience's view plus the viewer's own ballots.
v1::MeetingState project_state(const v1::MeetingState& state, audience who,
                               const std::string& viewer_id);

// Whether project_state gives this viewer more than project_state(state, who, "") does: only a
// ballot of theirs in a poll that is not secret (its my_choices). Otherwise the audience's
// snapshot can be encoded once and shared.
bool snapshot_depends_on_viewer(const v1::MeetingState& state, const std::string& viewer_id);

}  // namespace majlis::domain
