// majlisctl verbs that join the meeting over WebSocket: one per meeting command (from the
// command_verbs table), the generic `command --json`, `watch` and `state`.
#pragma once

#include <CLI/App.hpp>

#include "global_options.hpp"

namespace majlis::ctl {

// Adds the verbs to `app`; a verb that runs stores its exit status in `status`.
void add_session_verbs(CLI::App& app, const global_options& options, int& status);

}  // namespace majlis::ctl
