// The real server on 127.0.0.1:0, in-process, with a fake acceptor/handler and Beast clients.
// Everything runs on one io_context driven by the test thread; every scenario is bounded by
// run_for() and every loop by a count.
#include "net/server.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <gtest/gtest.h>

#include "net/codec.hpp"

namespace majlis::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace fs = std::filesystem;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// gtest's ASSERT_* return, which a coroutine cannot: these record the failure and co_return.
#define CO_ASSERT_TRUE(c)                                  \
  if (!(c)) {                                              \
    ADD_FAILURE() << "CO_ASSERT_TRUE(" #c ") failed";      \
    co_return;                                             \
  }
#define CO_ASSERT_EQ(a, b)                                                      \
  if (!((a) == (b))) {                                                          \
    ADD_FAILURE() << #a " == " #b " failed: " << (a) << " vs " << (b);          \
    co_return;                                                                  \
  }
#define CO_ASSERT_GE(a, b)                                                      \
  if (!((a) >= (b))) {                                                          \
    ADD_FAILURE() << #a " >= " #b " failed: " << (a) << " vs " << (b);          \
    co_return;                                                                  \
  }

// --- fakes on the app side --------------------------------------------------------------------

struct fake_handler : connection_handler {
  std::shared_ptr<connection> conn;
  std::vector<v1::ClientMessage> messages;
  int closed = 0;
  std::function<void(fake_handler&, const v1::ClientMessage&)> behaviour;

  void on_message(v1::ClientMessage message) override {
    messages.push_back(message);
    if (behaviour) behaviour(*this, message);
  }
  void on_closed() override {
    ++closed;
    conn.reset();
  }
};

// Joins are accepted; Pings are answered with Pong; Ping nonce 999 floods the connection with
// flood_frames Results of 64 KiB each: more than the kernel's socket buffers hold, so frames
// are left waiting in the send queue while the client does not read.
constexpr int flood_frames = 400;
void default_behaviour(fake_handler& h, const v1::ClientMessage& m) {
  if (m.has_join()) {
    h.conn->mark_joined();
    v1::ServerMessage welcome;
    welcome.mutable_welcome()->mutable_you()->set_connection_id(h.conn->id());
    h.conn->send(welcome);
  } else if (m.has_ping()) {
    v1::ServerMessage pong;
    pong.mutable_pong()->set_nonce(m.ping().nonce());
    if (m.ping().nonce() != 999) {
      h.conn->send(encode_server_message(pong, h.conn->format()));
      return;
    }
    v1::ServerMessage large;
    large.mutable_result()->set_request_id(999);
    large.mutable_result()->mutable_error()->set_message(std::string(64 * 1024, 'x'));
    const frame f = encode_server_message(large, h.conn->format());
    for (int i = 0; i < flood_frames; ++i) h.conn->send(f);
  }
}

struct fake_acceptor : connection_acceptor {
  std::shared_ptr<connection_handler> on_open(std::shared_ptr<connection> conn) override {
    auto h = std::make_shared<fake_handler>();
    h->conn = std::move(conn);
    h->behaviour = default_behaviour;
    std::lock_guard lock(mutex);
    handlers.push_back(h);
    return h;
  }
  std::size_t count() {
    std::lock_guard lock(mutex);
    return handlers.size();
  }
  std::mutex mutex;  // the multi-threaded test polls while sessions open
  std::vector<std::shared_ptr<fake_handler>> handlers;
};

struct fake_http : http_handler {
  std::vector<http_request> requests;
  asio::awaitable<http_response> handle(http_request request) override {
    requests.push_back(request);
    http_response r;
    r.content_type = "text/plain";
    r.body = "ok " + request.path;
    r.headers.emplace_back("X-Test", "1");
    co_return r;
  }
};

// --- client helpers ---------------------------------------------------------------------------

using ws_client = websocket::stream<beast::tcp_stream>;

struct received {
  std::optional<v1::ServerMessage> message;  // nullopt: the connection ended
  bool text = false;
  beast::error_code error;
  unsigned close_code = 0;  // from the server's close frame
};

asio::awaitable<std::unique_ptr<ws_client>> connect_ws(tcp::endpoint endpoint) {
  auto ws = std::make_unique<ws_client>(co_await asio::this_coro::executor);
  beast::get_lowest_layer(*ws).expires_after(5s);
  co_await beast::get_lowest_layer(*ws).async_connect(endpoint, asio::use_awaitable);
  co_await ws->async_handshake("127.0.0.1", "/ws", asio::use_awaitable);
  beast::get_lowest_layer(*ws).expires_never();
  co_return ws;
}

asio::awaitable<void> send_message(ws_client& ws, const v1::ClientMessage& m,
                                   wire_format format = wire_format::binary) {
  const frame f = encode_client_message(m, format);
  ws.text(f.text);
  co_await ws.async_write(asio::buffer(*f.bytes), asio::use_awaitable);
}

asio::awaitable<received> read_message(ws_client& ws) {
  beast::flat_buffer buffer;
  auto [ec, n] = co_await ws.async_read(buffer, use_tuple);
  received r;
  if (ec) {
    r.error = ec;
    r.close_code = ws.reason().code;
    co_return r;
  }
  r.text = ws.got_text();
  const auto data = buffer.cdata();
  auto decoded = decode_server_message(
      std::string_view(static_cast<const char*>(data.data()), data.size()),
      r.text ? wire_format::json : wire_format::binary);
  EXPECT_TRUE(decoded.ok()) << decoded.error;
  r.message = std::move(decoded.message);
  co_return r;
}

// Reads until the server closes (at most `limit` messages); returns everything read.
asio::awaitable<std::vector<received>> read_until_closed(ws_client& ws, int limit = 200) {
  std::vector<received> out;
  for (int i = 0; i < limit; ++i) {
    out.push_back(co_await read_message(ws));
    if (!out.back().message) break;
  }
  co_return out;
}

v1::ClientMessage join_message() {
  v1::ClientMessage m;
  m.mutable_join()->set_meeting_id("m1");
  m.mutable_join()->set_token("t");
  return m;
}

v1::ClientMessage ping_message(std::uint64_t nonce) {
  v1::ClientMessage m;
  m.mutable_ping()->set_nonce(nonce);
  return m;
}

v1::ClientMessage command_message(std::uint64_t request_id) {
  v1::ClientMessage m;
  m.mutable_command()->set_request_id(request_id);
  m.mutable_command()->mutable_command()->mutable_start_meeting();
  return m;
}

asio::awaitable<http::response<http::string_body>> http_call(tcp::endpoint endpoint,
                                                             http::verb method,
                                                             std::string target,
                                                             std::string body = {}) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  stream.expires_after(5s);
  co_await stream.async_connect(endpoint, asio::use_awaitable);
  http::request<http::string_body> req{method, target, 11};
  req.set(http::field::host, "127.0.0.1");
  req.set("X-Mixed-Case", "Value");
  req.body() = std::move(body);
  req.prepare_payload();
  co_await http::async_write(stream, req, asio::use_awaitable);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.skip(method == http::verb::head);
  co_await http::async_read(stream, buffer, parser, asio::use_awaitable);
  co_return parser.release();
}

asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  co_await timer.async_wait(asio::use_awaitable);
}

// --- fixture ----------------------------------------------------------------------------------

class net_server : public ::testing::Test {
 protected:
  void start(net_config config = {}) {
    config.instance_id = "test";
    server_.emplace(ioc_, config, http_, acceptor_);
    server_->start(tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    endpoint_ = server_->local_endpoint();
    ASSERT_NE(endpoint_.port(), 0);
  }

  // Runs `scenario` to completion on the io_context, within `bound`.
  void run(std::function<asio::awaitable<void>()> scenario, std::chrono::seconds bound = 10s,
           int extra_threads = 0) {
    std::atomic<bool> done = false;
    std::exception_ptr failure;
    asio::co_spawn(
        ioc_,
        [&]() -> asio::awaitable<void> {
          co_await scenario();
          done = true;
        },
        [&](std::exception_ptr e) {
          failure = e;
          if (e) done = true;
        });
    const auto deadline = std::chrono::steady_clock::now() + bound;
    const auto drive = [&] {
      while (!done && std::chrono::steady_clock::now() < deadline) ioc_.run_for(20ms);
    };
    std::vector<std::thread> threads;
    for (int i = 0; i < extra_threads; ++i) threads.emplace_back(drive);
    drive();
    for (auto& t : threads) t.join();
    ioc_.restart();
    if (failure) {
      try {
        std::rethrow_exception(failure);
      } catch (const std::exception& e) {
        FAIL() << "scenario threw: " << e.what();
      }
    }
    ASSERT_TRUE(done) << "scenario did not finish within " << bound.count() << " s";
  }

  // Polls `condition` on the io_context for at most `bound`.
  asio::awaitable<bool> eventually(std::function<bool()> condition,
                                   std::chrono::milliseconds bound = 2000ms) {
    for (auto waited = 0ms; waited < bound; waited += 10ms) {
      if (condition()) co_return true;
      co_await sleep_for(10ms);
    }
    co_return condition();
  }

  asio::io_context ioc_;
  std::shared_ptr<fake_http> http_ = std::make_shared<fake_http>();
  std::shared_ptr<fake_acceptor> acceptor_ = std::make_shared<fake_acceptor>();
  std::optional<server> server_;
  tcp::endpoint endpoint_;
};

TEST_F(net_server, ping_reaches_the_handler_and_the_pong_comes_back) {
  start();
  run([&]() -> asio::awaitable<void> {
    auto ws = co_await connect_ws(endpoint_);
    co_await send_message(*ws, join_message());
    auto welcome = co_await read_message(*ws);
    EXPECT_TRUE(welcome.message && welcome.message->has_welcome());
    EXPECT_FALSE(welcome.text);
    EXPECT_EQ(welcome.message->welcome().you().connection_id(), "test-1");
    co_await send_message(*ws, ping_message(7));
    auto pong = co_await read_message(*ws);
    EXPECT_TRUE(pong.message && pong.message->has_pong());
    EXPECT_EQ(pong.message->pong().nonce(), 7u);
    EXPECT_EQ(server_->connection_count(), 1u);
    EXPECT_TRUE(co_await eventually([&] { return acceptor_->handlers.size() == 1; }));
    const auto& handler = acceptor_->handlers.at(0);
    CO_ASSERT_EQ(handler->messages.size(), 2u);
    EXPECT_TRUE(handler->messages[1].has_ping());

    co_await ws->async_close(websocket::close_code::normal, asio::use_awaitable);
    EXPECT_TRUE(co_await eventually([&] { return handler->closed == 1; }));
    EXPECT_EQ(server_->connection_count(), 0u);
  });
  EXPECT_EQ(acceptor_->handlers.at(0)->closed, 1);
  EXPECT_GE(server_->metrics().frames_in.load(), 2u);
  EXPECT_GE(server_->metrics().frames_out.load(), 2u);
}

TEST_F(net_server, sends_from_another_thread_arrive_in_order) {
  start();
  std::thread meeting;  // stands in for a meeting strand on another thread
  run(
      [&]() -> asio::awaitable<void> {
        auto ws = co_await connect_ws(endpoint_);
        co_await send_message(*ws, join_message());
        CO_ASSERT_TRUE(co_await eventually([&] { return acceptor_->count() == 1; }));
        std::shared_ptr<connection> conn;
        {
          std::lock_guard lock(acceptor_->mutex);
          conn = acceptor_->handlers.at(0)->conn;
        }
        meeting = std::thread([conn] {
          for (std::uint64_t i = 1; i <= 300; ++i) {
            v1::ServerMessage pong;
            pong.mutable_pong()->set_nonce(i);
            conn->send(pong);
          }
        });
        std::uint64_t expected = 1;
        for (int i = 0; i < 301 && expected <= 300; ++i) {
          auto r = co_await read_message(*ws);
          CO_ASSERT_TRUE(r.message);
          if (!r.message->has_pong()) continue;  // the Welcome
          EXPECT_EQ(r.message->pong().nonce(), expected);
          ++expected;
        }
        EXPECT_EQ(expected, 301u);
      },
      10s, 2);
  if (meeting.joinable()) meeting.join();
}

TEST_F(net_server, a_text_join_makes_the_connection_speak_json) {
  start();
  run([&]() -> asio::awaitable<void> {
    auto ws = co_await connect_ws(endpoint_);
    co_await send_message(*ws, join_message(), wire_format::json);
    auto welcome = co_await read_message(*ws);
    EXPECT_TRUE(welcome.text);
    co_await send_message(*ws, ping_message(8), wire_format::json);
    auto pong = co_await read_message(*ws);
    EXPECT_TRUE(pong.text);
    CO_ASSERT_TRUE(pong.message);
    EXPECT_EQ(pong.message->pong().nonce(), 8u);
    EXPECT_EQ(acceptor_->handlers.at(0)->conn->format(), wire_format::json);
  });
}

TEST_F(net_server, oversized_frame_gets_an_error_and_close_1009) {
  net_config config;
  config.max_frame_bytes = 1024;
  start(config);
  run([&]() -> asio::awaitable<void> {
    auto ws = co_await connect_ws(endpoint_);
    ws->binary(true);
    const std::string big(2000, 'x');
    co_await ws->async_write(asio::buffer(big), asio::use_awaitable);
    auto all = co_await read_until_closed(*ws);
    CO_ASSERT_EQ(all.size(), 2u);
    CO_ASSERT_TRUE(all[0].message && all[0].message->has_error());
    EXPECT_EQ(all[0].message->error().code(), v1::ERROR_CODE_RESOURCE_EXHAUSTED);
    EXPECT_EQ(all[0].message->error().message(), "frame larger than 1024 bytes");
    EXPECT_EQ(all[1].close_code, 1009u);
  });
  EXPECT_EQ(server_->metrics().closes(close_code::message_too_big), 1u);
}

TEST_F(net_server, garbage_gets_an_error_and_close_1007_and_the_server_carries_on) {
  start();
  run([&]() -> asio::awaitable<void> {
    auto ws = co_await connect_ws(endpoint_);
    ws->binary(true);
    const std::string garbage = "\xff\xff\xff\xff\x0f\x07garbage";
    co_await ws->async_write(asio::buffer(garbage), asio::use_awaitable);
    auto all = co_await read_until_closed(*ws);
    CO_ASSERT_EQ(all.size(), 2u);
    CO_ASSERT_TRUE(all[0].message && all[0].message->has_error());
    EXPECT_EQ(all[0].message->error().code(), v1::ERROR_CODE_PROTOCOL);
    EXPECT_EQ(all[1].close_code, 1007u);

    auto other = co_await connect_ws(endpoint_);
    co_await send_message(*other, join_message());
    auto welcome = co_await read_message(*other);
    EXPECT_TRUE(welcome.message && welcome.message->has_welcome());
  });
  EXPECT_EQ(server_->metrics().protocol_errors.load(), 1u);
}

TEST_F(net_server, no_join_within_the_timeout_closes_4002) {
  net_config config;
  config.join_timeout = 200ms;
  start(config);
  run([&]() -> asio::awaitable<void> {
    const auto started = std::chrono::steady_clock::now();
    auto ws = co_await connect_ws(endpoint_);
    auto all = co_await read_until_closed(*ws);
    CO_ASSERT_EQ(all.size(), 2u);
    CO_ASSERT_TRUE(all[0].message && all[0].message->has_error());
    EXPECT_EQ(all[0].message->error().code(), v1::ERROR_CODE_PROTOCOL);
    EXPECT_EQ(all[0].message->error().message(), "no Join within 200 ms");
    EXPECT_EQ(all[1].close_code, 4002u);
    EXPECT_GE(std::chrono::steady_clock::now() - started, 190ms);
    // The client holds the close frame before the server has finished its side of the close
    // handshake and told the handler.
    EXPECT_TRUE(co_await eventually([&] {
      return acceptor_->handlers.size() == 1 && acceptor_->handlers.at(0)->closed == 1;
    }));
  });
  EXPECT_EQ(acceptor_->handlers.at(0)->closed, 1);
}

TEST_F(net_server, idle_connection_closes_4009) {
  net_config config;
  config.idle_timeout = 300ms;
  start(config);
  run([&]() -> asio::awaitable<void> {
    auto ws = co_await connect_ws(endpoint_);
    co_await send_message(*ws, join_message());
    auto all = co_await read_until_closed(*ws);
    CO_ASSERT_EQ(all.size(), 3u);  // Welcome, Error, close
    CO_ASSERT_TRUE(all[1].message && all[1].message->has_error());
    EXPECT_EQ(all[2].close_code, 4009u);
  });
}

// A client that sends nothing and does not even read (so it answers no WebSocket ping) still
// gets the Error frame and 4009, every time: the session's watchdog is the only idle timeout,
// Beast's own must not drop the socket first (the client would see 1006).
TEST_F(net_server, a_silent_client_that_does_not_read_always_gets_4009) {
  net_config config;
  config.idle_timeout = 1000ms;
  start(config);
  run(
      [&]() -> asio::awaitable<void> {
        std::vector<unsigned> close_codes;  // 0: the connection ended without a close frame
        std::vector<bool> errors_seen;
        for (int attempt = 0; attempt < 10; ++attempt) {
          auto ws = co_await connect_ws(endpoint_);
          co_await send_message(*ws, join_message());
          const auto welcome = co_await read_message(*ws);
          CO_ASSERT_TRUE(welcome.message && welcome.message->has_welcome());
          co_await sleep_for(1500ms);  // silent, and not reading
          auto all = co_await read_until_closed(*ws);
          errors_seen.push_back(all.size() == 2 && all[0].message && all[0].message->has_error());
          close_codes.push_back(all.back().close_code);
        }
        EXPECT_EQ(close_codes, std::vector<unsigned>(10, 4009u));
        EXPECT_EQ(errors_seen, std::vector<bool>(10, true));
      },
      40s);
}

TEST_F(net_server, rate_limit_rejects_then_closes_a_flood_with_1008) {
  net_config config;
  config.commands_per_second = 5;
  config.command_burst = 5;
  start(config);
  run([&]() -> asio::awaitable<void> {
    auto ws = co_await connect_ws(endpoint_);
    co_await send_message(*ws, join_message());
    for (std::uint64_t id = 1; id <= 40; ++id) co_await send_message(*ws, command_message(id));
    auto all = co_await read_until_closed(*ws);
    int rejected = 0;
    for (const auto& r : all) {
      if (r.message && r.message->has_result()) {
        EXPECT_FALSE(r.message->result().ok());
        EXPECT_EQ(r.message->result().error().code(), v1::ERROR_CODE_RESOURCE_EXHAUSTED);
        EXPECT_EQ(r.message->result().error().message(), "rate limit: 5 commands per second");
        EXPECT_GT(r.message->result().request_id(), 5u);
        ++rejected;
      }
    }
    EXPECT_GE(rejected, 5);
    CO_ASSERT_GE(all.size(), 2u);
    CO_ASSERT_TRUE(all[all.size() - 2].message && all[all.size() - 2].message->has_error());
    EXPECT_EQ(all.back().close_code, 1008u);
  });
  const auto& handler = acceptor_->handlers.at(0);
  int commands = 0;
  for (const auto& m : handler->messages) commands += m.has_command() ? 1 : 0;
  EXPECT_GE(commands, 5);
  EXPECT_LE(commands, 7);  // the bucket may refill a little while the client sends
  EXPECT_GE(server_->metrics().rate_limited_commands.load(), 5u);
}

TEST_F(net_server, overflowing_the_send_queue_closes_4008) {
  net_config config;
  config.send_queue_max_frames = 8;
  start(config);
  run([&]() -> asio::awaitable<void> {
    auto ws = co_await connect_ws(endpoint_);
    co_await send_message(*ws, join_message());
    co_await send_message(*ws, ping_message(999));  // the handler sends a flood at once
    co_await sleep_for(100ms);                      // and the client does not read meanwhile
    auto all = co_await read_until_closed(*ws, flood_frames + 3);
    CO_ASSERT_GE(all.size(), 2u);
    // The Welcome, what the socket had taken, the Error and the close: not the whole flood.
    EXPECT_LT(all.size(), flood_frames + 3u);
    CO_ASSERT_TRUE(all[all.size() - 2].message && all[all.size() - 2].message->has_error());
    EXPECT_EQ(all[all.size() - 2].message->error().code(), v1::ERROR_CODE_RESOURCE_EXHAUSTED);
    EXPECT_EQ(all.back().close_code, 4008u);
  });
  EXPECT_EQ(server_->metrics().closes(close_code::slow_consumer), 1u);
}

TEST_F(net_server, over_max_connections_upgrade_closes_4013_and_http_gets_503) {
  net_config config;
  config.max_connections = 1;
  start(config);
  run([&]() -> asio::awaitable<void> {
    auto first = co_await connect_ws(endpoint_);
    auto second = co_await connect_ws(endpoint_);
    auto all = co_await read_until_closed(*second);
    CO_ASSERT_EQ(all.size(), 2u);
    CO_ASSERT_TRUE(all[0].message && all[0].message->has_error());
    EXPECT_TRUE(all[0].text);
    EXPECT_EQ(all[1].close_code, 4013u);
    auto res = co_await http_call(endpoint_, http::verb::get, "/healthz");
    EXPECT_EQ(res.result_int(), 503u);
  });
  EXPECT_EQ(acceptor_->handlers.size(), 1u);
}

TEST_F(net_server, stop_and_close_all_send_1001_to_every_client) {
  start();
  run([&]() -> asio::awaitable<void> {
    auto a = co_await connect_ws(endpoint_);
    auto b = co_await connect_ws(endpoint_);
    co_await send_message(*a, join_message());
    co_await send_message(*b, join_message());
    EXPECT_TRUE((co_await read_message(*a)).message);
    EXPECT_TRUE((co_await read_message(*b)).message);
    server_->stop_accepting();
    server_->close_all(close_code::going_away);
    for (auto* ws : {a.get(), b.get()}) {
      auto all = co_await read_until_closed(*ws);
      CO_ASSERT_EQ(all.size(), 2u);
      CO_ASSERT_TRUE(all[0].message && all[0].message->has_error());
      EXPECT_EQ(all[0].message->error().code(), v1::ERROR_CODE_UNAVAILABLE);
      EXPECT_EQ(all[1].close_code, 1001u);
    }
    tcp::socket socket(co_await asio::this_coro::executor);
    auto [ec] = co_await socket.async_connect(endpoint_, use_tuple);
    EXPECT_TRUE(ec) << "still accepting after stop_accepting()";
    EXPECT_TRUE(co_await eventually([&] { return server_->connection_count() == 0; }));
  });
}

TEST_F(net_server, start_on_a_busy_port_throws_a_readable_error) {
  start();
  server other(ioc_, net_config{}, http_, acceptor_);
  try {
    other.start(endpoint_);
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot listen on 127.0.0.1:"), std::string::npos)
        << e.what();
  }
}

TEST_F(net_server, probes_and_api_are_routed_to_the_http_handler) {
  start();
  run([&]() -> asio::awaitable<void> {
    auto res = co_await http_call(endpoint_, http::verb::get, "/healthz");
    EXPECT_EQ(res.result_int(), 200u);
    EXPECT_EQ(res.body(), "ok /healthz");
    EXPECT_EQ(res["X-Test"], "1");
    res = co_await http_call(endpoint_, http::verb::post, "/api/meetings?name=a%20b&x=1", "{}");
    EXPECT_EQ(res.body(), "ok /api/meetings");
  });
  ASSERT_EQ(http_->requests.size(), 2u);
  const auto& r = http_->requests[1];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/api/meetings");
  EXPECT_EQ(r.query.at("name"), "a b");
  EXPECT_EQ(r.headers.at("x-mixed-case"), "Value");
  EXPECT_EQ(r.body, "{}");
  EXPECT_EQ(r.remote_address, "127.0.0.1");
}

TEST_F(net_server, oversized_http_body_gets_413) {
  net_config config;
  config.max_http_body_bytes = 1024;
  start(config);
  run([&]() -> asio::awaitable<void> {
    auto res = co_await http_call(endpoint_, http::verb::post, "/api/meetings", std::string(4096, 'x'));
    EXPECT_EQ(res.result_int(), 413u);
  });
  EXPECT_TRUE(http_->requests.empty());
}

TEST_F(net_server, static_files_are_served_and_traversal_is_refused) {
  const fs::path base =
      fs::temp_directory_path() / ("majlis-net-" + std::to_string(std::random_device{}()));
  fs::create_directories(base / "web");
  std::ofstream(base / "web" / "index.html") << "<h1>majlis</h1>";
  std::ofstream(base / "web" / "app.js") << "console.log('hi')";
  std::ofstream(base / "secret.txt") << "secret";
  net_config config;
  config.static_root = (base / "web").string();
  start(config);
  run([&]() -> asio::awaitable<void> {
    auto res = co_await http_call(endpoint_, http::verb::get, "/");
    EXPECT_EQ(res.result_int(), 200u);
    EXPECT_EQ(res.body(), "<h1>majlis</h1>");
    EXPECT_EQ(res[http::field::content_type], "text/html; charset=utf-8");
    EXPECT_EQ(res[http::field::cache_control], "no-cache");
    res = co_await http_call(endpoint_, http::verb::get, "/app.js");
    EXPECT_EQ(res.result_int(), 200u);
    EXPECT_EQ(res[http::field::content_type], "text/javascript; charset=utf-8");
    EXPECT_EQ(res[http::field::cache_control], "no-cache");  // not a fingerprinted asset
    EXPECT_EQ(res.count(http::field::vary), 0u);             // no precompressed variant
    const std::string etag(res[http::field::etag]);
    EXPECT_FALSE(etag.empty());
    res = co_await http_call(endpoint_, http::verb::head, "/app.js");
    EXPECT_EQ(res.result_int(), 200u);
    EXPECT_EQ(res[http::field::content_length], "17");
    for (const char* target : {"/../secret.txt", "/%2e%2e/secret.txt", "/web/../../secret.txt",
                               "/missing.js"}) {
      res = co_await http_call(endpoint_, http::verb::get, target);
      EXPECT_EQ(res.result_int(), 404u) << target;
      EXPECT_EQ(res.body().find("secret"), std::string::npos) << target;
    }
    res = co_await http_call(endpoint_, http::verb::post, "/index.html", "x");
    EXPECT_EQ(res.result_int(), 405u);
    res = co_await http_call(endpoint_, http::verb::get, "/ws");
    EXPECT_EQ(res.result_int(), 426u);
  });
  fs::remove_all(base);
}

}  // namespace
}  // namespace majlis::net
