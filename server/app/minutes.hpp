// The minutes of a meeting as Markdown: date, attendance (in the room / remote), agenda with
// outcomes, speakers, polls, written input, speaking time by group and by attendance.
#pragma once

#include <string>
#include <string_view>

#include "majlis/v1/state.pb.h"

namespace majlis::app {

// Built from the full state, in English or (language "ar") Arabic; times are UTC. Displays,
// observers and people in the lobby are not attendees; hidden written input is left out;
// secret polls show totals only, never who chose what.
std::string render_minutes(const v1::MeetingState& state, std::string_view language = "en");

}  // namespace majlis::app
