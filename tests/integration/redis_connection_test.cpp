// The Redis client against a real redis-server: pipelining, MULTI blocks, fail-fast while Redis
// is down, reconnects, AUTH/SELECT, timeouts, and pub/sub that survives a restart.
#include <atomic>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "io_thread.hpp"
#include "redis/redis_connection.hpp"
#include "redis/redis_subscriber.hpp"
#include "redis_server_process.hpp"

namespace majlis::redis {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using majlis::testing::eventually;
using majlis::testing::io_thread;
using majlis::testing::redis_server_process;

config config_for(const std::string& url) {
  config cfg;
  cfg.url = *parse_redis_url(url);
  cfg.connect_timeout = 1s;
  cfg.command_timeout = 1s;
  cfg.health_check_interval = 200ms;
  cfg.reconnect_initial = 20ms;
  cfg.reconnect_max = 200ms;
  return cfg;
}

class RedisConnection : public ::testing::Test {
 protected:
  redis_server_process redis_;
  io_thread io_;
};

TEST_F(RedisConnection, ConnectsAndRoundTripsBinaryValues) {
  redis_connection connection(io_.executor(), config_for(redis_.url()));
  connection.start();
  ASSERT_TRUE(eventually([&] { return connection.ready(); }));
  const std::string value("\0\r\n\xff binary", 12);
  auto [set, get, missing] = io_.run([&]() -> asio::awaitable<std::tuple<result, result, result>> {
    auto set = co_await connection.async_exec("SET", "key", value);
    auto get = co_await connection.async_exec("GET", "key");
    auto missing = co_await connection.async_exec("GET", "nothing-here");
    co_return std::tuple{set, get, missing};
  }());
  EXPECT_TRUE(set.ok());
  EXPECT_EQ(set.value.text, "OK");
  ASSERT_TRUE(get.ok());
  EXPECT_EQ(get.value.text, value);
  EXPECT_TRUE(missing.ok());
  EXPECT_TRUE(missing.value.is_nil());
}

TEST_F(RedisConnection, ServerErrorsComeBackAsValues) {
  redis_connection connection(io_.executor(), config_for(redis_.url()));
  connection.start();
  ASSERT_TRUE(eventually([&] { return connection.ready(); }));
  auto bad = io_.run(connection.async_exec("NOSUCHCOMMAND", 1));
  EXPECT_EQ(bad.error, make_error_code(error::server_error));
  EXPECT_TRUE(bad.value.is_error());
  EXPECT_NE(bad.value.text.find("unknown command"), std::string::npos);
  // The connection carries on.
  EXPECT_EQ(io_.run(connection.async_exec("PING")).value.text, "PONG");
}

TEST_F(RedisConnection, PipelinesAThousandCommandsAndMatchesEveryReply) {
  redis_connection connection(io_.executor(), config_for(redis_.url()));
  connection.start();
  ASSERT_TRUE(eventually([&] { return connection.ready(); }));
  constexpr int count = 1000;
  std::atomic<int> matched = 0, failed = 0, finished = 0;
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < count; ++i) {
    asio::co_spawn(
        io_.context(),
        [&, i]() -> asio::awaitable<void> {
          auto echo = co_await connection.async_exec("ECHO", "reply-" + std::to_string(i));
          auto incr = co_await connection.async_exec("INCR", "counter");
          if (echo.ok() && echo.value.text == "reply-" + std::to_string(i) && incr.ok())
            ++matched;
          else
            ++failed;
          ++finished;
        },
        asio::detached);
  }
  ASSERT_TRUE(eventually([&] { return finished == count; }, 20s));
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(matched, count);
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(io_.run(connection.async_exec("GET", "counter")).value.to_integer(), count);
  std::printf("[ figures  ] %d pipelined ECHO+INCR pairs in %.1f ms\n", count,
              std::chrono::duration<double, std::milli>(elapsed).count());
}

TEST_F(RedisConnection, RequestsStayWholeAmongConcurrentCommands) {
  redis_connection connection(io_.executor(), config_for(redis_.url()));
  connection.start();
  ASSERT_TRUE(eventually([&] { return connection.ready(); }));
  std::atomic<int> good = 0, finished = 0;
  for (int i = 0; i < 200; ++i) {
    asio::co_spawn(
        io_.context(),
        [&, i]() -> asio::awaitable<void> {
          if (i % 2 == 0) {
            request block;
            block.push("MULTI").push("INCR", "a").push("INCR", "b").push("EXEC");
            auto results = co_await connection.async_exec(std::move(block));
            const auto& exec = results.back();
            // An interloper inside the block would show up as a third EXEC element or an error.
            if (results.size() == 4 && exec.ok() && exec.value.is_array() &&
                exec.value.elements.size() == 2)
              ++good;
          } else {
            auto r = co_await connection.async_exec("INCR", "c");
            if (r.ok() && r.value.kind == reply::type::integer) ++good;
          }
          ++finished;
        },
        asio::detached);
  }
  ASSERT_TRUE(eventually([&] { return finished == 200; }));
  EXPECT_EQ(good, 200);
  EXPECT_EQ(io_.run(connection.async_exec("GET", "a")).value.to_integer(), 100);
}

TEST_F(RedisConnection, FailsFastWhileRedisIsDownAndRecoversAfterRestart) {
  redis_connection connection(io_.executor(), config_for(redis_.url()));
  connection.start();
  ASSERT_TRUE(eventually([&] { return connection.ready(); }));
  ASSERT_TRUE(io_.run(connection.async_exec("SET", "k", "v")).ok());

  redis_.stop();
  ASSERT_TRUE(eventually([&] { return !connection.ready(); }, 5s));
  for (int i = 0; i < 20; ++i) {
    const auto started = std::chrono::steady_clock::now();
    auto r = io_.run(connection.async_exec("GET", "k"), 2s);
    const auto elapsed = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(r.error, make_error_code(error::not_connected));
    EXPECT_LT(elapsed, 100ms) << "a command waited for Redis instead of failing";
  }

  redis_.restart();
  ASSERT_TRUE(eventually([&] { return connection.ready(); }, 10s));
  auto after = io_.run(connection.async_exec("SET", "k", "again"));
  EXPECT_TRUE(after.ok());
}

TEST_F(RedisConnection, CommandsInFlightWhenRedisDiesFailWithConnectionLost) {
  redis_connection connection(io_.executor(), config_for(redis_.url()));
  connection.start();
  ASSERT_TRUE(eventually([&] { return connection.ready(); }));
  // BLPOP keeps a command in flight until Redis answers or goes away.
  auto future =
      asio::co_spawn(io_.context(), connection.async_exec("BLPOP", "never", 0), asio::use_future);
  std::this_thread::sleep_for(100ms);
  redis_.kill_now();
  ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(future.get().error, make_error_code(error::connection_lost));
  redis_.restart();
  EXPECT_TRUE(eventually([&] { return connection.ready(); }, 10s));
}

TEST_F(RedisConnection, TimesOutOnTheAsioSideAndCarriesOn) {
  auto cfg = config_for(redis_.url());
  cfg.command_timeout = 200ms;
  cfg.health_check_interval = 0ms;  // this test is about one command, not the connection
  redis_connection connection(io_.executor(), cfg);
  connection.start();
  ASSERT_TRUE(eventually([&] { return connection.ready(); }));
  // Redis holds every command from other clients for 800 ms.
  ASSERT_TRUE(redis_.command("CLIENT PAUSE 800 ALL").starts_with("+OK"));
  const auto started = std::chrono::steady_clock::now();
  auto late = io_.run(connection.async_exec("GET", "k"));
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(late.error, make_error_code(error::timeout));
  EXPECT_GE(elapsed, 150ms);
  EXPECT_LT(elapsed, 600ms);
  // Once Redis answers again, the late reply is dropped and the next command gets its own.
  ASSERT_TRUE(eventually(
      [&] {
        auto r = io_.run(connection.async_exec("ECHO", "fresh"));
        return r.ok() && r.value.text == "fresh";
      },
      5s));
}

TEST_F(RedisConnection, BoundsTheCommandsWaitingForReplies) {
  auto cfg = config_for(redis_.url());
  cfg.max_pending = 10;
  redis_connection connection(io_.executor(), cfg);
  connection.start();
  ASSERT_TRUE(eventually([&] { return connection.ready(); }));
  std::atomic<int> ok = 0, refused = 0, finished = 0;
  for (int i = 0; i < 100; ++i) {
    asio::co_spawn(
        io_.context(),
        [&]() -> asio::awaitable<void> {
          auto r = co_await connection.async_exec("PING");
          if (r.ok()) ++ok;
          if (r.error == make_error_code(error::too_many_pending)) ++refused;
          ++finished;
        },
        asio::detached);
  }
  ASSERT_TRUE(eventually([&] { return finished == 100; }));
  EXPECT_GT(refused, 0);
  EXPECT_GE(ok, 10);
  EXPECT_EQ(ok + refused, 100);
}

TEST_F(RedisConnection, StopFailsWaitingCommands) {
  auto connection = std::make_unique<redis_connection>(io_.executor(), config_for(redis_.url()));
  connection->start();
  ASSERT_TRUE(eventually([&] { return connection->ready(); }));
  auto future =
      asio::co_spawn(io_.context(), connection->async_exec("BLPOP", "never", 0), asio::use_future);
  std::this_thread::sleep_for(50ms);
  connection.reset();
  ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(future.get().error, make_error_code(error::stopped));
}

class RedisWithPassword : public ::testing::Test {
 protected:
  redis_server_process redis_{{.append_only = false, .extra_args = {"--requirepass", "s3cret"}}};
  io_thread io_;
};

TEST_F(RedisWithPassword, AuthenticatesAndSelectsTheDatabase) {
  const std::string url = "redis://:s3cret@127.0.0.1:" + std::to_string(redis_.port()) + "/3";
  redis_connection connection(io_.executor(), config_for(url));
  connection.start();
  ASSERT_TRUE(eventually([&] { return connection.ready(); }));
  ASSERT_TRUE(io_.run(connection.async_exec("SET", "where", "db3")).ok());
  const auto seen = redis_.command("AUTH s3cret\r\nSELECT 3\r\nGET where");
  EXPECT_NE(seen.find("db3"), std::string::npos) << seen;
}

TEST_F(RedisWithPassword, AWrongPasswordNeverBecomesReady) {
  const std::string url = "redis://:wrong@127.0.0.1:" + std::to_string(redis_.port());
  redis_connection connection(io_.executor(), config_for(url));
  connection.start();
  EXPECT_FALSE(eventually([&] { return connection.ready(); }, 500ms));
  EXPECT_EQ(io_.run(connection.async_exec("PING")).error, make_error_code(error::not_connected));
}

// Collects what a subscriber hears, for assertions from the test thread.
struct heard {
  std::mutex mutex;
  std::vector<std::pair<std::string, std::string>> messages;
  std::set<std::string> subscribed;
  int reconnects = 0;

  void attach(redis_subscriber& subscriber) {
    subscriber.set_message_handler([this](std::string_view channel, std::string_view payload) {
      std::lock_guard lock(mutex);
      messages.emplace_back(channel, payload);
    });
    subscriber.set_subscribed_handler([this](std::string_view channel) {
      std::lock_guard lock(mutex);
      subscribed.emplace(channel);
    });
    subscriber.set_reconnect_handler([this] {
      std::lock_guard lock(mutex);
      ++reconnects;
    });
  }
  bool has(const std::string& channel, const std::string& payload) {
    std::lock_guard lock(mutex);
    for (const auto& [c, p] : messages)
      if (c == channel && p == payload) return true;
    return false;
  }
  bool confirmed(const std::string& channel) {
    std::lock_guard lock(mutex);
    return subscribed.contains(channel);
  }
  int reconnect_count() {
    std::lock_guard lock(mutex);
    return reconnects;
  }
  void forget_confirmations() {
    std::lock_guard lock(mutex);
    subscribed.clear();
  }
};

class RedisSubscriber : public RedisConnection {};

TEST_F(RedisSubscriber, DeliversMessagesOfSubscribedChannelsOnly) {
  redis_connection publisher(io_.executor(), config_for(redis_.url()));
  redis_subscriber subscriber(io_.executor(), config_for(redis_.url()));
  heard log;
  log.attach(subscriber);
  publisher.start();
  subscriber.subscribe("news");
  subscriber.start();
  ASSERT_TRUE(eventually([&] { return publisher.ready() && log.confirmed("news"); }));
  EXPECT_TRUE(subscriber.ready());
  const std::string payload("binary\0payload", 14);
  EXPECT_EQ(io_.run(publisher.async_exec("PUBLISH", "news", payload)).value.integer, 1);
  EXPECT_EQ(io_.run(publisher.async_exec("PUBLISH", "other", "x")).value.integer, 0);
  EXPECT_TRUE(eventually([&] { return log.has("news", payload); }));

  // A channel added while connected is subscribed at once.
  subscriber.subscribe("late");
  ASSERT_TRUE(eventually([&] { return log.confirmed("late"); }));
  io_.run(publisher.async_exec("PUBLISH", "late", "hello"));
  EXPECT_TRUE(eventually([&] { return log.has("late", "hello"); }));

  subscriber.unsubscribe("news");
  EXPECT_TRUE(eventually(
      [&] { return io_.run(publisher.async_exec("PUBLISH", "news", "gone")).value.integer == 0; }));
}

TEST_F(RedisSubscriber, HealthChecksKeepAQuietConnection) {
  auto cfg = config_for(redis_.url());
  cfg.health_check_interval = 20ms;
  redis_connection publisher(io_.executor(), config_for(redis_.url()));
  redis_subscriber subscriber(io_.executor(), cfg);
  heard log;
  log.attach(subscriber);
  publisher.start();
  subscriber.subscribe("quiet");
  subscriber.start();
  ASSERT_TRUE(eventually([&] { return log.confirmed("quiet"); }));
  std::this_thread::sleep_for(1s);  // about 50 health checks
  EXPECT_TRUE(subscriber.ready());
  EXPECT_EQ(log.reconnect_count(), 0) << "a health check failed on a healthy connection";
  io_.run(publisher.async_exec("PUBLISH", "quiet", "still here"));
  EXPECT_TRUE(eventually([&] { return log.has("quiet", "still here"); }));
}

TEST_F(RedisSubscriber, ResubscribesEveryChannelAfterARestart) {
  redis_connection publisher(io_.executor(), config_for(redis_.url()));
  redis_subscriber subscriber(io_.executor(), config_for(redis_.url()));
  heard log;
  log.attach(subscriber);
  publisher.start();
  subscriber.subscribe("a");
  subscriber.subscribe("b");
  subscriber.start();
  ASSERT_TRUE(eventually([&] { return log.confirmed("a") && log.confirmed("b"); }));
  log.forget_confirmations();

  redis_.stop();
  ASSERT_TRUE(eventually([&] { return !subscriber.ready(); }, 5s));
  subscriber.subscribe("c");  // asked for while Redis is down
  redis_.restart();
  ASSERT_TRUE(eventually([&] { return log.reconnect_count() == 1; }, 10s));
  EXPECT_TRUE(log.confirmed("a") && log.confirmed("b") && log.confirmed("c"));
  ASSERT_TRUE(eventually([&] { return publisher.ready(); }, 10s));
  for (const char* channel : {"a", "b", "c"}) {
    EXPECT_EQ(io_.run(publisher.async_exec("PUBLISH", channel, "after")).value.integer, 1);
    EXPECT_TRUE(eventually([&] { return log.has(channel, "after"); })) << channel;
  }
}

TEST_F(RedisSubscriber, ReconnectsWhenRedisDropsTheSubscriber) {
  redis_connection publisher(io_.executor(), config_for(redis_.url()));
  redis_subscriber subscriber(io_.executor(), config_for(redis_.url()));
  heard log;
  log.attach(subscriber);
  publisher.start();
  subscriber.subscribe("room");
  subscriber.start();
  ASSERT_TRUE(eventually([&] { return publisher.ready() && log.confirmed("room"); }));
  // What Redis does to a subscriber over its output buffer limit: it closes the connection.
  auto killed = io_.run(publisher.async_exec("CLIENT", "KILL", "TYPE", "pubsub"));
  ASSERT_TRUE(killed.ok());
  EXPECT_EQ(killed.value.integer, 1);
  ASSERT_TRUE(eventually([&] { return log.reconnect_count() == 1; }, 10s));
  io_.run(publisher.async_exec("PUBLISH", "room", "back"));
  EXPECT_TRUE(eventually([&] { return log.has("room", "back"); }));
}

}  // namespace
}  // namespace majlis::redis
