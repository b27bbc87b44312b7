// Limits against a real majlisd (issue 6, README "Limits"): connections per participant token,
// connections and joins per source address (with and without a trusted proxy header), and the
// throttling of an address after failed authentications. Loopback only: 127.0.0.2 is "another
// address" for the TCP peer. Every scenario is bounded in time.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <gtest/gtest.h>

#include "majlis/client/http_api.hpp"
#include "majlis/client/meeting_client.hpp"
#include "majlisd_process.hpp"
#include "net/codec.hpp"
#include "net/connection.hpp"

namespace majlis::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
using ws_stream = websocket::stream<beast::tcp_stream>;

constexpr std::uint16_t code_4029 = static_cast<std::uint16_t>(net::close_code::too_many_connections);

asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  co_await timer.async_wait(use_tuple);
}

// What one WebSocket join attempt got: a Welcome (the socket stays open in `ws`), or an Error
// and a close code.
struct attempt {
  bool welcome = false;
  bool closed = false;
  std::uint16_t close_code = 0;
  v1::ErrorCode error = v1::ERROR_CODE_UNSPECIFIED;
  std::string message;
  std::string failure;  // transport trouble (connect, handshake, timeout)
  std::unique_ptr<ws_stream> ws;

  bool refused_4029() const {
    return closed && close_code == code_4029 && error == v1::ERROR_CODE_RESOURCE_EXHAUSTED;
  }
  std::string describe() const {
    std::ostringstream out;
    out << "welcome=" << welcome << " closed=" << closed << " code=" << close_code
        << " error=" << v1::ErrorCode_Name(error) << " message=\"" << message << "\" failure=\""
        << failure << "\"";
    return out.str();
  }
};

struct join_options {
  std::string forwarded_for;          // an X-Forwarded-For header when not empty
  std::string source = "127.0.0.1";   // the local address to connect from
  std::chrono::milliseconds bound = 10s;
};

// Opens a WebSocket, sends Join, and reads until a Welcome or the server's close.
asio::awaitable<attempt> try_join(std::uint16_t port, std::string meeting_id, std::string token,
                                  join_options options) {
  attempt out;
  out.ws = std::make_unique<ws_stream>(co_await asio::this_coro::executor);
  auto& ws = *out.ws;
  auto& stream = beast::get_lowest_layer(ws);
  beast::error_code ec;
  stream.socket().open(tcp::v4(), ec);
  if (!ec) stream.socket().bind(tcp::endpoint(asio::ip::make_address(options.source), 0), ec);
  if (ec) {
    out.failure = "bind: " + ec.message();
    out.ws.reset();
    co_return out;
  }
  stream.expires_after(options.bound);
  const tcp::endpoint server(asio::ip::make_address("127.0.0.1"), port);
  auto [connect_ec] = co_await stream.async_connect(server, use_tuple);
  if (connect_ec) {
    out.failure = "connect: " + connect_ec.message();
    out.ws.reset();
    co_return out;
  }
  if (!options.forwarded_for.empty()) {
    ws.set_option(websocket::stream_base::decorator(
        [value = options.forwarded_for](websocket::request_type& req) {
          req.set("X-Forwarded-For", value);
        }));
  }
  const std::string host = "127.0.0.1:" + std::to_string(port);
  auto [handshake_ec] = co_await ws.async_handshake(host, "/ws", use_tuple);
  if (handshake_ec) {
    out.failure = "handshake: " + handshake_ec.message();
    out.ws.reset();
    co_return out;
  }
  v1::ClientMessage join;
  join.mutable_join()->set_meeting_id(meeting_id);
  join.mutable_join()->set_token(token);
  const auto frame = net::encode_client_message(join, net::wire_format::binary);
  ws.binary(true);
  // A connection refused at the upgrade may be closing already: read its answer regardless.
  co_await ws.async_write(asio::buffer(*frame.bytes), use_tuple);
  for (int i = 0; i < 1000; ++i) {
    beast::flat_buffer buffer;
    auto [read_ec, n] = co_await ws.async_read(buffer, use_tuple);
    if (read_ec) {
      if (read_ec == websocket::error::closed || ws.reason().code != websocket::close_code::none) {
        out.closed = true;
        out.close_code = static_cast<std::uint16_t>(ws.reason().code);
      } else {
        out.failure = "read: " + read_ec.message();
      }
      break;
    }
    const auto data = buffer.cdata();
    auto decoded = net::decode_server_message(
        std::string_view(static_cast<const char*>(data.data()), data.size()),
        ws.got_text() ? net::wire_format::json : net::wire_format::binary);
    if (!decoded.ok()) continue;
    if (decoded.message.has_welcome()) {
      out.welcome = true;
      stream.expires_never();
      co_return out;
    }
    if (decoded.message.has_error()) {
      out.error = decoded.message.error().code();
      out.message = decoded.message.error().message();
    }
  }
  out.ws.reset();
  co_return out;
}

struct raw_reply {
  unsigned status = 0;
  std::string retry_after;
  std::string body;
  std::string failure;
};

// One HTTP request from `source` (a loopback address), with "Authorization: Bearer <key>" when
// `key` is not empty.
asio::awaitable<raw_reply> raw_http(std::uint16_t port, std::string source, http::verb verb,
                                    std::string target, std::string key, std::string body) {
  raw_reply out;
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  beast::error_code ec;
  stream.socket().open(tcp::v4(), ec);
  if (!ec) stream.socket().bind(tcp::endpoint(asio::ip::make_address(source), 0), ec);
  if (ec) {
    out.failure = "bind: " + ec.message();
    co_return out;
  }
  stream.expires_after(10s);
  const tcp::endpoint server(asio::ip::make_address("127.0.0.1"), port);
  auto [connect_ec] = co_await stream.async_connect(server, use_tuple);
  if (connect_ec) {
    out.failure = "connect: " + connect_ec.message();
    co_return out;
  }
  http::request<http::string_body> req(verb, target, 11);
  req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  if (!key.empty()) req.set(http::field::authorization, "Bearer " + key);
  if (!body.empty()) req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  auto [write_ec, written] = co_await http::async_write(stream, req, use_tuple);
  if (write_ec) {
    out.failure = "write: " + write_ec.message();
    co_return out;
  }
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  auto [read_ec, read] = co_await http::async_read(stream, buffer, res, use_tuple);
  if (read_ec) {
    out.failure = "read: " + read_ec.message();
    co_return out;
  }
  out.status = res.result_int();
  if (auto it = res.find(http::field::retry_after); it != res.end())
    out.retry_after = std::string(it->value());
  out.body = res.body();
  co_return out;
}

// The value of an unlabelled Prometheus line `name value`; -1 when absent.
long long metric(const std::string& text, const std::string& name) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(name + " ", 0) == 0) return std::stoll(line.substr(name.size() + 1));
  }
  return -1;
}

class limits : public ::testing::Test {
 protected:
  void TearDown() override {
    kept_.clear();
    if (!stuck_) ioc_.run_for(50ms);
    if (process_) {
      EXPECT_EQ(process_->stop(), 0) << "majlisd did not exit cleanly on SIGTERM";
    }
  }

  // Starts majlisd with `flags`, creates a meeting, and issues a participant and an observer
  // token for it.
  void start(std::vector<std::string> flags) {
    process_ = std::make_unique<majlisd_process>(std::move(flags));
    run([&]() -> asio::awaitable<void> {
      auto api = admin_api();
      client::meeting_spec spec;
      spec.title = "Limits drill";
      auto created = co_await api.create_meeting(std::move(spec));
      if (!created) co_return;
      meeting_ = *created.value;
      client::token_request participant;
      participant.role = "participant";
      participant.name = "Many Sockets";
      participant.attendance = "remote";
      auto issued = co_await api.issue_token(meeting_.meeting_id, std::move(participant));
      if (!issued) co_return;
      participant_token_ = issued.value->token;
      client::token_request observer;
      observer.role = "observer";
      observer.name = "Audience";
      auto watching = co_await api.issue_token(meeting_.meeting_id, std::move(observer));
      if (!watching) co_return;
      observer_token_ = watching.value->token;
    });
    ASSERT_FALSE(observer_token_.empty()) << "could not set up the meeting";
  }

  // Runs `scenario` to completion on the io_context, within `bound`.
  void run(std::function<asio::awaitable<void>()> scenario, std::chrono::seconds bound = 30s) {
    struct shared {
      bool done = false;
      std::exception_ptr failure;
    };
    auto state = std::make_shared<shared>();
    auto body = std::make_shared<std::function<asio::awaitable<void>()>>(std::move(scenario));
    asio::co_spawn(
        ioc_,
        [state, body]() -> asio::awaitable<void> {
          co_await (*body)();
          state->done = true;
        },
        [state](std::exception_ptr e) {
          if (e) {
            state->failure = e;
            state->done = true;
          }
        });
    const auto deadline = std::chrono::steady_clock::now() + bound;
    while (!state->done && std::chrono::steady_clock::now() < deadline) ioc_.run_for(20ms);
    ioc_.restart();
    if (state->failure) {
      try {
        std::rethrow_exception(state->failure);
      } catch (const std::exception& e) {
        ADD_FAILURE() << "scenario threw: " << e.what();
      }
    }
    if (!state->done) {
      stuck_ = true;
      ADD_FAILURE() << "scenario did not finish within " << bound.count() << " s";
    }
  }

  client::http_api admin_api() {
    client::http_api_config config;
    config.host = "127.0.0.1";
    config.port = process_->port_string();
    config.admin_key = majlisd_process::admin_key;
    config.timeout = 10s;
    return client::http_api(ioc_.get_executor(), config);
  }

  asio::awaitable<attempt> join_as(std::string token, join_options options) {
    co_return co_await try_join(process_->port(), meeting_.meeting_id, std::move(token),
                                std::move(options));
  }
  // GCC 12 mishandles a braced default argument of a coroutine: a named value instead.
  asio::awaitable<attempt> join_as(std::string token) {
    join_options defaults;
    co_return co_await join_as(std::move(token), std::move(defaults));
  }

  // Keeps an accepted connection open until the test ends.
  void keep(attempt& a) {
    if (a.ws) kept_.push_back(std::move(a.ws));
  }

  // n observer connections, each expected to be welcomed and kept open.
  asio::awaitable<void> fill_with_observers(int n) {
    for (int i = 0; i < n; ++i) {
      auto a = co_await join_as(observer_token_);
      EXPECT_TRUE(a.welcome) << i << ": " << a.describe();
      keep(a);
    }
  }

  asio::io_context ioc_;
  std::unique_ptr<majlisd_process> process_;
  client::created_meeting meeting_;
  std::string participant_token_;
  std::string observer_token_;
  std::vector<std::unique_ptr<ws_stream>> kept_;
  bool stuck_ = false;
};

// Raises the soft limit of open files to the hard one (majlisd, started after, inherits it);
// returns the soft limit now in force.
rlim_t raise_open_files() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
  }
  return limit.rlim_cur;
}

TEST_F(limits, a_burst_of_sockets_with_one_token_gets_only_its_connections_and_the_chair_joins) {
  const rlim_t open_files = raise_open_files();
  // 10,000 sockets, or as many as this process's descriptors allow (with room to spare).
  const std::size_t sockets =
      std::min<std::size_t>(10'000, open_files > 512 ? open_files - 512 : 0);
  ASSERT_GE(sockets, 100u) << "too few file descriptors for the storm: " << open_files;
  constexpr std::size_t per_participant = 5;
  start({"--max-connections-per-participant", std::to_string(per_participant),
         "--max-connections", std::to_string(sockets + 1000), "--join-timeout-ms", "120000"});

  std::size_t welcomed = 0, refused = 0, done = 0;
  std::vector<std::string> other;
  run(
      [&]() -> asio::awaitable<void> {
        // Every socket at once: their joins reach the meeting's strand interleaved.
        for (std::size_t i = 0; i < sockets; ++i) {
          asio::co_spawn(
              ioc_,
              [&]() -> asio::awaitable<void> {
                join_options options;
                options.bound = 90s;
                auto a = co_await join_as(participant_token_, options);
                if (a.welcome) {
                  ++welcomed;
                  keep(a);
                } else if (a.refused_4029()) {
                  ++refused;
                  if (refused == 1) {
                    EXPECT_NE(a.message.find("--max-connections-per-participant"),
                              std::string::npos)
                        << a.message;
                  }
                } else if (other.size() < 5) {
                  other.push_back(a.describe());
                }
                ++done;
              },
              asio::detached);
        }
        for (int i = 0; i < 6000 && done < sockets; ++i) co_await sleep_for(20ms);
      },
      150s);
  ASSERT_EQ(done, sockets) << "the storm did not finish";
  EXPECT_EQ(welcomed, per_participant);
  EXPECT_EQ(refused, sockets - per_participant);
  for (const auto& o : other) ADD_FAILURE() << "neither a Welcome nor 4029: " << o;

  // The chair still joins and runs the meeting, and sees the participant's live connections.
  bool chair_worked = false;
  std::size_t connections_seen = 0;
  run([&]() -> asio::awaitable<void> {
    client::meeting_client chair(ioc_.get_executor());
    if (co_await chair.connect("127.0.0.1", process_->port_string())) co_return;
    const auto joined = co_await chair.join(meeting_.meeting_id, meeting_.tokens.moderator);
    EXPECT_TRUE(joined.ok) << joined.error.message();
    if (!joined.ok) co_return;
    v1::Command start_meeting;
    start_meeting.mutable_start_meeting();
    const auto result = co_await chair.send(start_meeting, 10s);
    EXPECT_TRUE(result.ok()) << result.error().message();
    chair_worked = result.ok();
    for (int i = 0; i < 250; ++i) {
      connections_seen = 0;
      for (const auto& p : chair.mirror().state().participants()) {
        if (p.display_name() == "Many Sockets") connections_seen = p.connection_count();
      }
      if (connections_seen == per_participant) break;
      co_await sleep_for(20ms);
    }
    co_await chair.close();
  });
  EXPECT_TRUE(chair_worked);
  EXPECT_EQ(connections_seen, per_participant);

  // One of the five leaves: its place is free again.
  kept_.pop_back();
  bool rejoined = false;
  run([&]() -> asio::awaitable<void> {
    for (int i = 0; i < 100 && !rejoined; ++i) {
      auto a = co_await join_as(participant_token_);
      rejoined = a.welcome;
      if (rejoined) {
        keep(a);
      } else {
        EXPECT_TRUE(a.refused_4029()) << a.describe();
        co_await sleep_for(50ms);
      }
    }
  });
  EXPECT_TRUE(rejoined) << "a freed connection place was not given back";

  raw_reply metrics;
  run([&]() -> asio::awaitable<void> {
    metrics = co_await raw_http(process_->port(), "127.0.0.1", http::verb::get, "/metrics", "", "");
  });
  EXPECT_GE(metric(metrics.body, "majlis_joins_refused_per_participant_total"),
            static_cast<long long>(sockets - per_participant));
}

TEST_F(limits, displays_and_observers_are_not_held_to_the_participant_limit) {
  start({"--max-connections-per-participant", "2"});
  std::size_t welcomed = 0;
  run([&]() -> asio::awaitable<void> {
    for (int i = 0; i < 6; ++i) {
      auto a = co_await join_as(observer_token_);
      EXPECT_TRUE(a.welcome) << a.describe();
      if (a.welcome) ++welcomed;
      keep(a);
    }
    auto first = co_await join_as(participant_token_);
    auto second = co_await join_as(participant_token_);
    auto third = co_await join_as(participant_token_);
    EXPECT_TRUE(first.welcome && second.welcome) << first.describe() << " / " << second.describe();
    EXPECT_TRUE(third.refused_4029()) << third.describe();
    keep(first);
    keep(second);
  });
  EXPECT_EQ(welcomed, 6u);
}

TEST_F(limits, a_full_meeting_still_lets_the_chair_in) {
  start({"--max-connections-per-meeting", "3"});
  run([&]() -> asio::awaitable<void> {
    co_await fill_with_observers(3);
    auto fourth = co_await join_as(observer_token_);
    EXPECT_EQ(fourth.close_code, 4013) << fourth.describe();
    auto chair = co_await join_as(meeting_.tokens.moderator);
    EXPECT_TRUE(chair.welcome) << chair.describe();
    keep(chair);
  });
}

TEST_F(limits, connections_per_address_are_capped) {
  start({"--max-connections-per-address", "3"});
  run([&]() -> asio::awaitable<void> {
    co_await fill_with_observers(3);
    auto fourth = co_await join_as(observer_token_);
    EXPECT_TRUE(fourth.refused_4029()) << fourth.describe();
    EXPECT_NE(fourth.message.find("--max-connections-per-address"), std::string::npos)
        << fourth.message;
    // Another address is counted apart.
    join_options elsewhere;
    elsewhere.source = "127.0.0.2";
    auto other = co_await join_as(observer_token_, elsewhere);
    EXPECT_TRUE(other.welcome) << other.describe();
    keep(other);
    // A connection that ends gives its place back.
    co_await kept_.front()->async_close(websocket::close_code::normal, use_tuple);
    kept_.erase(kept_.begin());
    bool again = false;
    for (int i = 0; i < 100 && !again; ++i) {
      auto a = co_await join_as(observer_token_);
      again = a.welcome;
      if (again) {
        keep(a);
      } else {
        co_await sleep_for(20ms);
      }
    }
    EXPECT_TRUE(again) << "the address did not get its place back";
  });
}

TEST_F(limits, joins_per_address_follow_the_token_bucket) {
  start({"--joins-per-second-per-address", "1", "--join-burst-per-address", "3"});
  std::size_t welcomed = 0, refused = 0;
  std::chrono::steady_clock::duration elapsed{};
  run([&]() -> asio::awaitable<void> {
    const auto began = std::chrono::steady_clock::now();
    for (int i = 0; i < 10; ++i) {
      auto a = co_await join_as(observer_token_);
      if (a.welcome) {
        ++welcomed;
        keep(a);
      } else {
        EXPECT_TRUE(a.refused_4029()) << a.describe();
        EXPECT_NE(a.message.find("joins too fast"), std::string::npos) << a.message;
        ++refused;
      }
    }
    elapsed = std::chrono::steady_clock::now() - began;
  });
  // The burst of three, plus one per second that passed.
  const auto seconds = std::chrono::ceil<std::chrono::seconds>(elapsed).count();
  EXPECT_GE(welcomed, 3u);
  EXPECT_LE(welcomed, 3u + static_cast<std::size_t>(seconds));
  EXPECT_EQ(welcomed + refused, 10u);
  EXPECT_GE(refused, 1u);
}

TEST_F(limits, a_trusted_proxy_header_separates_addresses_and_is_ignored_without_the_flag) {
  start({"--max-connections-per-address", "1", "--trusted-proxy-header", "X-Forwarded-For"});
  run([&]() -> asio::awaitable<void> {
    join_options a;
    a.forwarded_for = "198.51.100.1";
    auto first = co_await join_as(observer_token_, a);
    EXPECT_TRUE(first.welcome) << first.describe();
    keep(first);
    join_options b;
    b.forwarded_for = "198.51.100.1, 198.51.100.2";  // the proxy appended the last one
    auto second = co_await join_as(observer_token_, b);
    EXPECT_TRUE(second.welcome) << second.describe();
    keep(second);
    auto again = co_await join_as(observer_token_, a);
    EXPECT_TRUE(again.refused_4029()) << again.describe();
  });
  kept_.clear();
  ASSERT_EQ(process_->stop(), 0);

  // The same without --trusted-proxy-header: both are 127.0.0.1.
  start({"--max-connections-per-address", "1"});
  run([&]() -> asio::awaitable<void> {
    join_options a;
    a.forwarded_for = "198.51.100.1";
    auto first = co_await join_as(observer_token_, a);
    EXPECT_TRUE(first.welcome) << first.describe();
    keep(first);
    join_options b;
    b.forwarded_for = "198.51.100.2";
    auto second = co_await join_as(observer_token_, b);
    EXPECT_TRUE(second.refused_4029()) << second.describe();
  });
}

TEST_F(limits, failed_authentications_throttle_the_address_with_429_and_4029) {
  start({"--failed-auth-limit", "3", "--failed-auth-window", "60"});
  const auto port = process_->port();
  const std::string create = R"({"title":"Another"})";
  run([&]() -> asio::awaitable<void> {
    // Two wrong admin keys and one forged token: three failures from 127.0.0.1.
    for (int i = 0; i < 2; ++i) {
      auto r = co_await raw_http(port, "127.0.0.1", http::verb::post, "/api/meetings",
                                 "wrong-key", create);
      EXPECT_EQ(r.status, 401u) << r.failure << r.body;
    }
    auto forged = co_await join_as(participant_token_ + "x");
    EXPECT_TRUE(forged.closed && forged.close_code == 4001) << forged.describe();

    // Now even the right key is refused from there, with Retry-After; and joins get 4029.
    auto throttled = co_await raw_http(port, "127.0.0.1", http::verb::post, "/api/meetings",
                                       majlisd_process::admin_key, create);
    EXPECT_EQ(throttled.status, 429u) << throttled.failure << throttled.body;
    EXPECT_NE(throttled.body.find("RESOURCE_EXHAUSTED"), std::string::npos) << throttled.body;
    EXPECT_FALSE(throttled.retry_after.empty());
    const int retry_after = throttled.retry_after.empty() ? 0 : std::stoi(throttled.retry_after);
    EXPECT_GE(retry_after, 1);
    EXPECT_LE(retry_after, 60);
    auto join = co_await join_as(observer_token_);
    EXPECT_TRUE(join.refused_4029()) << join.describe();

    // Another address is not held back; and the probes stay open to the throttled one.
    auto elsewhere = co_await raw_http(port, "127.0.0.2", http::verb::post, "/api/meetings",
                                       majlisd_process::admin_key, create);
    EXPECT_EQ(elsewhere.status, 201u) << elsewhere.failure << elsewhere.body;
    join_options other_address;
    other_address.source = "127.0.0.2";
    auto other_join = co_await join_as(observer_token_, other_address);
    EXPECT_TRUE(other_join.welcome) << other_join.describe();
    keep(other_join);
    auto health = co_await raw_http(port, "127.0.0.1", http::verb::get, "/healthz", "", "");
    EXPECT_EQ(health.status, 200u);

    auto metrics = co_await raw_http(port, "127.0.0.2", http::verb::get, "/metrics", "", "");
    EXPECT_EQ(metric(metrics.body, "majlis_net_failed_auth_total"), 3);
    EXPECT_EQ(metric(metrics.body, "majlis_net_auth_throttled_total"), 2);
  });
}

}  // namespace
}  // namespace majlis::testing
