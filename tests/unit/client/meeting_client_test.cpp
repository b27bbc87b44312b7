// The meeting client where no peer is needed: calls out of order, a refused connection, close
// codes. Reconnects and resumes are tested against a real majlisd in tests/integration.
#include "majlis/client/meeting_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

namespace majlis::client {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

template <class T>
T run(asio::io_context& io, asio::awaitable<T> work) {
  auto future = asio::co_spawn(io, std::move(work), asio::use_future);
  io.run();
  io.restart();
  return future.get();
}

v1::Command start_meeting() {
  v1::Command command;
  command.mutable_start_meeting();
  return command;
}

TEST(MeetingClient, SendBeforeJoiningIsAnErrorResult) {
  asio::io_context io;
  meeting_client client(io.get_executor());
  const auto result = run(io, client.send(start_meeting(), 100ms));
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), v1::ERROR_CODE_UNAVAILABLE);
  EXPECT_EQ(client.counters().commands_sent, 0u);
}

TEST(MeetingClient, JoinBeforeConnectingIsAnErrorResult) {
  asio::io_context io;
  meeting_client client(io.get_executor());
  const auto result = run(io, client.join("m1", "token"));
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.error.code(), v1::ERROR_CODE_UNAVAILABLE);
  EXPECT_EQ(client.status(), client_status::disconnected);
}

TEST(MeetingClient, RefusedConnectionIsAnErrorCode) {
  asio::io_context io;
  // A port that was free a moment ago: nobody listens there.
  std::string port;
  {
    asio::ip::tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
    port = std::to_string(probe.local_endpoint().port());
  }
  meeting_client client(io.get_executor());
  const auto ec = run(io, client.connect("127.0.0.1", port));
  EXPECT_TRUE(ec);
  EXPECT_EQ(client.status(), client_status::disconnected);
}

TEST(MeetingClient, WaitForSeqTimesOutWhenNothingArrives) {
  asio::io_context io;
  meeting_client client(io.get_executor());
  EXPECT_TRUE(run(io, client.wait_for_seq(0, 10ms)));
  EXPECT_FALSE(run(io, client.wait_for_seq(1, 10ms)));
}

TEST(MeetingClient, CloseCodes) {
  EXPECT_TRUE(close_code_is_retryable(0));
  EXPECT_TRUE(close_code_is_retryable(1001));  // going away
  EXPECT_TRUE(close_code_is_retryable(4008));  // slow consumer
  EXPECT_TRUE(close_code_is_retryable(4009));  // idle timeout
  EXPECT_TRUE(close_code_is_retryable(4013));  // server full
  EXPECT_FALSE(close_code_is_retryable(1000));
  EXPECT_FALSE(close_code_is_retryable(1002));
  EXPECT_FALSE(close_code_is_retryable(4001));  // unauthenticated
  EXPECT_FALSE(close_code_is_retryable(4004));  // meeting not found
}

TEST(MeetingClient, StatusNames) {
  EXPECT_STREQ(to_string(client_status::reconnecting), "reconnecting");
  EXPECT_STREQ(to_string(client_status::joined), "joined");
}

}  // namespace
}  // namespace majlis::client
