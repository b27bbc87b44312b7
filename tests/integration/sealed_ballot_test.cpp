// Secret ballots sealed in the event log (issue 6): whoever reads the store (a Redis stream, the
// events channel, a MONITOR of the traffic, the SQLite file) learns who voted in a secret poll
// but not what; the instances, which hold the signing secret, still count the same tally, also
// after a restart. A named poll's choices stay in clear, as documented.
//
//   1. Redis, two instances: voters on both, one secret poll closed on each instance, the
//      stream (XRANGE), a SUBSCRIBE capture of {m:<id>}:events and a MONITOR capture are
//      searched for the plain encoding of every secret ballot; then every process and Redis
//      (AOF) restart, and a poll left open is closed with the ballots cast before.
//   2. SQLite: the events table read directly, then majlisd restarted on the same folder.
#include <array>
#include <cstdio>
#include <map>
#include <set>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "majlis/v1/wire.pb.h"
#include "meeting_fixture.hpp"
#include "redis_server_process.hpp"

namespace majlis::testing {
namespace {

namespace fs = std::filesystem;
using tcp = asio::ip::tcp;

// ---- RESP, just enough to read XRANGE replies and pub/sub pushes ----

struct resp {
  char type = 0;  // + - : $ *
  std::string text;
  std::vector<resp> items;
  bool null = false;
};

// One value from data[pos...]; false when the data ends before the value does.
bool parse_resp(std::string_view data, std::size_t& pos, resp& out, int depth = 0) {
  if (depth > 16 || pos >= data.size()) return false;
  const auto line_end = data.find("\r\n", pos);
  if (line_end == std::string_view::npos) return false;
  out = {};
  out.type = data[pos];
  const std::string line(data.substr(pos + 1, line_end - pos - 1));
  pos = line_end + 2;
  switch (out.type) {
    case '+':
    case '-':
    case ':':
      out.text = line;
      return true;
    case '$': {
      const long size = std::stol(line);
      if (size < 0) {
        out.null = true;
        return true;
      }
      if (pos + static_cast<std::size_t>(size) + 2 > data.size()) return false;
      out.text = std::string(data.substr(pos, static_cast<std::size_t>(size)));
      pos += static_cast<std::size_t>(size) + 2;
      return true;
    }
    case '*': {
      const long count = std::stol(line);
      if (count < 0) {
        out.null = true;
        return true;
      }
      for (long i = 0; i < count; ++i) {
        resp item;
        if (!parse_resp(data, pos, item, depth + 1)) return false;
        out.items.push_back(std::move(item));
      }
      return true;
    }
    default:
      throw scenario_failure("not a RESP reply: " + std::string(data.substr(0, 80)));
  }
}

// How redis-server's MONITOR prints an argument (sdscatrepr), without the quotes.
std::string monitor_repr(std::string_view bytes) {
  std::string out;
  char hex[8];
  for (unsigned char c : bytes) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      default:
        if (c >= 0x20 && c < 0x7f) {
          out += static_cast<char>(c);
        } else {
          std::snprintf(hex, sizeof hex, "\\x%02x", c);
          out += hex;
        }
    }
  }
  return out;
}

// A connection to Redis that sends one command (SUBSCRIBE, MONITOR) and keeps what comes back.
struct redis_tap {
  std::string captured;
  tcp::socket socket;
  explicit redis_tap(asio::io_context& io) : socket(io) {}
};

asio::awaitable<void> run_tap(std::shared_ptr<redis_tap> tap, std::uint16_t port,
                              std::string command) {
  co_await tap->socket.async_connect(tcp::endpoint(asio::ip::address_v4::loopback(), port),
                                     asio::use_awaitable);
  co_await asio::async_write(tap->socket, asio::buffer(command), asio::use_awaitable);
  std::array<char, 16384> buffer;
  for (;;) {
    auto [ec, n] = co_await tap->socket.async_read_some(asio::buffer(buffer),
                                                        asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    tap->captured.append(buffer.data(), n);
  }
}

std::shared_ptr<redis_tap> start_tap(asio::io_context& io, std::uint16_t port, std::string command) {
  auto tap = std::make_shared<redis_tap>(io);
  asio::co_spawn(io, run_tap(tap, port, std::move(command)), asio::detached);
  return tap;
}

asio::awaitable<void> wait_for_text(const redis_tap& tap, std::string_view text,
                                    const std::string& what) {
  for (int i = 0; i < 500 && tap.captured.find(text) == std::string::npos; ++i)
    co_await sleep_for(10ms);
  require(tap.captured.find(text) != std::string::npos, what + " never answered");
}

// ---- What a ballot looks like in clear, and the checks on what a store holds ----

// The BallotCast the decider produces, before the replica seals it: its encoding is what must
// not appear in any store for a secret poll.
std::string plain_ballot_encoding(const std::string& poll_id, const std::string& voter_id,
                                  std::uint32_t choice) {
  v1::BallotCast cast;
  cast.set_poll_id(poll_id);
  cast.set_voter_id(voter_id);
  cast.add_choices(choice);
  return cast.SerializeAsString();
}

struct cast_ballot_record {
  std::string poll_id, voter_id;
  std::uint32_t choice = 0;
};

struct log_findings {
  int secret_sealed = 0;   // secret ballots with sealed choices and no plain ones
  int secret_in_clear = 0; // secret ballots with plain choices: must stay 0
  int named_in_clear = 0;  // named ballots with their choice in clear
};

void inspect(const v1::Event& event, const std::set<std::string>& secret_polls,
             const std::string& named_poll, log_findings& found) {
  if (!event.has_ballot_cast()) return;
  const auto& cast = event.ballot_cast();
  if (secret_polls.contains(cast.poll_id())) {
    if (cast.choices().empty() && !cast.sealed_choices().empty()) ++found.secret_sealed;
    if (!cast.choices().empty()) ++found.secret_in_clear;
  } else if (cast.poll_id() == named_poll) {
    if (cast.choices_size() == 1 && cast.sealed_choices().empty()) ++found.named_in_clear;
  }
}

// Neither the raw bytes nor their MONITOR rendering hold a secret ballot's plain encoding; the
// named ones (the control: the search does find a ballot in clear) are there.
void require_no_plain_secret(std::string_view raw, const std::vector<cast_ballot_record>& secret,
                             const std::vector<cast_ballot_record>& named, bool monitor_text,
                             const std::string& where) {
  const auto rendered = [&](const cast_ballot_record& b) {
    const auto bytes = plain_ballot_encoding(b.poll_id, b.voter_id, b.choice);
    return monitor_text ? monitor_repr(bytes) : bytes;
  };
  for (const auto& ballot : secret)
    require(raw.find(rendered(ballot)) == std::string_view::npos,
            where + " holds the secret ballot of " + ballot.voter_id + " in clear");
  for (const auto& ballot : named)
    require(raw.find(rendered(ballot)) != std::string_view::npos,
            where + " lacks the named ballot of " + ballot.voter_id + " (the search is blind)");
}

std::vector<std::uint32_t> tally_of(const v1::Poll* poll) {
  if (poll == nullptr) return {};
  return {poll->tally().begin(), poll->tally().end()};
}

std::vector<std::uint32_t> counts(std::uint32_t yes, std::uint32_t no, std::uint32_t abstain) {
  std::vector<std::uint32_t> out;
  out.push_back(yes);
  out.push_back(no);
  out.push_back(abstain);
  return out;
}

std::string show(const std::vector<std::uint32_t>& tally) {
  std::string out;
  for (auto n : tally) out += std::to_string(n) + " ";
  return out;
}

// ---- The scenario pieces both stores share ----

class sealed_scenario {
 public:
  explicit sealed_scenario(asio::io_context& io) : io_(io) {}

 protected:
  client::http_api& api(const std::string& port) {
    auto& slot = apis_[port];
    if (!slot) {
      client::http_api_config config;
      config.port = port;
      config.admin_key = majlisd_process::admin_key;
      config.timeout = 20s;
      slot = std::make_unique<client::http_api>(io_.get_executor(), config);
    }
    return *slot;
  }

  asio::awaitable<void> create_meeting(const std::string& port) {
    client::meeting_spec spec;
    spec.title = "تصويت سري — sealed ballots";
    const auto created = co_await api(port).create_meeting(spec);
    require(bool(created), "POST /api/meetings failed: " + created.reply.error_message());
    meeting_id_ = created.value->meeting_id;
    moderator_token_ = created.value->tokens.moderator;
  }

  // A client joined through `port`, a participant or a moderator.
  asio::awaitable<std::unique_ptr<test_client>> person(const std::string& port, std::string name,
                                                      v1::Role role) {
    std::string token = moderator_token_, participant;
    if (role == v1::ROLE_MODERATOR && !moderator_token_used_) {
      moderator_token_used_ = true;  // the meeting's own moderator token, once
    } else {
      client::token_request request{role == v1::ROLE_MODERATOR ? "moderator" : "participant",
                                    name, "", "remote", ""};
      const auto issued = co_await api(port).issue_token(meeting_id_, request);
      require(bool(issued), "no token for " + name);
      token = issued.value->token;
      participant = issued.value->participant_id;
    }
    auto who = std::make_unique<test_client>(io_, name, participant, token, role);
    co_await connect_and_join(*who, port, meeting_id_);
    co_return who;
  }

  asio::awaitable<std::string> new_poll(test_client& chair, const std::string& question,
                                        v1::PollSecrecy secrecy) {
    const auto result = co_await must(
        chair, cmd::create_poll(question, v1::POLL_KIND_YES_NO_ABSTAIN, secrecy,
                                v1::RESULTS_VISIBILITY_AFTER_CLOSE),
        "create " + question);
    std::vector<test_client*> waiting;  // not a braced list: GCC 12 coroutines
    waiting.push_back(&chair);
    co_await wait_all(waiting, result.seq());
    for (const auto& poll : chair.state().polls())
      if (poll.question() == question) co_return poll.id();
    require(false, "the poll " + question + " is not in the chair's state");
    co_return std::string();
  }

  // Everyone votes in `poll`, person i for choice_of(i); every ballot is recorded.
  template <class Choice>
  asio::awaitable<std::uint64_t> everyone_votes(const std::string& poll, Choice choice_of,
                                                std::vector<cast_ballot_record>& into) {
    std::uint64_t last = 0;
    for (std::size_t i = 0; i < voters_.size(); ++i) {
      const auto choice = static_cast<std::uint32_t>(choice_of(i));
      const auto result = co_await must(*voters_[i], cmd::cast(poll, choice), "vote");
      last = std::max<std::uint64_t>(last, result.seq());
      into.push_back({poll, voters_[i]->participant_id, choice});
    }
    co_return last;
  }

  asio::io_context& io_;
  std::map<std::string, std::unique_ptr<client::http_api>> apis_;
  std::string meeting_id_, moderator_token_;
  bool moderator_token_used_ = false;
  std::vector<std::unique_ptr<test_client>> voters_;
  std::vector<cast_ballot_record> secret_ballots_, named_ballots_;
};

// =============================================================================================
// 1. Redis, two instances.

class redis_scenario : public sealed_scenario {
 public:
  redis_scenario(asio::io_context& io, redis_server_process& redis) : sealed_scenario(io), redis_(redis) {}

  asio::awaitable<void> run() {
    start_instances();
    co_await create_meeting(a_->port_string());
    subscriber_ = start_tap(io_, redis_.port(), "SUBSCRIBE {m:" + meeting_id_ + "}:events\r\n");
    monitor_ = start_tap(io_, redis_.port(), "MONITOR\r\n");
    co_await wait_for_text(*subscriber_, "subscribe", "SUBSCRIBE");
    co_await wait_for_text(*monitor_, "+OK", "MONITOR");

    chair_a_ = co_await person(a_->port_string(), "chair on A", v1::ROLE_MODERATOR);
    chair_b_ = co_await person(b_->port_string(), "chair on B", v1::ROLE_MODERATOR);
    for (int i = 0; i < 4; ++i) {
      const auto& port = i < 2 ? a_->port_string() : b_->port_string();
      voters_.push_back(co_await person(port, "voter " + std::to_string(i), v1::ROLE_PARTICIPANT));
    }
    co_await must(*chair_a_, cmd::start_meeting(), "start the meeting");
    named_ = co_await new_poll(*chair_a_, "Named: adopt the agenda?", v1::POLL_SECRECY_NAMED);
    closed_on_b_ = co_await new_poll(*chair_a_, "Secret 1 (closed on B)", v1::POLL_SECRECY_SECRET);
    closed_on_a_ = co_await new_poll(*chair_a_, "Secret 2 (closed on A)", v1::POLL_SECRECY_SECRET);
    left_open_ = co_await new_poll(*chair_a_, "Secret 3 (open over a restart)", v1::POLL_SECRECY_SECRET);
    std::uint64_t seq = 0;
    std::vector<std::string> polls;
    polls.push_back(named_);
    polls.push_back(closed_on_b_);
    polls.push_back(closed_on_a_);
    polls.push_back(left_open_);
    for (const auto& poll : polls)
      seq = (co_await must(*chair_a_, cmd::open_poll(poll), "open a poll")).seq();
    co_await wait_all(everyone(), seq);

    // Voters on A and on B: each instance seals its own and opens the other's from pub/sub.
    co_await everyone_votes(named_, [](std::size_t i) { return i % 2; }, named_ballots_);
    co_await everyone_votes(closed_on_b_, [](std::size_t i) { return i % 3; }, secret_ballots_);
    co_await everyone_votes(closed_on_a_, [](std::size_t i) { return (i + 1) % 3; }, secret_ballots_);
    seq = co_await everyone_votes(left_open_, [](std::size_t i) { return i == 3 ? 2 : 1; },
                                  secret_ballots_);
    co_await wait_all(everyone(), seq);
    co_await must(*chair_b_, cmd::close_poll(closed_on_b_), "close secret 1 on B");
    co_await must(*chair_a_, cmd::close_poll(closed_on_a_), "close secret 2 on A");
    seq = (co_await must(*chair_a_, cmd::close_poll(named_), "close the named poll")).seq();
    co_await wait_all(everyone(), seq);

    // Both instances counted the sealed ballots of both: B decided the first close, A the second.
    const auto first = counts(2, 1, 1), second = counts(1, 2, 1);
    for (auto* chair : {chair_a_.get(), chair_b_.get()}) {
      const auto one = tally_of(poll_by_id(chair->state(), closed_on_b_));
      const auto two = tally_of(poll_by_id(chair->state(), closed_on_a_));
      require(one == first, chair->name + " sees secret 1 as " + show(one));
      require(two == second, chair->name + " sees secret 2 as " + show(two));
    }
    check_stream();
    check_channel();
    check_monitor();
    co_await restart_everything();
  }

 private:
  std::vector<test_client*> everyone() const {
    std::vector<test_client*> all{chair_a_.get(), chair_b_.get()};
    for (const auto& v : voters_) all.push_back(v.get());
    return all;
  }
  std::set<std::string> secret_polls() const { return {closed_on_b_, closed_on_a_, left_open_}; }

  void start_instances() {
    a_ = std::make_unique<majlisd_process>(std::vector<std::string>{"--redis", redis_.url(), "--instance-id", "a"});
    b_ = std::make_unique<majlisd_process>(std::vector<std::string>{"--redis", redis_.url(), "--instance-id", "b"});
  }

  std::string xrange() {
    const std::string command = "XRANGE {m:" + meeting_id_ + "}:log - +";
    for (int attempt = 0; attempt < 5; ++attempt) {
      const auto raw = redis_.command(command);
      resp reply;
      std::size_t pos = 0;
      if (parse_resp(raw, pos, reply)) return raw;
    }
    require(false, "no complete XRANGE reply");
    return {};
  }

  void check_stream() {
    const auto raw = xrange();
    resp reply;
    std::size_t pos = 0;
    parse_resp(raw, pos, reply);
    require(reply.type == '*' && !reply.items.empty(), "XRANGE returned nothing");
    log_findings found;
    for (const auto& entry : reply.items) {
      require(entry.items.size() == 2 && entry.items[1].items.size() == 2, "an odd stream entry");
      v1::Event event;
      require(event.ParseFromString(entry.items[1].items[1].text), "a stream entry is no Event");
      inspect(event, secret_polls(), named_, found);
    }
    require(found.secret_in_clear == 0, "the stream holds secret ballots in clear");
    require(found.secret_sealed == 12, "the stream holds " + std::to_string(found.secret_sealed) +
                                           " sealed secret ballots, not 12");
    require(found.named_in_clear == 4, "the named ballots are not in clear in the stream");
    require_no_plain_secret(raw, secret_ballots_, named_ballots_, false, "XRANGE");
  }

  void check_channel() {
    const auto& raw = subscriber_->captured;
    std::size_t pos = 0;
    log_findings found;
    resp push;
    int messages = 0;
    while (parse_resp(raw, pos, push)) {
      if (push.items.size() != 3 || push.items[0].text != "message") continue;
      ++messages;
      const auto& payload = push.items[2].text;
      const auto newline = payload.find('\n');
      require(newline != std::string::npos, "a published batch without its epoch line");
      v1::EventBatch batch;
      require(batch.ParseFromString(payload.substr(newline + 1)), "a published batch is no EventBatch");
      for (const auto& event : batch.events()) inspect(event, secret_polls(), named_, found);
    }
    require(messages > 0, "the SUBSCRIBE capture holds no batch");
    require(found.secret_in_clear == 0, "the events channel carried secret ballots in clear");
    require(found.secret_sealed == 12, "the events channel carried " +
                                           std::to_string(found.secret_sealed) +
                                           " sealed secret ballots, not 12");
    require(found.named_in_clear == 4, "the named ballots are not in clear on the channel");
    require_no_plain_secret(raw, secret_ballots_, named_ballots_, false, "the SUBSCRIBE capture");
  }

  void check_monitor() {
    require_no_plain_secret(monitor_->captured, secret_ballots_, named_ballots_, true,
                            "the MONITOR capture");
  }

  // Every majlisd and Redis (AOF) restart; the poll left open is closed with its old ballots.
  asio::awaitable<void> restart_everything() {
    chair_a_.reset();
    chair_b_.reset();
    voters_.clear();
    a_->stop();
    b_->stop();
    redis_.stop();
    redis_.restart();
    start_instances();
    auto chair = co_await person(b_->port_string(), "chair after the restart", v1::ROLE_MODERATOR);
    auto result = co_await must(*chair, cmd::close_poll(left_open_), "close secret 3");
    std::vector<test_client*> waiting;
    waiting.push_back(chair.get());
    co_await wait_all(waiting, result.seq());
    const auto tally = tally_of(poll_by_id(chair->state(), left_open_));
    require(tally == counts(0, 3, 1),
            "after the restart secret 3 counts " + show(tally));
  }

  redis_server_process& redis_;
  std::unique_ptr<majlisd_process> a_, b_;
  std::shared_ptr<redis_tap> subscriber_, monitor_;
  std::unique_ptr<test_client> chair_a_, chair_b_;
  std::string named_, closed_on_b_, closed_on_a_, left_open_;
};

TEST(sealed_ballots, redis_stream_channel_and_monitor_show_no_secret_choice_and_both_instances_count) {
  redis_server_process::options options;
  options.append_only = true;
  redis_server_process redis(options);
  asio::io_context io;
  redis_scenario scenario(io, redis);
  const auto failure = run_scenario(io, scenario.run(), 120s);
  EXPECT_TRUE(failure.empty()) << failure;
}

// =============================================================================================
// 2. SQLite.

std::vector<v1::Event> read_events_table(const fs::path& database, const std::string& meeting_id,
                                         std::string& raw) {
  sqlite3* db = nullptr;
  std::vector<v1::Event> events;
  if (sqlite3_open_v2(database.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    throw scenario_failure("cannot open " + database.string());
  }
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(db, "SELECT body FROM events WHERE meeting_id = ?1 ORDER BY seq", -1,
                     &statement, nullptr);
  sqlite3_bind_text(statement, 1, meeting_id.c_str(), -1, SQLITE_TRANSIENT);
  while (statement != nullptr && sqlite3_step(statement) == SQLITE_ROW) {
    const auto* bytes = static_cast<const char*>(sqlite3_column_blob(statement, 0));
    const std::string body(bytes, static_cast<std::size_t>(sqlite3_column_bytes(statement, 0)));
    raw += body;
    v1::Event event;
    if (!event.ParseFromString(body)) throw scenario_failure("an events row is no Event");
    events.push_back(std::move(event));
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return events;
}

// The meeting's stored snapshot, decoded (nullopt when there is none).
std::optional<v1::MeetingState> read_snapshot(const fs::path& database, const std::string& meeting_id) {
  sqlite3* db = nullptr;
  std::optional<v1::MeetingState> out;
  if (sqlite3_open_v2(database.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    throw scenario_failure("cannot open " + database.string());
  }
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(db, "SELECT state FROM snapshots WHERE meeting_id = ?1", -1, &statement, nullptr);
  sqlite3_bind_text(statement, 1, meeting_id.c_str(), -1, SQLITE_TRANSIENT);
  if (statement != nullptr && sqlite3_step(statement) == SQLITE_ROW) {
    const auto* bytes = static_cast<const char*>(sqlite3_column_blob(statement, 0));
    v1::MeetingState state;
    if (state.ParseFromArray(bytes, sqlite3_column_bytes(statement, 0))) out = std::move(state);
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return out;
}

class sqlite_scenario : public sealed_scenario {
 public:
  sqlite_scenario(asio::io_context& io, fs::path data_dir) : sealed_scenario(io), data_dir_(std::move(data_dir)) {}

  asio::awaitable<void> run() {
    // A snapshot every ten events: the agenda items added after the votes make one while the
    // secret poll is open.
    server_ = std::make_unique<majlisd_process>(
        std::vector<std::string>{"--data-dir", data_dir_.string(), "--snapshot-every", "10"});
    const auto port = server_->port_string();
    co_await create_meeting(port);
    auto chair = co_await person(port, "chair", v1::ROLE_MODERATOR);
    for (int i = 0; i < 3; ++i)
      voters_.push_back(co_await person(port, "voter " + std::to_string(i), v1::ROLE_PARTICIPANT));
    co_await must(*chair, cmd::start_meeting(), "start the meeting");
    const auto named = co_await new_poll(*chair, "Named", v1::POLL_SECRECY_NAMED);
    const auto secret = co_await new_poll(*chair, "Secret", v1::POLL_SECRECY_SECRET);
    co_await must(*chair, cmd::open_poll(named), "open the named poll");
    co_await must(*chair, cmd::open_poll(secret), "open the secret poll");
    co_await everyone_votes(named, [](std::size_t i) { return i % 2; }, named_ballots_);
    co_await everyone_votes(secret, [](std::size_t i) { return i == 0 ? 0 : 2; }, secret_ballots_);
    for (int i = 0; i < 12; ++i)
      co_await must(*chair, cmd::add_item("Item " + std::to_string(i), "", 5), "add an item");
    chair.reset();
    voters_.clear();
    require(server_->stop() == 0, "majlisd did not stop cleanly");

    std::string raw;
    log_findings found;
    std::set<std::string> secret_polls;
    secret_polls.insert(secret);
    for (const auto& event : read_events_table(data_dir_ / "majlis.db", meeting_id_, raw))
      inspect(event, secret_polls, named, found);
    require(found.secret_in_clear == 0, "the events table holds secret ballots in clear");
    require(found.secret_sealed == 3, "the events table holds " +
                                          std::to_string(found.secret_sealed) +
                                          " sealed secret ballots, not 3");
    require(found.named_in_clear == 3, "the named ballots are not in clear in the events table");
    require_no_plain_secret(raw, secret_ballots_, named_ballots_, false, "the events table");

    // The snapshot: who voted, but the open secret poll's running tally sealed.
    const auto snapshot = read_snapshot(data_dir_ / "majlis.db", meeting_id_);
    require(snapshot.has_value(), "no snapshot was stored");
    const auto* stored_secret = poll_by_id(*snapshot, secret);
    const auto* stored_named = poll_by_id(*snapshot, named);
    require(stored_secret && stored_secret->voter_ids_size() == 3 &&
                stored_secret->tally().empty() && !stored_secret->sealed_tally().empty(),
            "the snapshot shows the open secret poll as " +
                (stored_secret ? stored_secret->ShortDebugString() : std::string("missing")));
    require(stored_named && stored_named->tally_size() == 3 && stored_named->sealed_tally().empty(),
            "the snapshot's named poll is not in clear");

    // The same folder again: the sealed ballots are opened on load and counted at close.
    server_ = std::make_unique<majlisd_process>(std::vector<std::string>{"--data-dir", data_dir_.string()});
    moderator_token_used_ = false;
    chair = co_await person(server_->port_string(), "chair after the restart", v1::ROLE_MODERATOR);
    const auto result = co_await must(*chair, cmd::close_poll(secret), "close the secret poll");
    std::vector<test_client*> waiting;
    waiting.push_back(chair.get());
    co_await wait_all(waiting, result.seq());
    const auto tally = tally_of(poll_by_id(chair->state(), secret));
    require(tally == counts(1, 0, 2), "after the restart the secret poll counts " + show(tally));
  }

 private:
  fs::path data_dir_;
  std::unique_ptr<majlisd_process> server_;
};

TEST(sealed_ballots, sqlite_events_table_shows_no_secret_choice_and_the_tally_survives_a_restart) {
  const auto data_dir = make_temp_folder("majlis-sealed");
  {
    asio::io_context io;
    sqlite_scenario scenario(io, data_dir);
    const auto failure = run_scenario(io, scenario.run(), 60s);
    EXPECT_TRUE(failure.empty()) << failure;
  }
  std::error_code ignored;
  fs::remove_all(data_dir, ignored);
}

}  // namespace
}  // namespace majlis::testing
