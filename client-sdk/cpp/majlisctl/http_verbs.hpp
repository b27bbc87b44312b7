// majlisctl verbs that use the HTTP API: create-meeting, token, register, summary, minutes,
// export.
#pragma once

#include <CLI/App.hpp>

#include "global_options.hpp"

namespace majlis::ctl {

// Adds the verbs to `app`; a verb that runs stores its exit status in `status`.
void add_http_verbs(CLI::App& app, const global_options& options, int& status);

}  // namespace majlis::ctl
