#include "session_verbs.hpp"

#include <csignal>
#include <iostream>
#include <memory>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <CLI/CLI.hpp>
#include <google/protobuf/util/json_util.h>

#include "majlis/asio/spawn_policy.hpp"
#include "command_verbs.hpp"
#include "majlis/client/meeting_client.hpp"

namespace majlis::ctl {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

std::string to_json_line(const google::protobuf::Message& message) {
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(message, &out);
  return out;
}

// A joined client, or the exit status explaining why there is none.
struct joined_client {
  std::unique_ptr<client::meeting_client> client;
  int status = exit_ok;
};

asio::awaitable<joined_client> connect_and_join(asio::any_io_executor executor,
                                                const global_options& options, bool reconnect) {
  joined_client joined;
  const auto url = server_address(options);
  if (!url) {
    joined.status = exit_usage;
    co_return joined;
  }
  if (options.meeting.empty() || options.token.empty()) {
    joined.status = report_error(
        "INVALID_ARGUMENT", "--meeting and --token (or MAJLIS_MEETING and MAJLIS_TOKEN) are required",
        exit_usage);
    co_return joined;
  }
  client::meeting_client_config config;
  config.format = options.json_frames ? client::frame_format::json : client::frame_format::binary;
  config.command_timeout = std::chrono::milliseconds(options.timeout_ms);
  config.connect_timeout = std::chrono::milliseconds(options.timeout_ms);
  config.join_timeout = std::chrono::milliseconds(options.timeout_ms);
  config.auto_reconnect = reconnect;
  auto meeting_client = std::make_unique<client::meeting_client>(executor, config);

  if (const auto ec = co_await meeting_client->connect(url->host, url->port)) {
    joined.status = report_error("UNAVAILABLE",
                                 "cannot reach " + options.server + ": " + ec.message(),
                                 exit_unavailable);
    co_return joined;
  }
  const auto result = co_await meeting_client->join(options.meeting, options.token);
  if (!result.ok) {
    const bool answered_no = result.error.code() != v1::ERROR_CODE_UNAVAILABLE;
    joined.status = report_error(error_code_name(result.error.code()), result.error.message(),
                                 answered_no ? exit_rejected : exit_unavailable);
    co_return joined;
  }
  joined.client = std::move(meeting_client);
  co_return joined;
}

// Joins, sends one command, prints its result.
int send_command(const global_options& options, const v1::Command& command) {
  return run_verb([&](asio::any_io_executor executor) -> asio::awaitable<int> {
    auto joined = co_await connect_and_join(executor, options, false);
    if (!joined.client) co_return joined.status;
    const auto result = co_await joined.client->send(command);
    co_await joined.client->close();
    if (!result.ok()) {
      const bool answered_no = result.error().code() != v1::ERROR_CODE_UNAVAILABLE;
      co_return report_error(error_code_name(result.error().code()), result.error().message(),
                             answered_no ? exit_rejected : exit_unavailable);
    }
    std::cout << to_json_line(result) << '\n';
    co_return exit_ok;
  });
}

// The CLI storage of one table-driven verb's options, kept alive by the verb's callback.
struct verb_inputs {
  std::map<std::string, std::string> scalars;
  std::map<std::string, std::vector<std::string>> lists;
  std::map<std::string, bool> flags;
  std::map<std::string, CLI::Option*> given;
};

void add_command_verb(CLI::App& app, const command_verb& verb, const global_options& options,
                      int& status) {
  auto* sub = app.add_subcommand(verb.name, verb.help + " Prints the result JSON.");
  auto inputs = std::make_shared<verb_inputs>();
  for (const auto& option : verb.options) {
    const auto shape = shape_of(verb, option);
    CLI::Option* added = nullptr;
    std::string help = option.help;
    if (shape.kind == option_kind::choice) {
      std::string choices;
      for (const auto& choice : shape.choices) choices += (choices.empty() ? "" : "|") + choice;
      help += " [" + choices + "]";
    }
    if (shape.kind == option_kind::flag) {
      added = sub->add_flag(option.flag, inputs->flags[option.field], help);
    } else if (shape.repeated) {
      added = sub->add_option(option.flag, inputs->lists[option.field], help);
    } else {
      added = sub->add_option(option.flag, inputs->scalars[option.field], help);
    }
    if (shape.kind == option_kind::integer) added->type_name("INT");
    if (shape.kind == option_kind::choice) added->type_name("CHOICE");
    if (option.required) added->required();
    inputs->given[option.field] = added;
  }
  sub->callback([&verb, &options, &status, inputs] {
    option_values values;
    for (const auto& [field, option] : inputs->given) {
      if (option->count() == 0) continue;
      if (auto it = inputs->flags.find(field); it != inputs->flags.end())
        values[field] = {it->second ? "true" : "false"};
      else if (auto list = inputs->lists.find(field); list != inputs->lists.end())
        values[field] = list->second;
      else
        values[field] = {inputs->scalars[field]};
    }
    auto built = build_command(verb, values);
    if (auto* error = std::get_if<std::string>(&built)) {
      status = report_error("INVALID_ARGUMENT", *error, exit_usage);
      return;
    }
    status = send_command(options, std::get<v1::Command>(built));
  });
}

void add_generic_command(CLI::App& app, const global_options& options, int& status) {
  auto json = std::make_shared<std::string>();
  auto* sub = app.add_subcommand(
      "command",
      "Send any command given as the protobuf JSON mapping of majlis.v1.Command, e.g. "
      "'{\"startMeeting\":{}}' or '{\"requestFloor\":{\"kind\":\"REQUEST_KIND_SPEAK\"}}'. Prints "
      "the result JSON.");
  sub->add_option("--json", *json, "the command as JSON")->required();
  sub->callback([&options, &status, json] {
    v1::Command command;
    const auto parsed = google::protobuf::util::JsonStringToMessage(*json, &command);
    if (!parsed.ok()) {
      status = report_error("INVALID_ARGUMENT", "--json: " + std::string(parsed.message()), exit_usage);
      return;
    }
    if (command.kind_case() == v1::Command::KIND_NOT_SET) {
      status = report_error("INVALID_ARGUMENT", "--json names no command", exit_usage);
      return;
    }
    status = send_command(options, command);
  });
}

struct watch_options {
  std::uint64_t count = 0;  // 0 = no limit
  double seconds = 0;       // 0 = no limit
  bool snapshot = false;
};

// Joins and prints every event as one JSON line until Ctrl-C, --count or --seconds.
int watch(const global_options& options, const watch_options& limits) {
  return run_verb([&](asio::any_io_executor executor) -> asio::awaitable<int> {
    auto joined = co_await connect_and_join(executor, options, true);
    if (!joined.client) co_return joined.status;
    auto& meeting = *joined.client;
    bool stopped_by_us = false;
    const auto stop = [&] {
      if (stopped_by_us) return;
      stopped_by_us = true;
      asio::co_spawn(executor, meeting.close(), log_failure("majlisctl close"));
    };

    if (limits.snapshot) std::cout << to_json_line(meeting.mirror().state()) << std::endl;
    std::uint64_t printed = 0;
    std::uint64_t last_seq = meeting.mirror().seq();
    const auto print_new = [&](const google::protobuf::RepeatedPtrField<v1::Event>& events) {
      for (const auto& event : events) {
        if (event.seq() <= last_seq || (limits.count > 0 && printed >= limits.count)) continue;
        last_seq = event.seq();
        std::cout << to_json_line(event) << std::endl;
        ++printed;
      }
      if (limits.count > 0 && printed >= limits.count) stop();
    };
    meeting.on_events([&](const v1::EventBatch& batch, const client::state_mirror&) {
      print_new(batch.events());
    });
    // After a resume, the replayed events are the ones we missed; a snapshot skips ahead.
    meeting.on_welcome([&](const v1::Welcome& welcome, const client::state_mirror& mirror) {
      if (welcome.has_replay()) {
        print_new(welcome.replay().events());
      } else {
        last_seq = mirror.seq();
      }
    });

    asio::signal_set signals(executor, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
      if (!ec) stop();
    });
    asio::steady_timer deadline(executor);
    if (limits.seconds > 0) {
      deadline.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          std::chrono::duration<double>(limits.seconds)));
      deadline.async_wait([&](const boost::system::error_code& ec) {
        if (!ec) stop();
      });
    }
    if (limits.count > 0 && printed >= limits.count) stop();

    while (!co_await meeting.wait_for_status(client::client_status::closed, 24h)) {
    }
    signals.cancel();
    deadline.cancel();
    if (stopped_by_us) co_return exit_ok;
    const auto& why = meeting.last_error();
    const bool answered_no = why.code() != v1::ERROR_CODE_UNAVAILABLE;
    co_return report_error(error_code_name(why.code()), why.message(),
                           answered_no ? exit_rejected : exit_unavailable);
  });
}

// Joins and prints the mirrored state (the snapshot this viewer may see) as one JSON line.
int print_state(const global_options& options) {
  return run_verb([&](asio::any_io_executor executor) -> asio::awaitable<int> {
    auto joined = co_await connect_and_join(executor, options, false);
    if (!joined.client) co_return joined.status;
    std::cout << to_json_line(joined.client->mirror().state()) << '\n';
    co_await joined.client->close();
    co_return exit_ok;
  });
}

}  // namespace

void add_session_verbs(CLI::App& app, const global_options& options, int& status) {
  for (const auto& verb : command_verbs()) add_command_verb(app, verb, options, status);
  add_generic_command(app, options, status);

  auto limits = std::make_shared<watch_options>();
  auto* watch_verb = app.add_subcommand(
      "watch",
      "Join --meeting and print every event as one JSON line (redacted stubs carry only a seq) "
      "until Ctrl-C, --count or --seconds. Reconnects and resumes by itself.");
  watch_verb->add_option("--count", limits->count, "stop after this many events (default: no limit)");
  watch_verb->add_option("--seconds", limits->seconds, "stop after this many seconds (default: no limit)");
  watch_verb->add_flag("--snapshot", limits->snapshot, "print the state after joining as the first line");
  watch_verb->callback([&options, &status, limits] { status = watch(options, *limits); });

  auto* state_verb = app.add_subcommand(
      "state", "Join --meeting and print the state your token may see as one JSON line.");
  state_verb->callback([&options, &status] { status = print_state(options); });
}

}  // namespace majlis::ctl
