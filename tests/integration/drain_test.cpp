// SIGTERM drains: majlisd stops accepting, closes every session with 1001 "going away" and
// exits cleanly.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>
#include <thread>

#include "majlis/client/http_api.hpp"
#include "majlis/client/meeting_client.hpp"
#include "majlisd_process.hpp"

namespace majlis::testing {
namespace {

namespace asio = boost::asio;

TEST(drain, sigterm_closes_sessions_with_going_away_and_exits_zero) {
  majlisd_process server;
  asio::io_context io;
  client::http_api_config api_config;
  api_config.port = server.port_string();
  api_config.admin_key = majlisd_process::admin_key;
  client::http_api api(io.get_executor(), api_config);
  client::meeting_client_config config;
  config.auto_reconnect = false;
  client::meeting_client chair(io.get_executor(), config);

  auto joined = asio::co_spawn(
      io,
      [&]() -> asio::awaitable<bool> {
        // A named argument: GCC 12 destroys a braced temporary passed into co_await twice.
        client::meeting_spec spec;
        spec.title = "Drain";
        auto created = co_await api.create_meeting(spec);
        if (!created) co_return false;
        if (co_await chair.connect("127.0.0.1", server.port_string())) co_return false;
        auto result = co_await chair.join(created.value->meeting_id, created.value->tokens.moderator);
        co_return result.ok;
      },
      asio::use_future);
  const auto join_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (joined.wait_for(std::chrono::seconds(0)) != std::future_status::ready &&
         std::chrono::steady_clock::now() < join_deadline)
    io.run_one_for(std::chrono::milliseconds(50));
  ASSERT_EQ(joined.wait_for(std::chrono::seconds(0)), std::future_status::ready);
  ASSERT_TRUE(joined.get());
  io.restart();

  // The client keeps reading while majlisd drains, as a real one would.
  int exit_status = -2;
  std::thread stopper([&] { exit_status = server.stop(std::chrono::seconds(15)); });
  auto closed = asio::co_spawn(
      io,
      [&]() -> asio::awaitable<bool> {
        co_return co_await chair.wait_for_status(client::client_status::closed,
                                                 std::chrono::seconds(10));
      },
      asio::use_future);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(12);
  while (closed.wait_for(std::chrono::seconds(0)) != std::future_status::ready &&
         std::chrono::steady_clock::now() < deadline)
    io.run_one_for(std::chrono::milliseconds(50));
  stopper.join();
  EXPECT_EQ(exit_status, 0);
  ASSERT_EQ(closed.wait_for(std::chrono::seconds(0)), std::future_status::ready);
  EXPECT_TRUE(closed.get());
  EXPECT_EQ(chair.last_close_code(), 1001);
  EXPECT_EQ(chair.last_error().code(), v1::ERROR_CODE_UNAVAILABLE);
}

}  // namespace
}  // namespace majlis::testing
