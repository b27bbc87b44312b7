// GET /api/meetings/ID/export and `majlisctl export` on a real majlisd: a short meeting with an
// agenda, the speaking queue, a named and two secret polls, contributions, a decision and an
// action item, and its Markdown minutes in English and Arabic. The admin's export replays through
// the domain's evolve to its own state line and to what a fresh chair is sent; the chair's export
// keeps every secret ballot's choice out.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>
#include <boost/json.hpp>

#include "domain/decider.hpp"
#include "domain/projection.hpp"
#include "app/ballot_seal.hpp"
#include "meeting_fixture.hpp"

namespace majlis::testing {
namespace {

namespace json = boost::json;

// An export, line by line. `problem` says what is wrong with its form (empty when none).
struct parsed_export {
  json::object header;
  std::optional<v1::MeetingState> snapshot;
  std::vector<v1::Event> events;
  std::optional<v1::MeetingState> state;
  std::string problem;
};

bool from_json(const json::value& value, google::protobuf::Message& message) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  return google::protobuf::util::JsonStringToMessage(json::serialize(value), &message, options)
      .ok();
}

// Each line one JSON object with one key: export first, snapshot at most once before the events,
// events, state last.
parsed_export parse_export(const std::string& body) {
  parsed_export out;
  std::istringstream lines(body);
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    const auto where = "line " + std::to_string(number) + ": ";
    boost::system::error_code ec;
    auto value = json::parse(line, ec);
    if (ec || !value.is_object() || value.as_object().size() != 1) {
      out.problem = where + "not a JSON object with one key: " + line.substr(0, 200);
      return out;
    }
    const auto& entry = *value.as_object().begin();
    const std::string_view key = entry.key();
    const json::value& inner = entry.value();
    if (out.state) {
      out.problem = where + "a line after the state line";
    } else if (number == 1) {
      if (key != "export" || !inner.is_object())
        out.problem = where + "the first line is not the export header";
      else
        out.header = inner.as_object();
    } else if (key == "snapshot" && number == 2) {
      out.snapshot.emplace();
      if (!from_json(inner, *out.snapshot)) out.problem = where + "not a MeetingState";
    } else if (key == "event") {
      if (!from_json(inner, out.events.emplace_back())) out.problem = where + "not an Event";
    } else if (key == "state") {
      out.state.emplace();
      if (!from_json(inner, *out.state)) out.problem = where + "not a MeetingState";
    } else {
      out.problem = where + "unexpected key " + std::string(key);
    }
    if (!out.problem.empty()) return out;
  }
  if (number == 0)
    out.problem = "empty export";
  else if (!out.state)
    out.problem = "no state line at the end";
  else if (!body.ends_with('\n'))
    out.problem = "the last line does not end in a newline";
  return out;
}

// The export's events folded through the domain's evolve, from its snapshot or the empty state,
// up to `last_seq`.
// With `seal` (the signing secret), sealed secret ballots are opened first, as majlisd does.
v1::MeetingState replay(const parsed_export& e,
                        std::uint64_t last_seq = std::numeric_limits<std::uint64_t>::max(),
                        const app::ballot_seal* seal = nullptr) {
  v1::MeetingState state = e.snapshot ? *e.snapshot : v1::MeetingState{};
  if (seal) seal->open_running_tallies(state);
  for (const auto& event : e.events) {
    if (event.seq() > last_seq) break;
    v1::Event opened = event;
    if (seal) seal->open_event(opened);
    domain::evolve(state, opened);
    state.set_seq(event.seq());
  }
  return state;
}

std::string header_string(const parsed_export& e, std::string_view key) {
  if (const auto* value = e.header.if_contains(key); value && value->is_string())
    return std::string(value->as_string());
  return {};
}

bool header_flag(const parsed_export& e, std::string_view key) {
  const auto* value = e.header.if_contains(key);
  return value && value->is_bool() && value->as_bool();
}

// The export without its exportedAtMs, the one thing two exports of an idle meeting differ in.
std::string without_export_time(const std::string& body) {
  const auto end_of_header = body.find('\n');
  if (end_of_header == std::string::npos) return body;
  boost::system::error_code ec;
  auto header = json::parse(std::string_view(body).substr(0, end_of_header), ec);
  if (ec || !header.is_object() || !header.as_object().contains("export")) return body;
  header.as_object()["export"].as_object().erase("exportedAtMs");
  return json::serialize(header) + body.substr(end_of_header);
}

class export_scenario {
 public:
  export_scenario(asio::io_context& io, const majlisd_process& server)
      : io_(io), port_(server.port_string()) {
    client::http_api_config config;
    config.port = port_;
    config.admin_key = majlisd_process::admin_key;
    http_ = std::make_unique<client::http_api>(io.get_executor(), config);
  }

  asio::awaitable<void> run() {
    co_await gather();
    co_await hold_the_meeting();
    // Before the exports, which majlisctl's must equal afterwards (the display's join is in both).
    co_await minutes_in_english_and_arabic();
    co_await admin_export_replays_to_the_state_and_to_a_fresh_chairs_snapshot();
    co_await moderator_export_keeps_secret_choices_out();
    co_await who_may_export();
  }

  const std::string& meeting_id() const { return meeting_id_; }
  const std::string& moderator_token() const { return chair_->token; }
  const std::string& participant_token() const { return people_.front()->token; }
  const std::string& admin_body() const { return admin_body_; }
  const std::string& moderator_body() const { return moderator_body_; }

 private:
  std::vector<test_client*> everyone() const {
    std::vector<test_client*> all{chair_.get()};
    for (const auto& p : people_) all.push_back(p.get());
    return all;
  }
  asio::awaitable<void> settle(std::uint64_t seq) { co_await wait_all(everyone(), seq); }
  asio::awaitable<std::uint64_t> chair_does(v1::Command command, const std::string& what) {
    const auto result = co_await must(*chair_, std::move(command), what);
    co_return result.seq();
  }
  std::string poll_id(const std::string& question) const {
    for (const auto& poll : chair_->state().polls())
      if (poll.question() == question) return poll.id();
    return {};
  }

  asio::awaitable<void> gather() {
    client::meeting_spec spec;
    spec.title = "مشاورة حول قانون البيانات — Data law consultation";
    const auto created = co_await http_->create_meeting(spec);
    require(bool(created), "POST /api/meetings failed: " + created.reply.error_message());
    meeting_id_ = created.value->meeting_id;
    display_token_ = created.value->tokens.display;
    chair_ = std::make_unique<test_client>(io_, "chair", "", created.value->tokens.moderator,
                                           v1::ROLE_MODERATOR);
    const char* names[] = {"عمر المختار", "Amina Haddad", "فاطمة الزهراء"};
    const char* groups[] = {"government", "private_sector", "civil_society"};
    for (int i = 0; i < 3; ++i) {
      client::token_request request{"participant", names[i], groups[i],
                                    i == 1 ? "remote" : "in_room", ""};
      const auto issued = co_await http_->issue_token(meeting_id_, request);
      require(bool(issued), std::string("no token for ") + names[i]);
      people_.push_back(std::make_unique<test_client>(io_, names[i], issued.value->participant_id,
                                                      issued.value->token, v1::ROLE_PARTICIPANT));
    }
    for (auto* who : everyone()) co_await connect_and_join(*who, port_, meeting_id_);
  }

  asio::awaitable<void> hold_the_meeting() {
    co_await chair_does(cmd::add_item("حماية البيانات", "Data protection", 30), "add item 1");
    auto seq = co_await chair_does(cmd::add_item("Next steps", "", 10), "add item 2");
    co_await settle(seq);
    const std::string item = chair_->state().agenda(0).id();
    co_await chair_does(cmd::start_meeting(), "start the meeting");
    co_await chair_does(cmd::start_item(item), "start item 1");

    // The speaking queue.
    for (auto& person : people_)
      co_await must(*person, cmd::request(v1::REQUEST_KIND_SPEAK), "ask to speak");
    co_await chair_does(cmd::next_speaker(), "give the floor");
    co_await chair_does(cmd::end_turn(), "end the turn");

    // A named poll, published.
    const std::string named_question = "Which model for the authority?";
    std::vector<std::string> options;
    options.push_back("independent");
    options.push_back("ministry");
    seq = co_await chair_does(
        cmd::create_poll(named_question, v1::POLL_KIND_SINGLE, v1::POLL_SECRECY_NAMED,
                         v1::RESULTS_VISIBILITY_AFTER_CLOSE, options),
        "create the named poll");
    co_await settle(seq);
    named_poll_ = poll_id(named_question);
    co_await chair_does(cmd::open_poll(named_poll_), "open the named poll");
    for (std::size_t i = 0; i < people_.size(); ++i)
      co_await must(*people_[i], cmd::cast(named_poll_, static_cast<std::uint32_t>(i % 2)),
                    "vote (named)");
    co_await chair_does(cmd::close_poll(named_poll_), "close the named poll");
    co_await chair_does(cmd::publish_poll(named_poll_), "publish the named poll");

    // A secret poll, closed; and another left open with one ballot, its tally still running.
    const std::string secret_question = "هل توافقون على المشروع؟";
    seq = co_await chair_does(
        cmd::create_poll(secret_question, v1::POLL_KIND_YES_NO_ABSTAIN, v1::POLL_SECRECY_SECRET,
                         v1::RESULTS_VISIBILITY_AFTER_CLOSE),
        "create the secret poll");
    const std::string open_question = "Extend the consultation?";
    seq = co_await chair_does(
        cmd::create_poll(open_question, v1::POLL_KIND_YES_NO_ABSTAIN, v1::POLL_SECRECY_SECRET,
                         v1::RESULTS_VISIBILITY_ON_PUBLISH),
        "create the open secret poll");
    co_await settle(seq);
    secret_poll_ = poll_id(secret_question);
    open_secret_poll_ = poll_id(open_question);
    co_await chair_does(cmd::open_poll(secret_poll_), "open the secret poll");
    for (std::size_t i = 0; i < people_.size(); ++i)
      co_await must(*people_[i], cmd::cast(secret_poll_, i == 0 ? 1u : 0u), "vote (secret)");
    co_await chair_does(cmd::close_poll(secret_poll_), "close the secret poll");
    co_await chair_does(cmd::open_poll(open_secret_poll_), "open the second secret poll");
    co_await must(*people_[1], cmd::cast(open_secret_poll_, 1), "vote (open secret)");

    // Contributions, a decision, an action item.
    seq = (co_await must(*people_[0], cmd::submit("ينبغي نشر المسودة"), "write")).seq();
    co_await must(*people_[2], cmd::submit("Publish the impact study"), "write");
    co_await settle(seq);
    const std::string contribution = chair_->state().contributions(0).id();
    co_await must(*people_[1], cmd::upvote(contribution), "upvote");
    co_await chair_does(cmd::mark(contribution, true, false), "mark answered");
    co_await chair_does(cmd::decision(item, "Publish the draft for comment"), "record a decision");
    seq = co_await chair_does(cmd::action(item, "Circulate the draft", "Secretariat", "2026-12-31"),
                              "record an action item");
    co_await settle(seq);
  }

  static bool is_online(const test_client& who) {
    const auto* self = participant_by_id(who.state(), who.participant_id);
    return self != nullptr && self->online();
  }

  asio::awaitable<client::http_reply> get(std::string target, std::string bearer) {
    co_return co_await http_->request("GET", std::move(target), std::string(), std::move(bearer));
  }
  std::string export_target(const std::string& meeting_id) const {
    return "/api/meetings/" + meeting_id + "/export";
  }

  asio::awaitable<void> admin_export_replays_to_the_state_and_to_a_fresh_chairs_snapshot() {
    // A second chair joins afresh: its Welcome snapshot is the state at its seq, projected.
    client::token_request request{"moderator", "Rapporteur", "", "in_room", ""};
    const auto issued = co_await http_->issue_token(meeting_id_, request);
    require(bool(issued), "no moderator token");
    fresh_chair_ = std::make_unique<test_client>(io_, "fresh chair", issued.value->participant_id,
                                                 issued.value->token, v1::ROLE_MODERATOR);
    co_await connect_and_join(*fresh_chair_, port_, meeting_id_);
    const auto welcome = fresh_chair_->welcomes.at(0);
    require(welcome.has_snapshot(), "the fresh chair got no snapshot");
    // Its connection is committed after the Welcome: wait for it, so the meeting is idle.
    for (int i = 0; i < 1000 && !is_online(*fresh_chair_); ++i) co_await sleep_for(10ms);
    require(is_online(*fresh_chair_), "the fresh chair never shows as online");
    co_await wait_all(everyone(), fresh_chair_->seq());

    const auto reply = co_await http_->export_meeting(meeting_id_);
    require(reply.ok(), "admin export: " + std::to_string(reply.status) + " " + reply.body);
    require(reply.content_type == "application/x-ndjson; charset=utf-8",
            "export content type: " + reply.content_type);
    admin_body_ = reply.body;
    const auto exported = parse_export(reply.body);
    require(exported.problem.empty(), "admin export: " + exported.problem);
    require(header_string(exported, "meetingId") == meeting_id_, "header meetingId");
    require(header_flag(exported, "complete") && !exported.snapshot, "the export is not complete");
    require(!header_flag(exported, "secretChoicesRedacted"), "the admin export is redacted");
    require(header_string(exported, "epoch") == std::to_string(welcome.epoch()), "header epoch");
    require(!exported.events.empty() && exported.events.front().seq() == 1 &&
                exported.events.front().has_meeting_created(),
            "the events do not start with MeetingCreated at seq 1");
    const auto head = exported.events.back().seq();
    require(header_string(exported, "headSeq") == std::to_string(head), "header headSeq");
    require(head >= welcome.seq() && head >= chair_->seq(),
            "the export ends before the live state");

    // Secret ballots and the open secret poll's running tally are sealed in the file; with the
    // signing secret, the events folded from nothing give the state line.
    const app::ballot_seal seal(majlisd_process::signing_secret, meeting_id_);
    auto state_line = *exported.state;
    const auto* sealed_poll = poll_by_id(state_line, open_secret_poll_);
    require(sealed_poll && sealed_poll->tally().empty() && !sealed_poll->sealed_tally().empty(),
            "the admin state line shows an open secret poll's running tally in clear");
    require(seal.open_running_tallies(state_line) == 0, "the running tally does not open");
    const auto replayed = replay(exported, std::numeric_limits<std::uint64_t>::max(), &seal);
    auto diff = differences(replayed, state_line);
    require(diff.empty(), "replayed events differ from the state line:\n" + diff);
    // Without the secret the file counts no secret ballot of the open poll.
    const auto* uncounted = poll_by_id(replay(exported), open_secret_poll_);
    require(uncounted != nullptr, "the open secret poll is missing from the replay");
    for (auto count : uncounted->tally())
      require(count == 0, "the admin export counts a secret ballot without the signing secret");

    // ... and, up to the fresh chair's seq and projected for it, its Welcome snapshot.
    auto snapshot = welcome.snapshot();
    snapshot.set_seq(welcome.seq());
    diff = differences(
        domain::project_state(replay(exported, welcome.seq(), &seal), domain::audience::moderator,
                              fresh_chair_->participant_id),
        snapshot);
    require(diff.empty(), "the replayed export differs from a fresh chair's snapshot:\n" + diff);

    // The operator's export is the log as stored: secret choices sealed, each one opens.
    std::size_t secret_ballots = 0;
    for (const auto& event : exported.events)
      if (event.has_ballot_cast() && event.ballot_cast().poll_id() == secret_poll_) {
        ++secret_ballots;
        require(event.ballot_cast().choices_size() == 0 &&
                    !event.ballot_cast().sealed_choices().empty(),
                "a secret ballot in clear in the admin export: " + event.ShortDebugString());
        v1::Event opened = event;
        require(seal.open_event(opened) == app::ballot_seal::opened::opened &&
                    opened.ballot_cast().choices_size() == 1,
                "a sealed ballot does not open with the signing secret");
      }
    require(secret_ballots == people_.size(), "not every secret ballot is in the admin export");
    const auto* open_poll = poll_by_id(state_line, open_secret_poll_);
    require(open_poll && open_poll->tally_size() == 3 && open_poll->tally(1) == 1,
            "the admin state line lacks the open secret poll's tally");
    admin_ = exported;
  }

  asio::awaitable<void> moderator_export_keeps_secret_choices_out() {
    // In the Authorization header; a token in the URL is refused (README "HTTP API").
    const auto reply = co_await http_->export_meeting(meeting_id_, chair_->token);
    require(reply.ok(), "moderator export: " + std::to_string(reply.status) + " " + reply.body);
    const auto by_query =
        co_await get(export_target(meeting_id_) + "?token=" + chair_->token, std::string());
    require(by_query.status == 400, "moderator export with ?token=: " + std::to_string(by_query.status));
    moderator_body_ = reply.body;

    const auto exported = parse_export(reply.body);
    require(exported.problem.empty(), "moderator export: " + exported.problem);
    require(header_flag(exported, "secretChoicesRedacted"), "the header does not say redacted");
    require(header_flag(exported, "complete"), "the moderator export is not complete");
    require(exported.events.size() == admin_.events.size(), "the exports hold different events");
    std::size_t named_ballots = 0;
    for (std::size_t i = 0; i < exported.events.size(); ++i) {
      const auto& event = exported.events[i];
      require(event.seq() == admin_.events[i].seq() &&
                  event.kind_case() == admin_.events[i].kind_case(),
              "event " + std::to_string(i) + " differs from the admin export's");
      if (!event.has_ballot_cast()) continue;
      const auto& poll = event.ballot_cast().poll_id();
      if (poll == secret_poll_ || poll == open_secret_poll_)
        require(event.ballot_cast().choices_size() == 0,
                "a secret choice in the moderator export: " + event.ShortDebugString());
      if (poll == named_poll_) named_ballots += event.ballot_cast().choices_size() == 1 ? 1 : 0;
    }
    require(named_ballots == people_.size(), "named ballots lost their choices");

    // The state line is what a chair is shown; the events replay to it like a chair's mirror.
    const auto projected = domain::project_state(*admin_.state, domain::audience::moderator, {});
    auto diff = differences(*exported.state, projected);
    require(diff.empty(), "the moderator state line is not the moderator's view:\n" + diff);
    const auto* open_poll = poll_by_id(*exported.state, open_secret_poll_);
    require(open_poll && open_poll->tally_size() == 0,
            "the moderator export shows an open secret poll's tally");
    diff = differences(replay(exported), *exported.state);
    require(diff.empty(), "the moderator export does not replay to its state line:\n" + diff);
  }

  asio::awaitable<void> who_may_export() {
    const auto status_of = [this](std::string target,
                                  std::string bearer) -> asio::awaitable<unsigned> {
      co_return (co_await get(std::move(target), std::move(bearer))).status;
    };
    const auto target = export_target(meeting_id_);
    const auto participant = people_.front()->token;
    auto status = co_await status_of(target, participant);
    require(status == 403, "a participant token (Bearer): " + std::to_string(status));
    status = co_await status_of(target + "?token=" + participant, std::string());
    require(status == 400, "a participant token (?token=): " + std::to_string(status));
    status = co_await status_of(target, std::string());
    require(status == 401, "no credentials: " + std::to_string(status));
    status = co_await status_of(target, "not-a-key-nor-a-token");
    require(status == 401, "a wrong key: " + std::to_string(status));
    status = co_await status_of(export_target("no-such-meeting"), majlisd_process::admin_key);
    require(status == 404, "an unknown meeting: " + std::to_string(status));
    status = co_await status_of(export_target("no-such-meeting"), chair_->token);
    require(status == 403, "another meeting's moderator token: " + std::to_string(status));
    const auto post = co_await http_->request("POST", target, "{}", majlisd_process::admin_key);
    require(post.status == 404 || post.status == 405,
            "POST export: " + std::to_string(post.status));
  }

  // The Markdown minutes (issue 8): attendance in the room and remote without the display, the
  // date, group labels, plurals, written input, both polls closed (named ones with who chose
  // what, secret ones totals only), speaking time by attendance; in English and with ?lang=ar.
  asio::awaitable<void> minutes_in_english_and_arabic() {
    display_ = std::make_unique<test_client>(io_, "display", "", display_token_, v1::ROLE_DISPLAY);
    co_await connect_and_join(*display_, port_, meeting_id_);
    // Displays are counted per instance, not listed among the participants.
    const auto display_joined = [this] {
      for (const auto& count : chair_->state().audience())
        if (count.displays() > 0) return true;
      return false;
    };
    for (int i = 0; i < 1000 && !display_joined(); ++i) co_await sleep_for(10ms);
    require(display_joined(), "the chair never sees the display online");

    const auto english = co_await http_->minutes(meeting_id_, chair_->token);
    require(english.ok(), "minutes: " + std::to_string(english.status) + " " + english.body);
    require(english.content_type == "text/markdown; charset=utf-8",
            "minutes content type: " + english.content_type);
    const auto& en = english.body;
    const auto started = chair_->state().started_at_ms();
    const auto day = std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(
        std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(started)))};
    char date[16];
    std::snprintf(date, sizeof date, "%04d-%02u-%02u", static_cast<int>(day.year()),
                  static_cast<unsigned>(day.month()), static_cast<unsigned>(day.day()));
    for (const std::string& piece :
         {"**Date:** " + std::string(date) + ", ",
          // The chair apart; three participants, two in the room, one remote.
          std::string("## Attendance (3 participants)"),
          std::string("- **In the room (2):** عمر المختار (Government), فاطمة الزهراء (Civil society)\n"),
          std::string("- **Remote (1):** Amina Haddad (Private sector)\n"),
          std::string("- **Decision:** Publish the draft for comment\n"),
          std::string("- **Action:** Circulate the draft — Secretariat (due 2026-12-31)\n"),
          std::string("- **Poll:** Which model for the authority? — independent: 2, ministry: 1 (3 voted)\n"),
          std::string("  - Amina Haddad: ministry\n"),
          std::string("- **Poll:** هل توافقون على المشروع؟ — Yes: 2, No: 1, Abstain: 0 (3 voted, secret ballot, closed, not published)\n"),
          std::string("- **Written input:** ينبغي نشر المسودة — عمر المختار (1 upvote, answered)\n"),
          std::string("- **Written input:** Publish the impact study — فاطمة الزهراء (0 upvotes)\n"),
          std::string("## Speaking time by stakeholder group\n"),
          std::string("- Private sector: 0:00 (0 turns)\n"),
          std::string("## Speaking time in the room and remote\n\n- In the room: 0:"),
          std::string(" (1 turn)\n- Remote: 0:00 (0 turns)\n")}) {
      require(en.find(piece) != std::string::npos, "the minutes miss: " + piece + "\n" + en);
    }
    for (const std::string absent : {"Room display", "Extend the consultation?", "1 turns",
                                     "private\\_sector", "  - عمر المختار: No"}) {
      require(en.find(absent) == std::string::npos, "the minutes show: " + absent + "\n" + en);
    }

    const auto arabic = co_await get("/api/meetings/" + meeting_id_ + "/minutes?lang=ar", chair_->token);
    require(arabic.ok(), "minutes?lang=ar: " + std::to_string(arabic.status));
    for (const std::string& piece :
         {std::string("## الحضور (3 مشاركين)"),
          std::string("- **عن بُعد (1):** Amina Haddad (القطاع الخاص)\n"),
          std::string("- **قرار:** Publish the draft for comment\n"),
          std::string("نعم: 2، لا: 1، امتناع: 0 (عدد المصوّتين: 3، اقتراع سري، مغلق، لم تُنشر نتائجه)"),
          std::string("(تأييد واحد، تمت الإجابة)"), std::string("(مداخلة واحدة)")}) {
      require(arabic.body.find(piece) != std::string::npos,
              "the Arabic minutes miss: " + piece + "\n" + arabic.body);
    }
  }

  asio::io_context& io_;
  std::string port_;
  std::unique_ptr<client::http_api> http_;
  std::string meeting_id_;
  std::unique_ptr<test_client> chair_, fresh_chair_, display_;
  std::string display_token_;
  std::vector<std::unique_ptr<test_client>> people_;
  std::string named_poll_, secret_poll_, open_secret_poll_;
  parsed_export admin_;
  std::string admin_body_, moderator_body_;
};

// Runs majlisctl with `args` (through the shell, environment assignments first); its exit status.
int majlisctl(const std::string& args) {
  const int status =
      std::system((std::string("env -u MAJLIS_ADMIN_KEY -u MAJLIS_TOKEN ") + args).c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(integration_export, replays_to_the_same_state_and_keeps_secret_choices_from_the_chair) {
  majlisd_process server({"--commands-per-second", "1000", "--command-burst", "1000"});
  asio::io_context io;
  export_scenario scenario(io, server);
  const auto failure = run_scenario(io, scenario.run(), 60s);
  ASSERT_EQ(failure, "");

  // majlisctl export saves what the API answers (nothing happens in the meeting meanwhile).
  const auto folder =
      std::filesystem::temp_directory_path() / ("majlis-export-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(folder);
  const std::string ctl = std::string(MAJLISCTL_PATH) +
                          " --server http://127.0.0.1:" + server.port_string() + " --meeting " +
                          scenario.meeting_id();
  const auto admin_file = folder / "admin.ndjson";
  const auto chair_file = folder / "chair.ndjson";
  const auto stdout_file = folder / "stdout.ndjson";
  EXPECT_EQ(majlisctl(std::string("MAJLIS_ADMIN_KEY=") + majlisd_process::admin_key + " " + ctl +
                      " export --output " + admin_file.string()),
            0);
  EXPECT_EQ(without_export_time(read_file(admin_file)), without_export_time(scenario.admin_body()));
  EXPECT_EQ(majlisctl("MAJLIS_TOKEN=" + scenario.moderator_token() + " " + ctl + " export -o " +
                      chair_file.string()),
            0);
  EXPECT_EQ(without_export_time(read_file(chair_file)),
            without_export_time(scenario.moderator_body()));
  EXPECT_EQ(majlisctl(ctl + " --token " + scenario.moderator_token() + " export > " +
                      stdout_file.string()),
            0);
  EXPECT_EQ(without_export_time(read_file(stdout_file)),
            without_export_time(scenario.moderator_body()));
  // Refused by the server: 2; no credentials at all: a usage error, 64.
  EXPECT_EQ(majlisctl("MAJLIS_TOKEN=" + scenario.participant_token() + " " + ctl + " export -o " +
                      (folder / "refused.ndjson").string() + " 2>/dev/null"),
            2);
  EXPECT_FALSE(std::filesystem::exists(folder / "refused.ndjson"));
  EXPECT_EQ(majlisctl(ctl + " export 2>/dev/null"), 64);
  std::filesystem::remove_all(folder);
}

}  // namespace
}  // namespace majlis::testing
