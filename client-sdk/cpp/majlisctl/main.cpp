// majlisctl: organisers' and testers' command line for majlisd. Only wires the verbs.
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "global_options.hpp"
#include "http_verbs.hpp"
#include "session_verbs.hpp"

int main(int argc, char** argv) {
  using namespace majlis::ctl;
  // stdout carries results as JSON; what is logged (a failed background task) goes to stderr.
  spdlog::set_default_logger(spdlog::stderr_color_st("majlisctl"));
  CLI::App app{
      "majlisctl — talk to a majlisd server: create meetings and tokens over HTTP, watch a meeting "
      "and send meeting commands over WebSocket.",
      "majlisctl"};
  app.footer(
      "Exit status: 0 success; 1 no answer (connection refused or lost, timeout) or server "
      "failure; 2 the server refused (rejected command or join, HTTP 4xx); 64 bad command line.\n"
      "Errors print as \"error: CODE: message\" on stderr; results print as JSON on stdout.");
  app.require_subcommand(1);
  app.fallthrough();  // global options may also follow the verb

  global_options options;
  app.add_option("--server", options.server, "majlisd base URL (http://host:port)")
      ->capture_default_str();
  app.add_option("--admin-key", options.admin_key, "admin key for the HTTP API")
      ->envname("MAJLIS_ADMIN_KEY");
  app.add_option("--token", options.token,
                 "join token for WebSocket verbs, summary, minutes and export")
      ->envname("MAJLIS_TOKEN");
  app.add_option("--meeting", options.meeting, "meeting id")->envname("MAJLIS_MEETING");
  app.add_flag("--json-frames", options.json_frames,
               "speak JSON text frames on the WebSocket instead of binary protobuf");
  app.add_option("--timeout-ms", options.timeout_ms,
                 "timeout of each step (connect, join, command, HTTP call) in ms")
      ->capture_default_str();

  int status = exit_ok;
  add_http_verbs(app, options, status);
  add_session_verbs(app, options, status);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int printed = app.exit(e);
    return printed == 0 ? exit_ok : exit_usage;
  }
  return status;
}
