// The minutes of a meeting as Markdown: agenda with outcomes, speakers, published polls.
#pragma once

#include <string>

#include "majlis/v1/state.pb.h"

namespace majlis::app {

// Built from the full state; secret polls show totals only, never who chose what.
std::string render_minutes(const v1::MeetingState& state);

}  // namespace majlis::app
