#include "http_verbs.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include "majlis/client/http_api.hpp"

namespace majlis::ctl {
namespace {

namespace asio = boost::asio;

// Reports a failed answer and gives the exit status.
int report_failure(const client::http_reply& reply) {
  const bool answered_no = !reply.transport_error && reply.status >= 400 && reply.status < 500;
  return report_error(reply.error_code(), reply.error_message(),
                      answered_no ? exit_rejected : exit_unavailable);
}

// Prints a successful answer's body, or the error, and gives the exit status.
int finish(const client::http_reply& reply) {
  if (!reply.ok()) return report_failure(reply);
  std::cout << reply.body;
  if (reply.body.empty() || reply.body.back() != '\n') std::cout << '\n';
  return exit_ok;
}

// Writes a successful answer's body as it came (to stdout when `path` is empty).
int save(const client::http_reply& reply, const std::string& path) {
  if (!reply.ok()) return report_failure(reply);
  if (path.empty()) {
    std::cout << reply.body << std::flush;
    return exit_ok;
  }
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (file) file << reply.body;
  if (file) file.close();
  if (!file)
    return report_error("INTERNAL", "cannot write " + path + ": " + std::strerror(errno),
                        exit_unavailable);
  return exit_ok;
}

// Runs one call with an http_api set up from the global options; `done` turns its answer into
// the exit status.
template <class Call, class Done>
int run_http(const global_options& options, bool needs_meeting, Call call, Done done) {
  const auto url = server_address(options);
  if (!url) return exit_usage;
  if (needs_meeting && options.meeting.empty())
    return report_error("INVALID_ARGUMENT", "--meeting (or MAJLIS_MEETING) is required", exit_usage);
  return run_verb([&](asio::any_io_executor executor) -> asio::awaitable<int> {
    client::http_api api(executor, {url->host, url->port, options.admin_key,
                                    std::chrono::milliseconds(options.timeout_ms)});
    co_return done(co_await call(api));
  });
}

template <class Call>
int run_http(const global_options& options, bool needs_meeting, Call call) {
  return run_http(options, needs_meeting, call, finish);
}

int require_admin_key(const global_options& options) {
  if (!options.admin_key.empty()) return exit_ok;
  return report_error("INVALID_ARGUMENT", "--admin-key (or MAJLIS_ADMIN_KEY) is required",
                      exit_usage);
}

}  // namespace

void add_http_verbs(CLI::App& app, const global_options& options, int& status) {
  // create-meeting
  {
    auto spec = std::make_shared<client::meeting_spec>();
    auto* verb = app.add_subcommand(
        "create-meeting",
        "Create a meeting (admin key); prints the JSON answer: meetingId, links and tokens per "
        "role, inviteCode.");
    verb->add_option("--title", spec->title, "meeting title")->required();
    verb->add_option("--language", spec->languages,
                     "language code, repeat for several (default: the server's, ar and en)");
    verb->add_option("--group", spec->stakeholder_groups,
                     "stakeholder group, repeat for several (default: the server's groups)");
    verb->callback([&options, &status, spec] {
      if ((status = require_admin_key(options)) != exit_ok) return;
      status = run_http(options, false, [spec](client::http_api& api) -> asio::awaitable<client::http_reply> {
        co_return (co_await api.create_meeting(*spec)).reply;
      });
    });
  }
  // token
  {
    auto request = std::make_shared<client::token_request>();
    auto* verb = app.add_subcommand(
        "token", "Issue a join token for --meeting (admin key); prints {participantId, token}.");
    verb->add_option("--role", request->role, "role in the token")
        ->required()
        ->check(CLI::IsMember({"participant", "moderator", "display", "observer"}));
    verb->add_option("--name", request->name, "display name (default: the role's name)");
    verb->add_option("--group", request->stakeholder_group, "stakeholder group");
    verb->add_option("--attendance", request->attendance, "where they follow from (default: remote)")
        ->check(CLI::IsMember({"in_room", "remote"}));
    verb->add_option("--participant-id", request->participant_id,
                     "reuse this participant id (default: a new one)");
    verb->callback([&options, &status, request] {
      if ((status = require_admin_key(options)) != exit_ok) return;
      status = run_http(options, true, [&options, request](client::http_api& api) -> asio::awaitable<client::http_reply> {
        co_return (co_await api.issue_token(options.meeting, *request)).reply;
      });
    });
  }
  // register
  {
    auto request = std::make_shared<client::registration>();
    auto* verb = app.add_subcommand(
        "register",
        "Register yourself in --meeting with its invite code (no admin key); prints "
        "{participantId, token}.");
    verb->add_option("--invite", request->invite, "the meeting's invite code")->required();
    verb->add_option("--name", request->name, "your display name")->required();
    verb->add_option("--group", request->stakeholder_group,
                     "your stakeholder group (one of the meeting's)");
    verb->add_option("--attendance", request->attendance, "where you follow from (default: remote)")
        ->check(CLI::IsMember({"in_room", "remote"}));
    verb->callback([&options, &status, request] {
      status = run_http(options, true, [&options, request](client::http_api& api) -> asio::awaitable<client::http_reply> {
        co_return (co_await api.register_participant(options.meeting, *request)).reply;
      });
    });
  }
  // summary
  {
    auto* verb = app.add_subcommand(
        "summary", "Print --meeting's summary JSON (with --token if given, else the admin key).");
    verb->callback([&options, &status] {
      status = run_http(options, true, [&options](client::http_api& api) -> asio::awaitable<client::http_reply> {
        co_return co_await api.meeting_summary(options.meeting, options.token);
      });
    });
  }
  // links
  {
    auto* verb = app.add_subcommand(
        "links",
        "Print --meeting's links JSON (moderator --token if given, else the admin key): the "
        "participant link with the current invite code, display and observer links with fresh "
        "tokens; use it after rotate-invite.");
    verb->callback([&options, &status] {
      status = run_http(options, true, [&options](client::http_api& api) -> asio::awaitable<client::http_reply> {
        co_return co_await api.meeting_links(options.meeting, options.token);
      });
    });
  }
  // minutes
  {
    auto* verb = app.add_subcommand(
        "minutes",
        "Print --meeting's minutes as Markdown (moderator --token if given, else the admin key).");
    verb->callback([&options, &status] {
      status = run_http(options, true, [&options](client::http_api& api) -> asio::awaitable<client::http_reply> {
        co_return co_await api.minutes(options.meeting, options.token);
      });
    });
  }
  // export
  {
    auto output = std::make_shared<std::string>();
    auto* verb = app.add_subcommand(
        "export",
        "Save --meeting's audit trail: its event log as NDJSON (an export header, the events in "
        "the protobuf JSON mapping, the final state). With a moderator --token the choices of "
        "secret ballots are blanked; with the admin key (when no --token is given) the log is "
        "complete. Exits 1 also when FILE cannot be written.");
    verb->add_option("--output,-o", *output, "file to write (default: stdout)");
    verb->callback([&options, &status, output] {
      if (options.token.empty() && options.admin_key.empty()) {
        status = report_error("INVALID_ARGUMENT",
                              "--token (a moderator's, or MAJLIS_TOKEN) or --admin-key (or "
                              "MAJLIS_ADMIN_KEY) is required",
                              exit_usage);
        return;
      }
      status = run_http(
          options, true,
          [&options](client::http_api& api) -> asio::awaitable<client::http_reply> {
            co_return co_await api.export_meeting(options.meeting, options.token);
          },
          [output](const client::http_reply& reply) { return save(reply, *output); });
    });
  }
}

}  // namespace majlis::ctl
