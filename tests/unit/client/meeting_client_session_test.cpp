// The meeting client against the scripted server: join, commands and results, resume after a
// dropped connection or a gap, snapshot on resume, timeouts, close codes, exhausted attempts.
#include <exception>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include "majlis/client/meeting_client.hpp"
#include "scripted_server.hpp"

namespace majlis::client {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using testing::scripted_server;

// Runs one test body on `io` until it returns (the server's accept loop never does). Bodies are
// coroutines, so they use EXPECT_*: ASSERT_* returns, which a coroutine may not.
void run_until_done(asio::io_context& io, asio::awaitable<void> body) {
  bool done = false;
  std::exception_ptr failure;
  asio::co_spawn(io, std::move(body), [&](std::exception_ptr error) {
    failure = error;
    done = true;
    io.stop();
  });
  asio::steady_timer watchdog(io, 20s);
  watchdog.async_wait([&](const boost::system::error_code& ec) {
    if (!ec) io.stop();
  });
  io.run();
  if (failure) std::rethrow_exception(failure);
  ASSERT_TRUE(done) << "the test body did not finish within 20 s";
}

meeting_client_config fast_config(frame_format format = frame_format::binary) {
  meeting_client_config config;
  config.format = format;
  config.connect_timeout = 2s;
  config.join_timeout = 2s;
  config.command_timeout = 2s;
  config.reconnect_backoff.initial = 5ms;
  config.reconnect_backoff.max = 20ms;
  config.reconnect_backoff.max_attempts = 3;
  config.jitter_seed = 1;
  return config;
}

v1::Command start_meeting() {
  v1::Command command;
  command.mutable_start_meeting();
  return command;
}

v1::Command add_walk_in() {
  v1::Command command;
  command.mutable_add_walk_in()->set_display_name("Omar");
  return command;
}

// Connects and joins, failing the test if either does not work.
asio::awaitable<void> join(meeting_client& client, const scripted_server& server) {
  const auto ec = co_await client.connect("127.0.0.1", server.port());
  EXPECT_FALSE(ec) << ec.message();
  const auto joined = co_await client.join("m1", "token");
  EXPECT_TRUE(joined.ok) << joined.error.message();
}

class MeetingClientSession : public ::testing::Test {
 protected:
  asio::io_context io;
  scripted_server server{io};
};

TEST_F(MeetingClientSession, JoinLoadsTheSnapshot) {
  meeting_client client(io.get_executor(), fast_config());
  run_until_done(io, [&]() -> asio::awaitable<void> {
    co_await join(client, server);
    EXPECT_EQ(client.status(), client_status::joined);
    EXPECT_TRUE(client.mirror().has_state());
    EXPECT_EQ(client.mirror().seq(), 3u);
    EXPECT_EQ(client.mirror().state().meeting_id(), "m1");
    EXPECT_EQ(client.viewer().participant_id(), "p1");
    EXPECT_EQ(server.joins().size(), 1u);
    EXPECT_FALSE(server.joins().at(0).has_resume());
    co_await client.close();
    EXPECT_EQ(client.status(), client_status::closed);
  }());
}

TEST_F(MeetingClientSession, SendMatchesTheResultAndAppliesTheEvents) {
  for (const auto format : {frame_format::binary, frame_format::json}) {
    meeting_client client(io.get_executor(), fast_config(format));
    std::uint64_t batches = 0;
    client.on_events([&](const v1::EventBatch&, const state_mirror&) { ++batches; });
    run_until_done(io, [&]() -> asio::awaitable<void> {
      co_await join(client, server);
      const auto before = server.head_seq();
      const auto first = co_await client.send(start_meeting());
      const auto second = co_await client.send(add_walk_in());
      EXPECT_TRUE(first.ok());
      EXPECT_TRUE(second.ok());
      EXPECT_EQ(first.seq(), before + 1);
      EXPECT_EQ(second.seq(), before + 2);
      EXPECT_LT(first.request_id(), second.request_id());
      EXPECT_TRUE(co_await client.wait_for_seq(before + 2, 2s));
      EXPECT_EQ(client.mirror().state().status(), v1::MEETING_STATUS_LIVE);
      EXPECT_EQ(client.counters().commands_sent, 2u);
      co_await client.close();
    }());
    io.restart();
    EXPECT_EQ(batches, 2u);
  }
}

TEST_F(MeetingClientSession, ResumesWithAReplayAfterADroppedConnection) {
  meeting_client watcher(io.get_executor(), fast_config());
  meeting_client chair(io.get_executor(), fast_config());
  run_until_done(io, [&]() -> asio::awaitable<void> {
    co_await join(watcher, server);
    co_await join(chair, server);
    const auto seq_before = watcher.mirror().seq();

    watcher.drop_connection();
    // The chair keeps working while the watcher is away.
    EXPECT_TRUE((co_await chair.send(start_meeting())).ok());
    EXPECT_TRUE((co_await chair.send(add_walk_in())).ok());

    EXPECT_TRUE(co_await watcher.wait_for_seq(server.head_seq(), 2s));
    EXPECT_EQ(watcher.status(), client_status::joined);
    EXPECT_EQ(watcher.counters().reconnects, 1u);
    EXPECT_EQ(watcher.counters().snapshots_loaded, 1u);  // the first join's only
    EXPECT_EQ(watcher.mirror().state().status(), v1::MEETING_STATUS_LIVE);
    EXPECT_EQ(server.joins().size(), 3u);
    const auto& resumed = server.joins().at(2);
    EXPECT_TRUE(resumed.has_resume());
    EXPECT_EQ(resumed.resume().epoch(), server.epoch());
    EXPECT_GE(resumed.resume().seq(), seq_before);
    co_await watcher.close();
    co_await chair.close();
  }());
}

TEST_F(MeetingClientSession, AGapMakesTheClientResume) {
  meeting_client watcher(io.get_executor(), fast_config());
  run_until_done(io, [&]() -> asio::awaitable<void> {
    co_await join(watcher, server);
    const auto applied_before = watcher.counters().events_applied;

    server.behaviour().skip_one_seq_in_next_broadcast = true;
    server.append_and_broadcast(v1::Event{});

    EXPECT_TRUE(co_await watcher.wait_for_seq(server.head_seq(), 2s));
    EXPECT_EQ(watcher.counters().gaps_seen, 1u);
    EXPECT_EQ(watcher.counters().reconnects, 1u);
    // Nothing after the gap was applied from the broken batch; the replay brought both events.
    EXPECT_EQ(watcher.counters().events_applied - applied_before, 2u);
    EXPECT_EQ(server.joins().size(), 2u);
    EXPECT_EQ(server.joins().at(1).resume().seq(), 3u);
    co_await watcher.close();
  }());
}

TEST_F(MeetingClientSession, ASnapshotOnResumeReplacesTheMirror) {
  meeting_client watcher(io.get_executor(), fast_config());
  std::uint64_t welcomes = 0;
  watcher.on_welcome([&](const v1::Welcome&, const state_mirror&) { ++welcomes; });
  run_until_done(io, [&]() -> asio::awaitable<void> {
    co_await join(watcher, server);
    // The log was lost and rebuilt: a new epoch, and every resume gets a snapshot.
    server.set_epoch(2);
    server.behaviour().snapshot_on_resume = true;
    watcher.drop_connection();
    EXPECT_TRUE(co_await watcher.wait_for_status(client_status::reconnecting, 2s));
    EXPECT_TRUE(co_await watcher.wait_for_status(client_status::joined, 2s));
    EXPECT_EQ(watcher.mirror().epoch(), 2u);
    EXPECT_EQ(watcher.counters().snapshots_loaded, 2u);
    EXPECT_EQ(watcher.counters().reconnects, 1u);
    co_await watcher.close();
  }());
  EXPECT_EQ(welcomes, 2u);
}

TEST_F(MeetingClientSession, AnUnansweredCommandTimesOutAsAnErrorResult) {
  meeting_client client(io.get_executor(), fast_config());
  run_until_done(io, [&]() -> asio::awaitable<void> {
    co_await join(client, server);
    server.behaviour().ignore_commands = true;
    const auto result = co_await client.send(start_meeting(), 50ms);
    EXPECT_FALSE(result.ok());
    EXPECT_EQ(result.error().code(), v1::ERROR_CODE_UNAVAILABLE);
    EXPECT_NE(result.error().message().find("timed out"), std::string::npos);
    EXPECT_EQ(client.counters().command_timeouts, 1u);
    EXPECT_EQ(client.status(), client_status::joined);
    co_await client.close();
  }());
}

TEST_F(MeetingClientSession, ALostConnectionFailsTheWaitingCommandAtOnce) {
  meeting_client client(io.get_executor(), fast_config());
  run_until_done(io, [&]() -> asio::awaitable<void> {
    co_await join(client, server);
    server.behaviour().ignore_commands = true;
    asio::steady_timer drop(io, 20ms);
    drop.async_wait([&](const boost::system::error_code&) { client.drop_connection(); });
    const auto started = std::chrono::steady_clock::now();
    const auto result = co_await client.send(start_meeting(), 5s);
    EXPECT_FALSE(result.ok());
    EXPECT_EQ(result.error().code(), v1::ERROR_CODE_UNAVAILABLE);
    EXPECT_NE(result.error().message().find("connection lost"), std::string::npos);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
    co_await client.close();
  }());
}

TEST_F(MeetingClientSession, ARefusedJoinReportsTheServersErrorAndCloseCode) {
  meeting_client client(io.get_executor(), fast_config());
  server.behaviour().refuse_joins_with = 4001;
  run_until_done(io, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(co_await client.connect("127.0.0.1", server.port()));
    const auto joined = co_await client.join("m1", "forged");
    EXPECT_FALSE(joined.ok);
    EXPECT_EQ(joined.error.code(), v1::ERROR_CODE_UNAUTHENTICATED);
    EXPECT_EQ(joined.close_code, 4001);
    EXPECT_EQ(client.status(), client_status::closed);
  }());
}

TEST_F(MeetingClientSession, AFinalCloseCodeStopsReconnecting) {
  meeting_client client(io.get_executor(), fast_config());
  run_until_done(io, [&]() -> asio::awaitable<void> {
    co_await join(client, server);
    server.close_all(4004);
    EXPECT_TRUE(co_await client.wait_for_status(client_status::closed, 2s));
    EXPECT_EQ(client.last_close_code(), 4004);
    EXPECT_EQ(client.counters().reconnect_attempts, 0u);
  }());
}

TEST_F(MeetingClientSession, ARetryableCloseCodeReconnects) {
  meeting_client client(io.get_executor(), fast_config());
  run_until_done(io, [&]() -> asio::awaitable<void> {
    co_await join(client, server);
    server.close_all(1001);  // going away: another instance would take over
    EXPECT_TRUE(co_await client.wait_for_status(client_status::reconnecting, 2s));
    EXPECT_TRUE(co_await client.wait_for_status(client_status::joined, 2s));
    EXPECT_EQ(client.counters().reconnects, 1u);
    co_await client.close();
  }());
}

TEST_F(MeetingClientSession, GivesUpAfterTheConfiguredAttempts) {
  meeting_client client(io.get_executor(), fast_config());
  std::vector<client_status> seen;
  client.on_status([&](client_status status, const v1::Error&) { seen.push_back(status); });
  run_until_done(io, [&]() -> asio::awaitable<void> {
    co_await join(client, server);
    server.stop_accepting();
    client.drop_connection();
    EXPECT_TRUE(co_await client.wait_for_status(client_status::closed, 5s));
    EXPECT_EQ(client.counters().reconnect_attempts, 3u);
    EXPECT_EQ(client.counters().reconnects, 0u);
    EXPECT_EQ(client.last_error().code(), v1::ERROR_CODE_UNAVAILABLE);
    const auto result = co_await client.send(start_meeting(), 50ms);
    EXPECT_FALSE(result.ok());
  }());
  EXPECT_EQ(seen, (std::vector<client_status>{client_status::connected, client_status::joined,
                                              client_status::reconnecting, client_status::closed}));
}

TEST_F(MeetingClientSession, SendDuringAReconnectWaitsForIt) {
  meeting_client client(io.get_executor(), fast_config());
  run_until_done(io, [&]() -> asio::awaitable<void> {
    co_await join(client, server);
    client.drop_connection();
    EXPECT_TRUE(co_await client.wait_for_status(client_status::reconnecting, 2s));
    const auto result = co_await client.send(start_meeting(), 2s);
    EXPECT_TRUE(result.ok()) << result.error().message();
    EXPECT_EQ(client.counters().reconnects, 1u);
    co_await client.close();
  }());
}

}  // namespace
}  // namespace majlis::client
