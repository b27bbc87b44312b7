// Shared pieces of the integration tests that drive a real majlisd through the C++ client:
// one io_context in the test thread, scenarios as coroutines bounded in time, clients that
// record what they received, command builders and state comparison.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <google/protobuf/util/message_differencer.h>

#include "majlis/client/http_api.hpp"
#include "majlis/client/meeting_client.hpp"
#include "majlis/v1/commands.pb.h"
#include "majlis/v1/events.pb.h"
#include "majlis/v1/state.pb.h"
#include "majlisd_process.hpp"

namespace majlis::testing {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// A failed step inside a scenario coroutine: GoogleTest's ASSERT_* cannot leave a coroutine,
// so a fatal check throws and run_scenario reports the message.
struct scenario_failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline void require(bool ok, const std::string& what) {
  if (!ok) throw scenario_failure(what);
}

// Runs `work` on `io` (in this thread) until it finishes or `limit` passes. Returns the failure
// text: empty when the scenario completed. The io_context is stopped either way; the clients'
// background loops stay suspended until their owners are destroyed.
inline std::string run_scenario(asio::io_context& io, asio::awaitable<void> work,
                                std::chrono::milliseconds limit) {
  bool done = false;
  std::string failure;
  asio::co_spawn(io, std::move(work), [&](std::exception_ptr error) {
    done = true;
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        failure = e.what();
      } catch (...) {
        failure = "unknown exception";
      }
    }
    io.stop();
  });
  try {
    io.run_for(limit);
  } catch (const std::exception& e) {
    // A client's background coroutine threw: a bug in the client library.
    return std::string("exception escaped io_context::run: ") + e.what();
  }
  if (!done) return "the scenario did not finish within " + std::to_string(limit.count()) + " ms";
  return failure;
}

// The HTTP API of a majlisd under test, with the admin key.
inline client::http_api make_api(asio::io_context& io, const std::string& port,
                                 std::string admin_key = majlisd_process::admin_key) {
  client::http_api_config config;
  config.port = port;
  config.admin_key = std::move(admin_key);
  config.timeout = 20s;
  return client::http_api(io.get_executor(), config);
}

// A client that reconnects fast (tests restart and stop servers under it), up to
// `reconnect_attempts` times.
inline client::meeting_client_config client_config(std::uint64_t seed,
                                                   int reconnect_attempts = 200) {
  client::meeting_client_config c;
  c.jitter_seed = seed;
  c.command_timeout = 15s;
  c.connect_timeout = 5s;
  c.join_timeout = 10s;
  c.reconnect_backoff.initial = 50ms;
  c.reconnect_backoff.max = 300ms;
  c.reconnect_backoff.max_attempts = reconnect_attempts;
  return c;
}

// A whole file's bytes (empty when it cannot be read).
inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream out;
  out << file.rdbuf();
  return out.str();
}

// The value of one line of majlisd's /metrics, by its exact name and labels.
inline std::uint64_t metric(const std::string& text, const std::string& name) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(name + ' ', 0) == 0) return std::stoull(line.substr(name.size() + 1));
  }
  throw scenario_failure("no metric " + name + " in /metrics");
}

inline asio::awaitable<void> sleep_for(std::chrono::milliseconds duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor, duration);
  co_await timer.async_wait(asio::use_awaitable);
}

// One meeting client and everything it was sent, as received.
struct test_client {
  std::string name;
  std::string participant_id;
  std::string token;
  v1::Role role = v1::ROLE_UNSPECIFIED;
  std::unique_ptr<client::meeting_client> client;
  std::vector<v1::Event> received;     // every event of every EventBatch, in arrival order
  std::vector<v1::Welcome> welcomes;   // every accepted Welcome (snapshot or replay)

  test_client(asio::io_context& io, std::string who, std::string participant, std::string join_token,
              v1::Role as, client::meeting_client_config config = {})
      : name(std::move(who)),
        participant_id(std::move(participant)),
        token(std::move(join_token)),
        role(as),
        client(std::make_unique<client::meeting_client>(io.get_executor(), std::move(config))) {
    client->on_events([this](const v1::EventBatch& batch, const client::state_mirror&) {
      for (const auto& event : batch.events()) received.push_back(event);
    });
    client->on_welcome([this](const v1::Welcome& welcome, const client::state_mirror&) {
      welcomes.push_back(welcome);
    });
  }

  const v1::MeetingState& state() const { return client->mirror().state(); }
  std::uint64_t seq() const { return client->mirror().seq(); }
};

inline asio::awaitable<void> connect_and_join(test_client& who, const std::string& port,
                                              const std::string& meeting_id) {
  const auto ec = co_await who.client->connect("127.0.0.1", port);
  require(!ec, who.name + ": connect failed: " + ec.message());
  const auto joined = co_await who.client->join(meeting_id, who.token);
  require(joined.ok, who.name + ": join failed: " + joined.error.ShortDebugString());
  require(joined.welcome.you().role() == who.role,
          who.name + ": the Welcome names another role: " + joined.welcome.you().ShortDebugString());
  if (!who.participant_id.empty()) {
    require(joined.welcome.you().participant_id() == who.participant_id,
            who.name + ": the Welcome names another participant");
  }
  who.participant_id = joined.welcome.you().participant_id();
}

inline std::string describe(const v1::CommandResult& result) {
  return result.ok() ? "ok seq " + std::to_string(result.seq())
                     : v1::ErrorCode_Name(result.error().code()) + ": " + result.error().message();
}

// Sends a command that must succeed; returns its result (seq = last event it produced).
inline asio::awaitable<v1::CommandResult> must(test_client& who, v1::Command command,
                                               const std::string& what) {
  auto result = co_await who.client->send(std::move(command), 10s);
  require(result.ok(), who.name + " could not " + what + ": " + describe(result));
  co_return result;
}

// Sends a command that must be refused with `code`.
inline asio::awaitable<v1::CommandResult> refused(test_client& who, v1::Command command,
                                                  v1::ErrorCode code, const std::string& what) {
  auto result = co_await who.client->send(std::move(command), 10s);
  require(!result.ok() && result.error().code() == code,
          who.name + ": " + what + " should be refused with " + v1::ErrorCode_Name(code) +
              ", got " + describe(result));
  co_return result;
}

// Waits until every client's mirror has reached `seq`.
inline asio::awaitable<void> wait_all(const std::vector<test_client*>& clients, std::uint64_t seq,
                                      std::chrono::milliseconds timeout = 10s) {
  for (auto* who : clients) {
    const bool reached = co_await who->client->wait_for_seq(seq, timeout);
    require(reached, who->name + " did not reach seq " + std::to_string(seq) + " (at " +
                         std::to_string(who->seq()) + ", status " +
                         client::to_string(who->client->status()) + ")");
  }
}

// --- comparing states ---

// What a live mirror and a fresh snapshot of the same audience must agree on: everything but
// the viewer's own choices, which a mirror never learns from events (a snapshot carries them).
inline v1::MeetingState without_my_choices(const v1::MeetingState& state) {
  v1::MeetingState view = state;
  for (auto& poll : *view.mutable_polls()) poll.clear_my_choices();
  return view;
}

// A moderator's state reduced to what participants and displays get of it: a hidden
// contribution keeps only that it exists and is hidden (no text, no upvotes), and named
// ballots of polls whose results are not public yet are left out.
inline v1::MeetingState as_non_moderators_see(const v1::MeetingState& state) {
  v1::MeetingState view = without_my_choices(state);
  for (auto& contribution : *view.mutable_contributions()) {
    if (!contribution.hidden()) continue;
    contribution.clear_text();
    contribution.clear_upvoter_ids();
    contribution.clear_upvotes();
  }
  for (auto& poll : *view.mutable_polls()) {
    const bool ballots_public = poll.secrecy() == v1::POLL_SECRECY_NAMED &&
                                (poll.visibility() == v1::RESULTS_VISIBILITY_LIVE ||
                                 poll.status() == v1::POLL_STATUS_PUBLISHED);
    if (!ballots_public) poll.clear_ballots();
  }
  return view;
}

// Empty when equal, else the differences in readable form.
inline std::string differences(const google::protobuf::Message& a, const google::protobuf::Message& b) {
  std::string report;
  google::protobuf::util::MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&report);
  if (differencer.Compare(a, b)) return {};
  if (report.size() > 4000) report.resize(4000);
  return report.empty() ? std::string("(differ)") : report;
}

// --- lookups in a state ---

inline const v1::AgendaItem* item_by_id(const v1::MeetingState& state, const std::string& id) {
  for (const auto& item : state.agenda()) {
    if (item.id() == id) return &item;
  }
  return nullptr;
}

inline const v1::Poll* poll_by_id(const v1::MeetingState& state, const std::string& id) {
  for (const auto& poll : state.polls()) {
    if (poll.id() == id) return &poll;
  }
  return nullptr;
}

inline const v1::Participant* participant_by_id(const v1::MeetingState& state,
                                                const std::string& id) {
  for (const auto& participant : state.participants()) {
    if (participant.id() == id) return &participant;
  }
  return nullptr;
}

// --- command builders ---
namespace cmd {

inline v1::Command start_meeting() {
  v1::Command c;
  c.mutable_start_meeting();
  return c;
}
inline v1::Command end_meeting() {
  v1::Command c;
  c.mutable_end_meeting();
  return c;
}
inline v1::Command add_walk_in(const std::string& name, const std::string& group) {
  v1::Command c;
  c.mutable_add_walk_in()->set_display_name(name);
  c.mutable_add_walk_in()->set_stakeholder_group(group);
  return c;
}
inline v1::Command add_item(const std::string& title, const std::string& description,
                            std::uint32_t minutes, const std::string& presenter = {}) {
  v1::Command c;
  auto& add = *c.mutable_add_agenda_item();
  add.set_title(title);
  add.set_description(description);
  add.set_planned_minutes(minutes);
  add.set_presenter(presenter);
  add.set_position(-1);
  return c;
}
inline v1::Command start_item(const std::string& item_id) {
  v1::Command c;
  c.mutable_start_agenda_item()->set_item_id(item_id);
  return c;
}
inline v1::Command request(v1::RequestKind kind, const std::string& on_behalf_of = {}) {
  v1::Command c;
  c.mutable_request_floor()->set_kind(kind);
  c.mutable_request_floor()->set_participant_id(on_behalf_of);
  return c;
}
inline v1::Command set_policy(bool first_time_first, bool alternate_attendance,
                              bool stakeholder_balance) {
  v1::Command c;
  auto& policy = *c.mutable_set_queue_policy()->mutable_policy();
  policy.set_first_time_first(first_time_first);
  policy.set_alternate_attendance(alternate_attendance);
  policy.set_stakeholder_balance(stakeholder_balance);
  return c;
}
inline v1::Command next_speaker() {
  v1::Command c;
  c.mutable_next_speaker();
  return c;
}
inline v1::Command grant_floor(const std::string& participant_id) {
  v1::Command c;
  c.mutable_grant_floor()->set_participant_id(participant_id);
  return c;
}
inline v1::Command pause_floor() {
  v1::Command c;
  c.mutable_pause_floor();
  return c;
}
inline v1::Command resume_floor() {
  v1::Command c;
  c.mutable_resume_floor();
  return c;
}
inline v1::Command end_turn() {
  v1::Command c;
  c.mutable_end_turn();
  return c;
}
inline v1::Command create_poll(const std::string& question, v1::PollKind kind,
                               v1::PollSecrecy secrecy, v1::ResultsVisibility visibility,
                               const std::vector<std::string>& options = {}) {
  v1::Command c;
  auto& create = *c.mutable_create_poll();
  create.set_question(question);
  create.set_kind(kind);
  create.set_secrecy(secrecy);
  create.set_visibility(visibility);
  for (const auto& option : options) create.add_options(option);
  return c;
}
inline v1::Command open_poll(const std::string& id) {
  v1::Command c;
  c.mutable_open_poll()->set_poll_id(id);
  return c;
}
inline v1::Command close_poll(const std::string& id) {
  v1::Command c;
  c.mutable_close_poll()->set_poll_id(id);
  return c;
}
inline v1::Command publish_poll(const std::string& id) {
  v1::Command c;
  c.mutable_publish_poll()->set_poll_id(id);
  return c;
}
inline v1::Command cast(const std::string& poll_id, std::uint32_t choice) {
  v1::Command c;
  c.mutable_cast_ballot()->set_poll_id(poll_id);
  c.mutable_cast_ballot()->add_choices(choice);
  return c;
}
inline v1::Command submit(const std::string& text) {
  v1::Command c;
  c.mutable_submit_contribution()->set_text(text);
  return c;
}
inline v1::Command upvote(const std::string& contribution_id) {
  v1::Command c;
  c.mutable_upvote_contribution()->set_contribution_id(contribution_id);
  return c;
}
inline v1::Command mark(const std::string& contribution_id, bool answered, bool hidden) {
  v1::Command c;
  auto& marked = *c.mutable_mark_contribution();
  marked.set_contribution_id(contribution_id);
  marked.set_answered(answered);
  marked.set_hidden(hidden);
  return c;
}
inline v1::Command decision(const std::string& item_id, const std::string& text) {
  v1::Command c;
  c.mutable_record_decision()->set_item_id(item_id);
  c.mutable_record_decision()->set_text(text);
  return c;
}
inline v1::Command action(const std::string& item_id, const std::string& text,
                          const std::string& owner, const std::string& due_date) {
  v1::Command c;
  auto& action = *c.mutable_record_action_item();
  action.set_item_id(item_id);
  action.set_text(text);
  action.set_owner(owner);
  action.set_due_date(due_date);
  return c;
}

inline v1::Command verify_participant(const std::string& participant_id) {
  v1::Command c;
  c.mutable_verify_participant()->set_participant_id(participant_id);
  return c;
}

}  // namespace cmd

}  // namespace majlis::testing
