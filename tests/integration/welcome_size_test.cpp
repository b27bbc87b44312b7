// A meeting whose state is several times the send queue's byte limit: a fresh join (binary and
// JSON), a resume from an old seq and `majlisctl state` still get their Welcome and the right
// state; joins at one seq share one encoded snapshot; and a client that stops reading while live
// traffic flows is still closed as a slow consumer (4008).
#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include "meeting_fixture.hpp"
#include "net/codec.hpp"

namespace majlis::testing {
namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using ws_stream = websocket::stream<beast::tcp_stream>;
using client::frame_format;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

constexpr std::size_t send_queue_bytes = 256 * 1024;
// 160 contributions of 1,990 four-byte code points: about 1.3 MB, five times the queue limit.
constexpr int contributions = 160;

std::string big_text() {
  std::string text;
  for (int i = 0; i < 1990; ++i) text += "\xF0\x9F\x99\x82";  // U+1F642
  return text;
}

// A WebSocket opened by hand: to send a Join with a chosen resume point, or to stop reading.
// `receive_buffer` > 0 shrinks the socket's receive buffer so that a reader that stops reading
// backs the server up quickly.
asio::awaitable<std::unique_ptr<ws_stream>> open_ws(std::uint16_t port, int receive_buffer = 0) {
  auto ws = std::make_unique<ws_stream>(co_await asio::this_coro::executor);
  auto& stream = beast::get_lowest_layer(*ws);
  stream.socket().open(tcp::v4());
  if (receive_buffer > 0) {
    stream.socket().set_option(asio::socket_base::receive_buffer_size(receive_buffer));
  }
  stream.expires_after(5s);
  co_await stream.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                                asio::use_awaitable);
  ws->read_message_max(64 * 1024 * 1024);
  co_await ws->async_handshake("127.0.0.1:" + std::to_string(port), "/ws", asio::use_awaitable);
  stream.expires_never();
  co_return ws;
}

asio::awaitable<void> send_join(ws_stream& ws, const std::string& meeting_id,
                                const std::string& token, std::optional<v1::Resume> resume) {
  v1::ClientMessage message;
  message.mutable_join()->set_meeting_id(meeting_id);
  message.mutable_join()->set_token(token);
  if (resume) *message.mutable_join()->mutable_resume() = *resume;
  const auto f = net::encode_client_message(message, net::wire_format::binary);
  ws.binary(true);
  co_await ws.async_write(asio::buffer(*f.bytes), asio::use_awaitable);
}

// One server message, or why there is none (the close code when the server closed).
struct received {
  std::optional<v1::ServerMessage> message;
  std::string failure;
  std::uint16_t close_code = 0;
};

asio::awaitable<received> read_one(ws_stream& ws, std::chrono::milliseconds bound = 10s) {
  auto& stream = beast::get_lowest_layer(ws);
  stream.expires_after(bound);
  beast::flat_buffer buffer;
  auto [ec, n] = co_await ws.async_read(buffer, use_tuple);
  stream.expires_never();
  received r;
  if (ec) {
    r.failure = ec.message();
    r.close_code = static_cast<std::uint16_t>(ws.reason().code);
    co_return r;
  }
  const auto data = buffer.cdata();
  auto decoded = net::decode_server_message(
      std::string_view(static_cast<const char*>(data.data()), data.size()),
      ws.got_text() ? net::wire_format::json : net::wire_format::binary);
  if (!decoded.ok()) {
    r.failure = decoded.error;
    co_return r;
  }
  r.message = std::move(decoded.message);
  co_return r;
}

// The Welcome, or a failure that says what came instead.
asio::awaitable<v1::Welcome> read_welcome(ws_stream& ws, const std::string& who) {
  auto r = co_await read_one(ws);
  if (r.message && r.message->has_welcome()) co_return r.message->welcome();
  std::string instead = r.message ? r.message->ShortDebugString().substr(0, 300) : r.failure;
  if (r.message && r.message->has_error()) {
    auto closed = co_await read_one(ws, 3s);
    instead += " then close " + std::to_string(closed.close_code);
  }
  throw scenario_failure(who + ": no Welcome; got " + instead);
}

class welcome_size : public ::testing::Test {
 protected:
  welcome_size()
      : server_({"--send-queue-bytes", std::to_string(send_queue_bytes), "--commands-per-second",
                 "100000", "--command-burst", "100000"}) {
    client::http_api_config config;
    config.port = server_.port_string();
    config.admin_key = majlisd_process::admin_key;
    http_ = std::make_unique<client::http_api>(io_.get_executor(), config);
  }

  void run(asio::awaitable<void> scenario) {
    const auto failure = run_scenario(io_, std::move(scenario), 120s);
    EXPECT_EQ(failure, "");
  }

  // Creates the meeting, joins the chair and starts the meeting.
  asio::awaitable<void> create_meeting() {
    client::meeting_spec spec;
    spec.title = "Large meeting";
    const auto created = co_await http_->create_meeting(spec);
    require(bool(created), "POST /api/meetings failed: " + created.reply.error_code());
    meeting_id_ = created.value->meeting_id;
    display_token_ = created.value->tokens.display;
    chair_ = std::make_unique<test_client>(io_, "chair", "", created.value->tokens.moderator,
                                           v1::ROLE_MODERATOR);
    co_await connect_and_join(*chair_, port(), meeting_id_);
    co_await must(*chair_, cmd::start_meeting(), "start the meeting");
  }

  // `count` large contributions from the chair; returns the seq of the last.
  asio::awaitable<std::uint64_t> contribute(int count) {
    const auto text = big_text();
    std::uint64_t seq = 0;
    for (int i = 0; i < count; ++i) {
      seq = (co_await must(*chair_, cmd::submit(text), "submit a contribution")).seq();
    }
    co_return seq;
  }

  asio::awaitable<std::unique_ptr<test_client>> participant(const std::string& name,
                                                            frame_format format) {
    client::token_request request{"participant", name, "civil_society", "in_room", ""};
    const auto issued = co_await http_->issue_token(meeting_id_, request);
    require(bool(issued), "no token for " + name + ": " + issued.reply.error_code());
    client::meeting_client_config config;
    config.format = format;
    config.auto_reconnect = false;
    co_return std::make_unique<test_client>(io_, name, issued.value->participant_id,
                                            issued.value->token, v1::ROLE_PARTICIPANT, config);
  }

  asio::awaitable<std::string> metrics_text() {
    const auto reply = co_await http_->request("GET", "/metrics", "", "");
    require(reply.ok(), "GET /metrics failed");
    co_return reply.body;
  }

  // Waits until the joiners' arrivals are committed (the chair's roster lists every one of
  // `connection_ids`), then returns the chair's seq: every client that reaches it must hold the
  // chair's state as its audience sees it.
  asio::awaitable<std::uint64_t> settled_seq(const std::vector<std::string>& connection_ids) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    auto listed = [&] {
      std::set<std::string> open;
      for (const auto& participant : chair_->state().participants())
        open.insert(participant.connection_ids().begin(), participant.connection_ids().end());
      return std::all_of(connection_ids.begin(), connection_ids.end(),
                         [&](const std::string& id) { return open.contains(id); });
    };
    while (!listed()) {
      require(std::chrono::steady_clock::now() < deadline,
              "the joiners never appeared on the chair's roster");
      co_await sleep_for(10ms);
    }
    co_return chair_->seq();
  }

  void expect_participant_view(const v1::MeetingState& state, const std::string& who) {
    const auto diff =
        differences(without_my_choices(state), as_non_moderators_see(chair_->state()));
    require(diff.empty(), who + " does not hold the participants' view of the meeting: " + diff);
  }

  std::string port() const { return server_.port_string(); }

  asio::io_context io_;
  majlisd_process server_;
  std::unique_ptr<client::http_api> http_;
  std::string meeting_id_;
  std::string display_token_;
  std::unique_ptr<test_client> chair_;
};

TEST_F(welcome_size, fresh_joins_get_a_state_larger_than_the_send_queue) {
  run([this]() -> asio::awaitable<void> {
    co_await create_meeting();
    co_await contribute(contributions);
    const auto size = chair_->state().ByteSizeLong();
    require(size > 4 * send_queue_bytes, "the state is only " + std::to_string(size) + " bytes");
    std::vector<std::unique_ptr<test_client>> joiners;
    for (auto format : {frame_format::binary, frame_format::json}) {
      const std::string name = format == frame_format::json ? "json joiner" : "binary joiner";
      auto joiner = co_await participant(name, format);
      co_await connect_and_join(*joiner, port(), meeting_id_);
      require(joiner->welcomes.size() == 1 && joiner->welcomes[0].has_snapshot(),
              name + ": expected one snapshot Welcome");
      require(joiner->state().contributions_size() == contributions,
              name + ": " + std::to_string(joiner->state().contributions_size()) +
                  " contributions in the snapshot");
      joiners.push_back(std::move(joiner));
    }
    std::vector<std::string> arrivals;
    for (auto& joiner : joiners) arrivals.push_back(joiner->client->viewer().connection_id());
    const auto seq = co_await settled_seq(arrivals);
    for (auto& joiner : joiners) {
      require(co_await joiner->client->wait_for_seq(seq, 10s), joiner->name + " is behind");
      expect_participant_view(joiner->state(), joiner->name);
    }
  }());
}

TEST_F(welcome_size, resume_from_an_old_seq_gets_every_missed_change) {
  run([this]() -> asio::awaitable<void> {
    co_await create_meeting();
    auto traveller = co_await participant("traveller", frame_format::binary);
    // Join by hand, keep the mirror, leave; come back after more than the queue limit of events.
    client::state_mirror mirror;
    {
      auto ws = co_await open_ws(server_.port());
      co_await send_join(*ws, meeting_id_, traveller->token, std::nullopt);
      const auto welcome = co_await read_welcome(*ws, "traveller");
      require(mirror.apply(welcome) == client::apply_outcome::applied, "first Welcome not applied");
      co_await ws->async_close(websocket::close_code::normal, use_tuple);
    }
    const auto old_seq = mirror.seq();
    const auto last = co_await contribute(contributions);

    auto ws = co_await open_ws(server_.port());
    co_await send_join(*ws, meeting_id_, traveller->token, mirror.resume_point());
    const auto welcome = co_await read_welcome(*ws, "traveller resuming from " +
                                                        std::to_string(old_seq));
    require(welcome.seq() >= last, "the Welcome is older than the last contribution");
    // The rule (README): a replay larger than --send-queue-bytes becomes the shared snapshot.
    require(welcome.has_snapshot(), "a replay larger than the send queue limit was sent");
    require(metric(co_await metrics_text(), "majlis_replays_as_snapshot_total") == 1,
            "the replay turned into a snapshot is not counted");
    require(mirror.apply(welcome) == client::apply_outcome::applied,
            "the resume Welcome does not continue the mirror");
    // Then the events of its own arrival.
    std::vector<std::string> arrival{welcome.you().connection_id()};
    const auto seq = co_await settled_seq(arrival);
    while (mirror.seq() < seq) {
      auto r = co_await read_one(*ws);
      require(r.message.has_value(), "lost after the Welcome: " + r.failure);
      if (r.message->has_events()) mirror.apply(r.message->events());
    }
    expect_participant_view(mirror.state(), "the traveller");
    require(mirror.state().contributions_size() == contributions, "contributions missing");
  }());
}

TEST_F(welcome_size, majlisctl_prints_a_state_larger_than_the_send_queue) {
  run([this]() -> asio::awaitable<void> {
    co_await create_meeting();
    co_await contribute(contributions);
    const std::string command = std::string(MAJLISCTL_PATH) + " --server http://127.0.0.1:" +
                                port() + " --meeting " + meeting_id_ + " --token " +
                                display_token_ + " state 2>&1";
    std::string output;
    if (FILE* pipe = ::popen(command.c_str(), "r")) {
      std::array<char, 65536> chunk{};
      while (const auto n = std::fread(chunk.data(), 1, chunk.size(), pipe)) output.append(chunk.data(), n);
      const int status = ::pclose(pipe);
      require(status == 0, "majlisctl state failed (" + std::to_string(status) +
                               "): " + output.substr(0, 500));
    }
    v1::MeetingState printed;
    const auto parsed = google::protobuf::util::JsonStringToMessage(output, &printed);
    require(parsed.ok(), "majlisctl printed no state: " + output.substr(0, 500));
    require(printed.contributions_size() == contributions,
            std::to_string(printed.contributions_size()) + " contributions printed");
  }());
}

TEST_F(welcome_size, joins_at_one_seq_share_one_encoded_snapshot) {
  run([this]() -> asio::awaitable<void> {
    co_await create_meeting();
    co_await contribute(40);
    const auto before = co_await metrics_text();
    // Twenty displays at once, half of them speaking JSON.
    constexpr int joiners = 20;
    std::vector<std::unique_ptr<test_client>> displays;
    for (int i = 0; i < joiners; ++i) {
      client::meeting_client_config config;
      config.format = i % 2 ? frame_format::json : frame_format::binary;
      config.auto_reconnect = false;
      displays.push_back(std::make_unique<test_client>(io_, "display " + std::to_string(i), "",
                                                       display_token_, v1::ROLE_DISPLAY, config));
    }
    int done = 0;
    std::string failures;
    for (auto& display : displays) {
      asio::co_spawn(io_, connect_and_join(*display, port(), meeting_id_),
                     [&](std::exception_ptr error) {
                       ++done;
                       if (!error) return;
                       try {
                         std::rethrow_exception(error);
                       } catch (const std::exception& e) {
                         failures += std::string(e.what()) + "; ";
                       }
                     });
    }
    while (done < joiners) co_await sleep_for(10ms);
    require(failures.empty(), failures);
    std::set<std::pair<std::uint64_t, bool>> distinct;  // (seq, json)
    for (int i = 0; i < joiners; ++i) {
      const auto& welcome = displays[i]->welcomes.at(0);
      require(welcome.has_snapshot() && welcome.snapshot().contributions_size() == 40,
              "display " + std::to_string(i) + " got no full snapshot");
      distinct.insert({welcome.seq(), i % 2 == 1});
    }
    const auto after = co_await metrics_text();
    const auto encoded = metric(after, "majlis_snapshots_encoded_total") -
                         metric(before, "majlis_snapshots_encoded_total");
    const auto hits = metric(after, "majlis_snapshot_cache_hits_total") -
                      metric(before, "majlis_snapshot_cache_hits_total");
    std::printf("[ measure ] %d display joins: %zu distinct (seq, format), %llu encoded, %llu "
                "cache hits\n",
                joiners, distinct.size(), static_cast<unsigned long long>(encoded),
                static_cast<unsigned long long>(hits));
    require(encoded == distinct.size(),
            std::to_string(encoded) + " snapshots encoded for " + std::to_string(distinct.size()) +
                " distinct (seq, format)");
    require(encoded + hits == joiners, "every join either encodes or hits the cache");
  }());
}

TEST_F(welcome_size, a_reader_that_stops_reading_is_still_closed_as_slow) {
  run([this]() -> asio::awaitable<void> {
    co_await create_meeting();
    co_await contribute(contributions);
    auto stalled = co_await participant("stalled", frame_format::binary);
    auto ws = co_await open_ws(server_.port(), 4096);
    co_await send_join(*ws, meeting_id_, stalled->token, std::nullopt);
    co_await read_welcome(*ws, "stalled");
    // Stop reading; live traffic goes on until the server gives up on the reader.
    const auto closes = [](const std::string& text) {
      return metric(text, R"(majlis_net_closes_total{code="4008",reason="slow_consumer"})");
    };
    const auto closes_before = closes(co_await metrics_text());
    bool closed = false;
    for (int round = 0; round < 80 && !closed; ++round) {
      co_await contribute(25);
      closed = closes(co_await metrics_text()) > closes_before;
    }
    require(closed, "a reader that reads nothing was never closed as a slow consumer");
    // Reading again: what was already written, then Error and close 4008.
    std::uint16_t close_code = 0;
    for (int i = 0; i < 100'000; ++i) {
      auto r = co_await read_one(*ws);
      if (r.message) continue;
      close_code = r.close_code;
      break;
    }
    require(close_code == 4008, "closed with " + std::to_string(close_code) + ", not 4008");
  }());
}

}  // namespace
}  // namespace majlis::testing
