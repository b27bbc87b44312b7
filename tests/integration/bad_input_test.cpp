// Bad input against a real majlisd (DESIGN §6 limits, §8 security; README error and close codes).
//
// Every test starts one majlisd with small limits, creates a meeting over HTTP, joins a chair and a
// well-behaved participant with meeting_client and makes the meeting live with a current agenda
// item. Then an offender misbehaves — malformed frames over a raw Beast WebSocket, forged tokens,
// forbidden commands, floods, bad HTTP requests, a bounded fuzz pass — and each case must get its
// documented Error code and WebSocket close code (or HTTP status), while the meeting carries on:
// afterwards the good participant's command gets ok and the chair sees its event.
//
// Everything runs on one io_context driven by the test thread; every scenario is bounded.
#include <sys/types.h>

#include <algorithm>
#include <cstdio>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "majlis/client/http_api.hpp"
#include "majlis/client/meeting_client.hpp"
#include "majlisd_process.hpp"
#include "net/codec.hpp"
#include "net/connection.hpp"

namespace majlis::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// gtest's ASSERT_* return, which a coroutine cannot: these record the failure and co_return.
#define CO_ASSERT_TRUE(c)                                  \
  if (!(c)) {                                              \
    ADD_FAILURE() << "CO_ASSERT_TRUE(" #c ") failed";      \
    co_return;                                             \
  }
#define CO_ASSERT_TRUE_V(c, v)                             \
  if (!(c)) {                                              \
    ADD_FAILURE() << "CO_ASSERT_TRUE(" #c ") failed";      \
    co_return v;                                           \
  }

// --- the limits majlisd runs with in these tests ------------------------------------------------

constexpr std::size_t max_frame_bytes = 8192;
constexpr std::uint32_t commands_per_second = 5;
constexpr std::uint32_t command_burst = 10;
constexpr auto join_timeout = 500ms;
constexpr std::size_t max_http_body = 16384;

std::vector<std::string> daemon_flags() {
  return {"--commands-per-second", std::to_string(commands_per_second),
          "--command-burst",       std::to_string(command_burst),
          "--max-frame-bytes",     std::to_string(max_frame_bytes),
          "--join-timeout-ms",     std::to_string(join_timeout.count()),
          "--max-http-body",       std::to_string(max_http_body)};
}

constexpr std::uint16_t code_of(net::close_code c) { return static_cast<std::uint16_t>(c); }

// --- join tokens, signed here (HS256, JWT form, the claims of server/app/join_token.cpp) --------

std::string base64url(std::string_view in) {
  static constexpr std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const std::uint32_t v = (std::uint8_t(in[i]) << 16) | (std::uint8_t(in[i + 1]) << 8) |
                            std::uint8_t(in[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += alphabet[(v >> shift) & 63];
  }
  if (in.size() - i == 1) {
    const std::uint32_t v = std::uint8_t(in[i]) << 16;
    for (int shift : {18, 12}) out += alphabet[(v >> shift) & 63];
  } else if (in.size() - i == 2) {
    const std::uint32_t v = (std::uint8_t(in[i]) << 16) | (std::uint8_t(in[i + 1]) << 8);
    for (int shift : {18, 12, 6}) out += alphabet[(v >> shift) & 63];
  }
  return out;
}

std::string hs256(std::string_view secret, std::string_view message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &length);
  return base64url(std::string_view(reinterpret_cast<const char*>(digest), length));
}

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct claims {
  std::string mid, sub = "self-signed-1", name = "Self Signed", role = "participant", grp,
                   att = "remote";
  std::int64_t iat = now_s() - 10;
  std::int64_t exp = now_s() + 3600;
};

std::string sign_jwt(const claims& c, std::string_view secret,
                     std::string_view header = R"({"alg":"HS256","typ":"JWT"})") {
  std::ostringstream payload;
  payload << R"({"mid":")" << c.mid << R"(","sub":")" << c.sub << R"(","name":")" << c.name
          << R"(","role":")" << c.role << R"(","grp":")" << c.grp << R"(","att":")" << c.att
          << R"(","iat":)" << c.iat << R"(,"exp":)" << c.exp << "}";
  const std::string input = base64url(header) + "." + base64url(payload.str());
  return input + "." + hs256(secret, input);
}

// --- a raw WebSocket client ---------------------------------------------------------------------

using ws_stream = websocket::stream<beast::tcp_stream>;

struct received {
  std::optional<v1::ServerMessage> message;  // nullopt: the connection ended (or timed out)
  bool text = false;
  bool undecodable = false;
  beast::error_code error;
};

// Everything a connection received until the server closed it (or the bound passed).
struct outcome {
  std::vector<v1::ServerMessage> messages;
  int undecodable = 0;
  bool closed = false;            // a close frame arrived
  std::uint16_t close_code = 0;   // its code
  bool timed_out = false;
  beast::error_code error;

  const v1::Error* last_error() const {
    if (messages.empty() || !messages.back().has_error()) return nullptr;
    return &messages.back().error();
  }
  std::string describe() const {
    std::ostringstream out;
    out << "closed=" << closed << " close_code=" << close_code << " timed_out=" << timed_out
        << " error=" << error.message() << " messages=" << messages.size();
    if (!messages.empty()) out << " last=" << messages.back().ShortDebugString();
    return out.str();
  }
};

asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  co_await timer.async_wait(use_tuple);
}

asio::awaitable<std::unique_ptr<ws_stream>> open_ws(std::uint16_t port) {
  auto ws = std::make_unique<ws_stream>(co_await asio::this_coro::executor);
  auto& stream = beast::get_lowest_layer(*ws);
  stream.expires_after(5s);
  co_await stream.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                                asio::use_awaitable);
  ws->read_message_max(16 * 1024 * 1024);
  co_await ws->async_handshake("127.0.0.1:" + std::to_string(port), "/ws", asio::use_awaitable);
  stream.expires_never();
  co_return ws;
}

// Sends one message as one frame (no fragmentation unless asked); returns the write's error.
asio::awaitable<beast::error_code> send_frame(ws_stream& ws, std::string_view bytes, bool text,
                                              bool fragment = false) {
  ws.text(text);
  ws.auto_fragment(fragment);
  if (fragment) ws.write_buffer_bytes(4096);
  auto [ec, n] = co_await ws.async_write(asio::buffer(bytes.data(), bytes.size()), use_tuple);
  co_return ec;
}

asio::awaitable<beast::error_code> send_message(ws_stream& ws, const v1::ClientMessage& m,
                                                net::wire_format format = net::wire_format::binary) {
  const auto f = net::encode_client_message(m, format);
  co_return co_await send_frame(ws, *f.bytes, f.text);
}

// Reads one message; the caller sets the deadline on the lowest layer.
asio::awaitable<received> read_one(ws_stream& ws) {
  beast::flat_buffer buffer;
  auto [ec, n] = co_await ws.async_read(buffer, use_tuple);
  received r;
  if (ec) {
    r.error = ec;
    co_return r;
  }
  r.text = ws.got_text();
  const auto data = buffer.cdata();
  auto decoded = net::decode_server_message(
      std::string_view(static_cast<const char*>(data.data()), data.size()),
      r.text ? net::wire_format::json : net::wire_format::binary);
  if (!decoded.ok()) {
    r.undecodable = true;
    co_return r;
  }
  r.message = std::move(decoded.message);
  co_return r;
}

// Reads until the server closes the connection, at most `bound`.
asio::awaitable<outcome> read_until_closed(ws_stream& ws, std::chrono::milliseconds bound = 5s) {
  outcome out;
  auto& stream = beast::get_lowest_layer(ws);
  stream.expires_after(bound);
  for (int i = 0; i < 100'000; ++i) {
    auto r = co_await read_one(ws);
    if (r.undecodable) {
      ++out.undecodable;
      continue;
    }
    if (r.message) {
      out.messages.push_back(std::move(*r.message));
      continue;
    }
    out.error = r.error;
    // The close frame's code is kept even when answering it failed (the server may have gone).
    if (r.error == websocket::error::closed || ws.reason().code != websocket::close_code::none) {
      out.closed = true;
      out.close_code = static_cast<std::uint16_t>(ws.reason().code);
    } else if (r.error == beast::error::timeout) {
      out.timed_out = true;
    }
    break;
  }
  if (!out.timed_out) stream.expires_never();
  co_return out;
}

// An Error frame with `error`, as the last message, then a close frame with `close`.
void expect_error_then_close(const outcome& o, v1::ErrorCode error, net::close_code close,
                             const std::string& what) {
  SCOPED_TRACE(what);
  EXPECT_TRUE(o.closed) << o.describe();
  EXPECT_EQ(o.close_code, code_of(close)) << o.describe();
  EXPECT_EQ(o.undecodable, 0);
  const auto* e = o.last_error();
  ASSERT_NE(e, nullptr) << "no Error frame before the close: " << o.describe();
  EXPECT_EQ(e->code(), error) << v1::ErrorCode_Name(e->code()) << ": " << e->message();
  EXPECT_FALSE(e->message().empty());
}

v1::ClientMessage join_message(const std::string& meeting_id, const std::string& token) {
  v1::ClientMessage m;
  m.mutable_join()->set_meeting_id(meeting_id);
  m.mutable_join()->set_token(token);
  return m;
}

v1::ClientMessage command_message(std::uint64_t request_id, v1::Command command) {
  v1::ClientMessage m;
  m.mutable_command()->set_request_id(request_id);
  *m.mutable_command()->mutable_command() = std::move(command);
  return m;
}

v1::Command contribution(std::string text) {
  v1::Command c;
  c.mutable_submit_contribution()->set_text(std::move(text));
  return c;
}

v1::ClientMessage ping_message(std::uint64_t nonce) {
  v1::ClientMessage m;
  m.mutable_ping()->set_nonce(nonce);
  return m;
}

// Bytes that are no protobuf message: a varint longer than ten bytes.
std::string garbage_bytes() { return std::string(16, '\xff'); }

// Strict UTF-8 (RFC 3629: no overlongs, no surrogates, nothing past U+10FFFF), as Beast checks
// text frames.
bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c >= 0xc2 && c <= 0xdf) {
      n = 1, cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 2, cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3f);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += n + 1;
  }
  return true;
}

// Whether the process is still running (not a zombie), without reaping it.
bool process_alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const auto paren = line.rfind(')');
  if (paren == std::string::npos || paren + 2 >= line.size()) return false;
  const char state = line[paren + 2];
  return state != 'Z' && state != 'X';
}

// --- the fixture --------------------------------------------------------------------------------

class bad_input : public ::testing::Test {
 protected:
  void SetUp() override {
    process_ = std::make_unique<majlisd_process>(daemon_flags());
    run([&]() -> asio::awaitable<void> {
      auto api = admin_api();
      // Aggregates go in as named values: GCC 12 destroys a braced temporary argument of a
      // coroutine twice.
      client::meeting_spec spec;
      spec.title = "Bad input drill";
      auto created = co_await api.create_meeting(std::move(spec));
      CO_ASSERT_TRUE(created);
      meeting_ = *created.value;
      good_token_ = co_await register_participant("Good Participant");
      CO_ASSERT_TRUE(!good_token_.empty());

      chair_ = co_await joined_client(meeting_.tokens.moderator);
      CO_ASSERT_TRUE(chair_);
      good_ = co_await joined_client(good_token_);
      CO_ASSERT_TRUE(good_);

      // A live meeting with a current agenda item, so participants can act.
      v1::Command start;
      start.mutable_start_meeting();
      auto r = co_await chair_->send(start, 5s);
      CO_ASSERT_TRUE(r.ok());
      v1::Command add;
      add.mutable_add_agenda_item()->set_title("Open consultation");
      r = co_await chair_->send(add, 5s);
      CO_ASSERT_TRUE(r.ok());
      CO_ASSERT_TRUE(chair_->mirror().state().agenda_size() == 1);
      item_id_ = chair_->mirror().state().agenda(0).id();
      v1::Command begin;
      begin.mutable_start_agenda_item()->set_item_id(item_id_);
      r = co_await chair_->send(begin, 5s);
      CO_ASSERT_TRUE(r.ok());
      CO_ASSERT_TRUE(co_await good_->wait_for_seq(r.seq(), 5s));
      ready_ = true;
    });
    ASSERT_TRUE(ready_) << "could not set up the meeting";
  }

  void TearDown() override {
    if (!stuck_) {
      run(
          [&]() -> asio::awaitable<void> {
            if (good_) co_await good_->close();
            if (chair_) co_await chair_->close();
          },
          10s);
    }
    good_.reset();
    chair_.reset();
    if (!stuck_) ioc_.run_for(50ms);
    if (process_) {
      EXPECT_TRUE(process_alive(process_->pid())) << "majlisd is no longer running";
      EXPECT_EQ(process_->stop(), 0) << "majlisd did not exit cleanly on SIGTERM";
    }
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

  client::http_api admin_api(bool with_key = true) {
    client::http_api_config config;
    config.host = "127.0.0.1";
    config.port = process_->port_string();
    if (with_key) config.admin_key = majlisd_process::admin_key;
    config.timeout = 10s;
    return client::http_api(ioc_.get_executor(), config);
  }

  asio::awaitable<std::string> register_participant(std::string name) {
    auto api = admin_api();
    client::registration request;
    request.invite = meeting_.invite_code;
    request.name = std::move(name);
    request.attendance = "remote";
    auto issued = co_await api.register_participant(meeting_.meeting_id, std::move(request));
    EXPECT_TRUE(issued) << issued.reply.status << " " << issued.reply.body;
    co_return issued ? issued.value->token : std::string();
  }

  std::unique_ptr<client::meeting_client> new_client() {
    client::meeting_client_config config;
    config.auto_reconnect = false;  // a well-behaved client that gets dropped must show it
    config.jitter_seed = 7;
    return std::make_unique<client::meeting_client>(ioc_.get_executor(), config);
  }

  // A meeting_client joined with `token`, or null (with a recorded failure).
  asio::awaitable<std::unique_ptr<client::meeting_client>> joined_client(std::string token) {
    auto c = new_client();
    auto ec = co_await c->connect("127.0.0.1", process_->port_string());
    EXPECT_FALSE(ec) << ec.message();
    if (ec) co_return nullptr;
    auto joined = co_await c->join(meeting_.meeting_id, std::move(token));
    EXPECT_TRUE(joined.ok) << v1::ErrorCode_Name(joined.error.code()) << ": "
                           << joined.error.message() << " close=" << joined.close_code;
    if (!joined.ok) co_return nullptr;
    co_return c;
  }

  // The join that must fail: the server's Error code and close code.
  asio::awaitable<void> expect_join_refused(std::string meeting_id, std::string token,
                                            v1::ErrorCode error, net::close_code close,
                                            std::string what) {
    auto c = new_client();
    auto ec = co_await c->connect("127.0.0.1", process_->port_string());
    EXPECT_FALSE(ec) << what << ": " << ec.message();
    if (ec) co_return;
    auto joined = co_await c->join(std::move(meeting_id), std::move(token));
    EXPECT_FALSE(joined.ok) << what;
    EXPECT_EQ(joined.error.code(), error)
        << what << ": " << v1::ErrorCode_Name(joined.error.code()) << " " << joined.error.message();
    EXPECT_EQ(joined.close_code, code_of(close)) << what;
    EXPECT_EQ(c->status(), client::client_status::closed) << what;
  }

  // A raw connection joined with `token` (Welcome read), or null.
  asio::awaitable<std::unique_ptr<ws_stream>> open_joined(
      const std::string& token, net::wire_format format = net::wire_format::binary) {
    auto ws = co_await open_ws(process_->port());
    co_await send_message(*ws, join_message(meeting_.meeting_id, token), format);
    auto& stream = beast::get_lowest_layer(*ws);
    stream.expires_after(5s);
    for (int i = 0; i < 100; ++i) {
      auto r = co_await read_one(*ws);
      if (!r.message) break;
      if (r.message->has_welcome()) {
        EXPECT_EQ(r.text, format == net::wire_format::json);
        stream.expires_never();
        co_return ws;
      }
    }
    ADD_FAILURE() << "no Welcome for a raw client";
    co_return nullptr;
  }

  // A fresh participant's raw connection, joined.
  asio::awaitable<std::unique_ptr<ws_stream>> offender(
      std::string name, net::wire_format format = net::wire_format::binary) {
    const auto token = co_await register_participant(std::move(name));
    if (token.empty()) co_return nullptr;
    co_return co_await open_joined(token, format);
  }

  // The meeting carries on: the good participant's command is committed and the chair sees it.
  asio::awaitable<void> expect_meeting_carries_on(std::string tag) {
    SCOPED_TRACE("meeting carries on after: " + tag);
    EXPECT_EQ(good_->status(), client::client_status::joined);
    EXPECT_EQ(chair_->status(), client::client_status::joined);
    const std::string text = "still here after " + tag + " #" + std::to_string(++carry_count_);
    auto r = co_await good_->send(contribution(text), 5s);
    EXPECT_TRUE(r.ok()) << v1::ErrorCode_Name(r.error().code()) << ": " << r.error().message();
    if (!r.ok()) co_return;
    EXPECT_GT(r.seq(), 0u);
    EXPECT_TRUE(co_await chair_->wait_for_seq(r.seq(), 5s));
    const auto& contributions = chair_->mirror().state().contributions();
    EXPECT_TRUE(std::any_of(contributions.begin(), contributions.end(),
                            [&](const v1::Contribution& c) { return c.text() == text; }))
        << "the chair does not see the good participant's contribution";
    EXPECT_EQ(good_->counters().reconnects, 0u);
    EXPECT_EQ(chair_->counters().reconnects, 0u);
  }

  std::uint16_t port() const { return process_->port(); }

  asio::io_context ioc_;
  std::unique_ptr<majlisd_process> process_;
  client::created_meeting meeting_;
  std::string good_token_;
  std::string item_id_;
  std::unique_ptr<client::meeting_client> chair_;
  std::unique_ptr<client::meeting_client> good_;
  bool ready_ = false;
  bool stuck_ = false;
  int carry_count_ = 0;
};

// --- malformed frames ---------------------------------------------------------------------------

TEST_F(bad_input, garbage_binary_frame_gets_protocol_and_1007) {
  run([&]() -> asio::awaitable<void> {
    // On a joined connection.
    auto ws = co_await offender("Garbage Sender");
    CO_ASSERT_TRUE(ws);
    co_await send_frame(*ws, garbage_bytes(), false);
    expect_error_then_close(co_await read_until_closed(*ws), v1::ERROR_CODE_PROTOCOL,
                            net::close_code::invalid_payload, "garbage after Join");
    co_await expect_meeting_carries_on("garbage after Join");

    // As the very first frame.
    auto fresh = co_await open_ws(port());
    co_await send_frame(*fresh, "GET / HTTP/1.1\r\n\r\n", false);
    expect_error_then_close(co_await read_until_closed(*fresh), v1::ERROR_CODE_PROTOCOL,
                            net::close_code::invalid_payload, "garbage as the first frame");

    // An empty binary frame decodes to a ClientMessage with no kind: not a message either.
    auto empty = co_await open_ws(port());
    co_await send_frame(*empty, "", false);
    expect_error_then_close(co_await read_until_closed(*empty), v1::ERROR_CODE_PROTOCOL,
                            net::close_code::invalid_payload, "empty binary frame");
    co_await expect_meeting_carries_on("garbage as the first frame");
  });
}

TEST_F(bad_input, truncated_protobuf_gets_protocol_and_1007) {
  run([&]() -> asio::awaitable<void> {
    // A valid Join (the good participant's own token) cut short, as the first frame.
    const auto join = *net::encode_client_message(join_message(meeting_.meeting_id, good_token_),
                                                  net::wire_format::binary)
                           .bytes;
    CO_ASSERT_TRUE(join.size() > 20);
    for (const std::size_t cut : {join.size() / 2, join.size() - 1, std::size_t{3}}) {
      auto ws = co_await open_ws(port());
      co_await send_frame(*ws, std::string_view(join).substr(0, cut), false);
      expect_error_then_close(co_await read_until_closed(*ws), v1::ERROR_CODE_PROTOCOL,
                              net::close_code::invalid_payload,
                              "Join cut to " + std::to_string(cut) + " of " +
                                  std::to_string(join.size()) + " bytes");
    }
    // A valid command cut short, on a joined connection.
    auto ws = co_await offender("Truncated Sender");
    CO_ASSERT_TRUE(ws);
    const auto command =
        *net::encode_client_message(command_message(1, contribution("cut me short, please")),
                                    net::wire_format::binary)
             .bytes;
    co_await send_frame(*ws, std::string_view(command).substr(0, command.size() - 4), false);
    expect_error_then_close(co_await read_until_closed(*ws), v1::ERROR_CODE_PROTOCOL,
                            net::close_code::invalid_payload, "command cut short");
    co_await expect_meeting_carries_on("truncated protobuf");
  });
}

TEST_F(bad_input, oversized_frame_gets_resource_exhausted_and_1009) {
  run([&]() -> asio::awaitable<void> {
    // Exactly the limit is still read: a valid command whose text the domain refuses.
    auto at_limit = co_await offender("Limit Sender");
    CO_ASSERT_TRUE(at_limit);
    std::string text(max_frame_bytes, 'a');
    std::string bytes;
    for (int i = 0; i < 3; ++i) {
      bytes = *net::encode_client_message(command_message(5, contribution(text)),
                                          net::wire_format::binary)
                   .bytes;
      text.resize(text.size() - (bytes.size() - max_frame_bytes));
    }
    CO_ASSERT_TRUE(bytes.size() == max_frame_bytes);
    co_await send_frame(*at_limit, bytes, false);
    {
      auto& stream = beast::get_lowest_layer(*at_limit);
      stream.expires_after(5s);
      std::optional<v1::CommandResult> result;
      for (int i = 0; i < 50 && !result; ++i) {
        auto r = co_await read_one(*at_limit);
        if (!r.message) break;
        if (r.message->has_result()) result = r.message->result();
        EXPECT_FALSE(r.message->has_error()) << r.message->ShortDebugString();
      }
      stream.expires_never();
      CO_ASSERT_TRUE(result.has_value());
      EXPECT_EQ(result->request_id(), 5u);
      EXPECT_FALSE(result->ok());
      EXPECT_EQ(result->error().code(), v1::ERROR_CODE_INVALID_ARGUMENT)
          << result->ShortDebugString();
    }
    // One byte more is not: Error, then 1009.
    bytes.push_back('\0');
    co_await send_frame(*at_limit, bytes, false);
    expect_error_then_close(co_await read_until_closed(*at_limit),
                            v1::ERROR_CODE_RESOURCE_EXHAUSTED, net::close_code::message_too_big,
                            "frame of max + 1 bytes");
    co_await expect_meeting_carries_on("frame of max + 1 bytes");

    // A message over the limit in several fragments, as the first message.
    auto fragmented = co_await open_ws(port());
    co_await send_frame(*fragmented, std::string(3 * max_frame_bytes, 'x'), false, true);
    expect_error_then_close(co_await read_until_closed(*fragmented),
                            v1::ERROR_CODE_RESOURCE_EXHAUSTED, net::close_code::message_too_big,
                            "fragmented message of 3 x max bytes");

    // Far beyond the limit (> 16 x max): refused at the frame header, close 1009 (no Error).
    // Only the header and a few payload bytes are written (straight to the socket): a client
    // still writing 160 KB when the server drops the connection would see a reset, not the close.
    auto huge = co_await open_ws(port());
    {
      std::string header = "\x82\xff";  // FIN + binary; masked, 64-bit length
      const std::uint64_t length = 20 * max_frame_bytes;
      for (int i = 7; i >= 0; --i) header += static_cast<char>((length >> (8 * i)) & 0xff);
      header += "\x11\x22\x33\x44" + std::string(64, '\x55');  // mask key, some payload
      auto [ec, n] = co_await asio::async_write(beast::get_lowest_layer(*huge),
                                                asio::buffer(header), use_tuple);
      CO_ASSERT_TRUE(!ec);
    }
    const auto o = co_await read_until_closed(*huge);
    EXPECT_TRUE(o.closed) << o.describe();
    EXPECT_EQ(o.close_code, code_of(net::close_code::message_too_big)) << o.describe();
    if (const auto* e = o.last_error()) {
      EXPECT_EQ(e->code(), v1::ERROR_CODE_RESOURCE_EXHAUSTED);
    }
    co_await expect_meeting_carries_on("oversized frames");
  });
}

TEST_F(bad_input, invalid_json_text_frame_gets_protocol_and_1007) {
  run([&]() -> asio::awaitable<void> {
    // As the first frame: the answer comes as JSON text, the format of that frame.
    for (const std::string_view bad :
         {std::string_view(R"({"join": {"meetingId": )"), std::string_view("not json at all"),
          std::string_view(R"({"join":{"meetingId":"x","token":"y","colour":"red"}})"),
          std::string_view("{}"), std::string_view("[]")}) {
      auto ws = co_await open_ws(port());
      co_await send_frame(*ws, bad, true);
      expect_error_then_close(co_await read_until_closed(*ws), v1::ERROR_CODE_PROTOCOL,
                              net::close_code::invalid_payload, "text frame: " + std::string(bad));
    }
    // Invalid UTF-8 in a text frame: Beast refuses it while reading (1007; no Error frame).
    {
      auto ws = co_await open_ws(port());
      co_await send_frame(*ws, "{\"join\":{\"meetingId\":\"\xff\xfe\"}}", true);
      const auto o = co_await read_until_closed(*ws);
      EXPECT_TRUE(o.closed) << o.describe();
      EXPECT_EQ(o.close_code, code_of(net::close_code::invalid_payload)) << o.describe();
      if (const auto* e = o.last_error()) {
        EXPECT_EQ(e->code(), v1::ERROR_CODE_PROTOCOL);
      }
    }
    // Garbage, then a text frame that is not UTF-8 while the server is closing: still one
    // Error and 1007, and the server lets go at once instead of at its close deadline (5 s; a read
    // beside Beast's close used to deadlock until then).
    {
      auto ws = co_await open_ws(port());
      co_await send_frame(*ws, garbage_bytes(), false);
      co_await send_frame(*ws, "\xc3\x28 not UTF-8", true);
      const auto started = std::chrono::steady_clock::now();
      const auto o = co_await read_until_closed(*ws, 10s);
      const auto waited = std::chrono::steady_clock::now() - started;
      expect_error_then_close(o, v1::ERROR_CODE_PROTOCOL, net::close_code::invalid_payload,
                              "garbage, then invalid UTF-8 while closing");
      EXPECT_LT(waited, 3s) << "the close took until the server's close deadline";
    }
    // After a Join in JSON.
    auto ws = co_await offender("Json Sender", net::wire_format::json);
    CO_ASSERT_TRUE(ws);
    co_await send_frame(*ws, R"({"command":{"requestId":"1","command":{"submitContribution":)",
                        true);
    const auto o = co_await read_until_closed(*ws);
    expect_error_then_close(o, v1::ERROR_CODE_PROTOCOL, net::close_code::invalid_payload,
                            "invalid JSON after a JSON Join");
    co_await expect_meeting_carries_on("invalid JSON");
  });
}

// --- rate limit ---------------------------------------------------------------------------------

TEST_F(bad_input, commands_past_the_rate_limit_get_resource_exhausted_and_the_connection_stays) {
  run([&]() -> asio::awaitable<void> {
    // JSON this time: the limit does not depend on the format.
    auto ws = co_await offender("Eager Sender", net::wire_format::json);
    CO_ASSERT_TRUE(ws);
    constexpr int sent = command_burst + 4;
    for (int i = 1; i <= sent; ++i) {
      auto ec = co_await send_message(*ws, command_message(i, contribution("eager " + std::to_string(i))),
                                      net::wire_format::json);
      CO_ASSERT_TRUE(!ec);
    }
    int ok = 0, limited = 0, other = 0;
    auto& stream = beast::get_lowest_layer(*ws);
    stream.expires_after(5s);
    for (int i = 0; i < 500 && ok + limited + other < sent; ++i) {
      auto r = co_await read_one(*ws);
      CO_ASSERT_TRUE(r.message.has_value());
      EXPECT_FALSE(r.message->has_error()) << r.message->ShortDebugString();
      if (!r.message->has_result()) continue;
      const auto& result = r.message->result();
      if (result.ok()) {
        ++ok;
      } else if (result.error().code() == v1::ERROR_CODE_RESOURCE_EXHAUSTED) {
        ++limited;
        EXPECT_GT(result.request_id(), command_burst) << "a command within the burst was limited";
      } else {
        ++other;
        ADD_FAILURE() << result.ShortDebugString();
      }
    }
    stream.expires_never();
    EXPECT_GE(ok, static_cast<int>(command_burst));
    EXPECT_GE(limited, 2);  // 4 over the burst; a token or two may refill meanwhile
    EXPECT_EQ(ok + limited, sent);

    // The bucket refills: after a pause the same connection is served again.
    co_await sleep_for(1200ms);
    co_await send_message(*ws, command_message(100, contribution("patient now")),
                          net::wire_format::json);
    stream.expires_after(5s);
    std::optional<v1::CommandResult> later;
    for (int i = 0; i < 50 && !later; ++i) {
      auto r = co_await read_one(*ws);
      CO_ASSERT_TRUE(r.message.has_value());
      if (r.message->has_result() && r.message->result().request_id() == 100)
        later = r.message->result();
    }
    stream.expires_never();
    CO_ASSERT_TRUE(later.has_value());
    EXPECT_TRUE(later->ok()) << later->ShortDebugString();
    co_await expect_meeting_carries_on("commands past the rate limit");
  });
}

TEST_F(bad_input, a_flood_past_the_rate_limit_is_closed_with_1008) {
  run([&]() -> asio::awaitable<void> {
    auto ws = co_await offender("Flooder");
    CO_ASSERT_TRUE(ws);
    constexpr int sent = 6 * command_burst;
    for (int i = 1; i <= sent; ++i) {
      auto ec = co_await send_message(*ws, command_message(i, contribution("flood " + std::to_string(i))));
      if (ec) break;  // the server may have closed already
    }
    const auto o = co_await read_until_closed(*ws);
    expect_error_then_close(o, v1::ERROR_CODE_RESOURCE_EXHAUSTED,
                            net::close_code::policy_violation, "flood");
    int limited = 0;
    for (const auto& m : o.messages) {
      if (!m.has_result() || m.result().ok()) continue;
      EXPECT_EQ(m.result().error().code(), v1::ERROR_CODE_RESOURCE_EXHAUSTED)
          << m.ShortDebugString();
      EXPECT_GT(m.result().request_id(), command_burst);
      ++limited;
    }
    // The first 2 x burst - 1 rejections are answered; the next one closes the connection.
    EXPECT_GE(limited, static_cast<int>(2 * command_burst) - 5);
    EXPECT_LE(limited, static_cast<int>(2 * command_burst) - 1);
    co_await expect_meeting_carries_on("flood");
  });
}

// --- tokens -------------------------------------------------------------------------------------

TEST_F(bad_input, forged_expired_and_foreign_tokens_get_unauthenticated_and_4001) {
  run([&]() -> asio::awaitable<void> {
    const auto& mid = meeting_.meeting_id;
    const std::string secret = majlisd_process::signing_secret;
    claims valid;
    valid.mid = mid;

    // Control: a token signed here with the real secret is accepted, so the refusals below are
    // about what is wrong with each token, not about how it was made.
    {
      auto c = co_await joined_client(sign_jwt(valid, secret));
      EXPECT_TRUE(c != nullptr) << "a self-signed token with the real secret was refused";
      if (c) {
        EXPECT_EQ(c->viewer().participant_id(), valid.sub);
        EXPECT_EQ(c->viewer().role(), v1::ROLE_PARTICIPANT);
        co_await c->close();
      }
    }

    const auto refused = [&](std::string token, std::string what) {
      return expect_join_refused(mid, std::move(token), v1::ERROR_CODE_UNAUTHENTICATED,
                                 net::close_code::unauthenticated, std::move(what));
    };
    // Wrong signature: signed with another secret, as the chair.
    claims chair = valid;
    chair.role = "moderator";
    co_await refused(sign_jwt(chair, "not-the-signing-secret"), "signed with another secret");
    // A real token with one character of its signature changed.
    {
      auto token = meeting_.tokens.moderator;
      const auto at = token.rfind('.') + 10;
      token[at] = token[at] == 'A' ? 'B' : 'A';
      co_await refused(token, "signature altered");
    }
    // A real participant token whose payload was rewritten to say moderator.
    {
      const auto& real = good_token_;
      const auto first = real.find('.');
      const auto last = real.rfind('.');
      claims forged = valid;
      forged.role = "moderator";
      const auto forged_token = sign_jwt(forged, secret);
      const auto forged_payload =
          forged_token.substr(forged_token.find('.') + 1,
                              forged_token.rfind('.') - forged_token.find('.') - 1);
      co_await refused(real.substr(0, first + 1) + forged_payload + real.substr(last),
                       "payload rewritten, signature kept");
    }
    // "alg":"none" with no signature; not a JWT at all; no token.
    {
      const auto unsigned_token = base64url(R"({"alg":"none","typ":"JWT"})") + "." +
                                  base64url(R"({"mid":")" + mid +
                                            R"(","sub":"x","role":"moderator"})") +
                                  ".";
      co_await refused(unsigned_token, "alg none");
    }
    co_await refused("not-a-token", "not a JWT");
    co_await refused("", "empty token");
    // Longer than any token (4 KiB), though the Join still fits in a frame.
    co_await refused(std::string(6'000, 'a') + "." + std::string(10, 'b') + ".c", "huge token");

    // Expired: signed with the real secret, but its time is over.
    claims expired = valid;
    expired.iat = now_s() - 7200;
    expired.exp = now_s() - 60;
    co_await refused(sign_jwt(expired, secret), "expired token");

    // Another meeting's token, used for this meeting (and this meeting's for another).
    auto api = admin_api();
    client::meeting_spec spec;
    spec.title = "Another meeting";
    auto other = co_await api.create_meeting(std::move(spec));
    CO_ASSERT_TRUE(other);
    co_await refused(other.value->tokens.moderator, "the other meeting's chair token");
    co_await expect_join_refused(other.value->meeting_id, meeting_.tokens.moderator,
                                 v1::ERROR_CODE_UNAUTHENTICATED, net::close_code::unauthenticated,
                                 "this meeting's token for the other meeting");

    // The same over a raw connection: an Error frame, then the close.
    auto ws = co_await open_ws(port());
    co_await send_message(*ws, join_message(mid, sign_jwt(expired, secret)));
    expect_error_then_close(co_await read_until_closed(*ws), v1::ERROR_CODE_UNAUTHENTICATED,
                            net::close_code::unauthenticated, "expired token, raw");
    co_await expect_meeting_carries_on("bad tokens");
  });
}

TEST_F(bad_input, a_meeting_that_does_not_exist_gets_not_found_and_4004) {
  run([&]() -> asio::awaitable<void> {
    // A correctly signed token for a meeting id nobody created.
    claims ghost;
    ghost.mid = "nosuchmeeting";
    const auto token = sign_jwt(ghost, majlisd_process::signing_secret);
    co_await expect_join_refused("nosuchmeeting", token, v1::ERROR_CODE_NOT_FOUND,
                                 net::close_code::not_found, "meeting that does not exist");
    auto ws = co_await open_ws(port());
    co_await send_message(*ws, join_message("nosuchmeeting", token));
    expect_error_then_close(co_await read_until_closed(*ws), v1::ERROR_CODE_NOT_FOUND,
                            net::close_code::not_found, "meeting that does not exist, raw");
    co_await expect_meeting_carries_on("unknown meeting");
  });
}

// --- permissions --------------------------------------------------------------------------------

TEST_F(bad_input, a_participant_sending_chair_commands_gets_permission_denied_and_stays) {
  run([&]() -> asio::awaitable<void> {
    // A real draft poll, so that OpenPoll names something that exists.
    v1::Command create;
    auto* poll = create.mutable_create_poll();
    poll->set_question("Adopt the draft?");
    poll->set_kind(v1::POLL_KIND_YES_NO_ABSTAIN);
    poll->set_secrecy(v1::POLL_SECRECY_NAMED);
    poll->set_visibility(v1::RESULTS_VISIBILITY_AFTER_CLOSE);
    auto r = co_await chair_->send(create, 5s);
    CO_ASSERT_TRUE(r.ok());
    CO_ASSERT_TRUE(co_await good_->wait_for_seq(r.seq(), 5s));
    CO_ASSERT_TRUE(chair_->mirror().state().polls_size() == 1);
    const auto poll_id = chair_->mirror().state().polls(0).id();
    const auto seq_before = chair_->mirror().seq();

    std::vector<std::pair<std::string, v1::Command>> chair_commands;
    {
      v1::Command c;
      c.mutable_start_agenda_item()->set_item_id(item_id_);
      chair_commands.emplace_back("StartAgendaItem", c);
    }
    {
      v1::Command c;
      c.mutable_open_poll()->set_poll_id(poll_id);
      chair_commands.emplace_back("OpenPoll", c);
    }
    {
      v1::Command c;
      c.mutable_end_meeting();
      chair_commands.emplace_back("EndMeeting", c);
    }
    {
      v1::Command c = create;
      chair_commands.emplace_back("CreatePoll", c);
    }
    {
      v1::Command c;
      c.mutable_next_speaker();
      chair_commands.emplace_back("NextSpeaker", c);
    }
    for (const auto& [name, command] : chair_commands) {
      auto denied = co_await good_->send(command, 5s);
      EXPECT_FALSE(denied.ok()) << name;
      EXPECT_EQ(denied.error().code(), v1::ERROR_CODE_PERMISSION_DENIED)
          << name << ": " << v1::ErrorCode_Name(denied.error().code()) << " "
          << denied.error().message();
      EXPECT_EQ(good_->status(), client::client_status::joined) << name;
    }
    // Nothing changed.
    co_await sleep_for(100ms);
    EXPECT_EQ(chair_->mirror().seq(), seq_before);
    EXPECT_EQ(chair_->mirror().state().polls(0).status(), v1::POLL_STATUS_DRAFT);
    EXPECT_EQ(chair_->mirror().state().status(), v1::MEETING_STATUS_LIVE);
    EXPECT_EQ(chair_->mirror().state().polls_size(), 1);
    co_await expect_meeting_carries_on("chair commands from a participant");
  });
}

TEST_F(bad_input, displays_and_observers_sending_any_command_get_permission_denied) {
  run([&]() -> asio::awaitable<void> {
    for (const auto& [role, token] : {std::pair{"display", meeting_.tokens.display},
                                      std::pair{"observer", meeting_.tokens.observer}}) {
      SCOPED_TRACE(role);
      auto screen = co_await joined_client(token);
      CO_ASSERT_TRUE(screen);
      std::vector<v1::Command> commands(4);
      commands[0].mutable_request_floor()->set_kind(v1::REQUEST_KIND_SPEAK);
      commands[1] = contribution("a screen has nothing to say");
      commands[2].mutable_start_meeting();
      commands[3].mutable_update_participant()->set_display_name("Renamed screen");
      for (const auto& command : commands) {
        auto r = co_await screen->send(command, 5s);
        EXPECT_FALSE(r.ok()) << command.ShortDebugString();
        EXPECT_EQ(r.error().code(), v1::ERROR_CODE_PERMISSION_DENIED)
            << command.ShortDebugString() << ": " << v1::ErrorCode_Name(r.error().code()) << " "
            << r.error().message();
      }
      EXPECT_EQ(screen->status(), client::client_status::joined);
      co_await screen->close();
    }
    const auto& contributions = chair_->mirror().state().contributions();
    EXPECT_TRUE(std::none_of(contributions.begin(), contributions.end(), [](const auto& c) {
      return c.text() == "a screen has nothing to say";
    }));
    co_await expect_meeting_carries_on("commands from screens");
  });
}

// --- protocol order -----------------------------------------------------------------------------

TEST_F(bad_input, join_twice_gets_protocol_and_1002) {
  run([&]() -> asio::awaitable<void> {
    const auto token = co_await register_participant("Double Joiner");
    CO_ASSERT_TRUE(!token.empty());
    // After the Welcome.
    auto ws = co_await open_joined(token);
    CO_ASSERT_TRUE(ws);
    co_await send_message(*ws, join_message(meeting_.meeting_id, token));
    expect_error_then_close(co_await read_until_closed(*ws), v1::ERROR_CODE_PROTOCOL,
                            net::close_code::protocol_error, "Join after the Welcome");
    // Back to back, before any answer.
    auto quick = co_await open_ws(port());
    co_await send_message(*quick, join_message(meeting_.meeting_id, token));
    co_await send_message(*quick, join_message(meeting_.meeting_id, token));
    expect_error_then_close(co_await read_until_closed(*quick), v1::ERROR_CODE_PROTOCOL,
                            net::close_code::protocol_error, "two Joins back to back");
    co_await expect_meeting_carries_on("Join twice");
  });
}

TEST_F(bad_input, a_command_before_join_gets_protocol_and_1002) {
  run([&]() -> asio::awaitable<void> {
    for (const auto format : {net::wire_format::binary, net::wire_format::json}) {
      auto ws = co_await open_ws(port());
      co_await send_message(*ws, command_message(1, contribution("who am I?")), format);
      const auto o = co_await read_until_closed(*ws);
      expect_error_then_close(o, v1::ERROR_CODE_PROTOCOL, net::close_code::protocol_error,
                              format == net::wire_format::json ? "command before Join (JSON)"
                                                               : "command before Join");
    }
    const auto& contributions = chair_->mirror().state().contributions();
    EXPECT_TRUE(std::none_of(contributions.begin(), contributions.end(),
                             [](const auto& c) { return c.text() == "who am I?"; }));
    co_await expect_meeting_carries_on("command before Join");
  });
}

TEST_F(bad_input, no_join_within_the_join_timeout_gets_4002) {
  run([&]() -> asio::awaitable<void> {
    // Silent.
    const auto started = std::chrono::steady_clock::now();
    auto ws = co_await open_ws(port());
    const auto o = co_await read_until_closed(*ws, 5s);
    const auto waited = std::chrono::steady_clock::now() - started;
    expect_error_then_close(o, v1::ERROR_CODE_PROTOCOL, net::close_code::join_timeout,
                            "silent connection");
    EXPECT_GE(waited, join_timeout - 50ms);
    EXPECT_LT(waited, 4s);

    // Pings are answered, but do not stand in for a Join.
    auto pinger = co_await open_ws(port());
    co_await send_message(*pinger, ping_message(1));
    co_await sleep_for(200ms);
    co_await send_message(*pinger, ping_message(2));
    const auto p = co_await read_until_closed(*pinger, 5s);
    expect_error_then_close(p, v1::ERROR_CODE_PROTOCOL, net::close_code::join_timeout,
                            "connection that only pings");
    co_await expect_meeting_carries_on("join timeout");
  });
}

// --- HTTP ---------------------------------------------------------------------------------------

TEST_F(bad_input, bad_http_requests_get_their_status_codes) {
  run([&]() -> asio::awaitable<void> {
    auto api = admin_api();
    const std::string key = majlisd_process::admin_key;
    const auto expect_status = [](const client::http_reply& reply, unsigned status,
                                  std::string_view code, const std::string& what) {
      SCOPED_TRACE(what);
      EXPECT_FALSE(reply.transport_error) << reply.transport_error.message();
      EXPECT_EQ(reply.status, status) << reply.body;
      if (!code.empty()) {
        EXPECT_EQ(reply.error_code(), code) << reply.body;
      }
    };

    // POST /api/meetings without the admin key, or with a wrong one.
    expect_status(co_await api.request("POST", "/api/meetings", R"({"title":"x"})", ""), 401,
                  "UNAUTHENTICATED", "no admin key");
    expect_status(co_await api.request("POST", "/api/meetings", R"({"title":"x"})", "wrong-key"),
                  401, "UNAUTHENTICATED", "wrong admin key");
    // Bodies that are not a JSON object.
    expect_status(co_await api.request("POST", "/api/meetings", "title=Budget", key), 400,
                  "INVALID_ARGUMENT", "form body");
    expect_status(co_await api.request("POST", "/api/meetings", R"({"title": "unterminated)", key),
                  400, "INVALID_ARGUMENT", "broken JSON");
    expect_status(co_await api.request("POST", "/api/meetings", "[1,2,3]", key), 400,
                  "INVALID_ARGUMENT", "JSON array");
    // Titles: 200 characters is the limit.
    expect_status(co_await api.request("POST", "/api/meetings",
                                       R"({"title":")" + std::string(10'000, 't') + R"("})", key),
                  400, "INVALID_ARGUMENT", "title of 10,000 characters");
    expect_status(co_await api.request("POST", "/api/meetings",
                                       R"({"title":")" + std::string(201, 't') + R"("})", key),
                  400, "INVALID_ARGUMENT", "title of 201 characters");
    expect_status(co_await api.request("POST", "/api/meetings",
                                       R"({"title":")" + std::string(200, 't') + R"("})", key),
                  201, "", "title of 200 characters");

    // Registration with bad names and a wrong invite.
    const auto register_target = "/api/meetings/" + meeting_.meeting_id + "/register";
    const auto registration = [&](std::string invite, std::string name) {
      return R"({"invite":")" + invite + R"(","name":")" + name +
             R"(","stakeholderGroup":"","attendance":"remote"})";
    };
    expect_status(co_await api.request("POST", register_target,
                                       registration(meeting_.invite_code, "Bad \xff\xfe name"), ""),
                  400, "INVALID_ARGUMENT", "invalid UTF-8 in the name");
    expect_status(co_await api.request("POST", register_target,
                                       registration(meeting_.invite_code, "Cut \xd8"), ""),
                  400, "INVALID_ARGUMENT", "truncated UTF-8 sequence in the name");
    expect_status(co_await api.request("POST", register_target,
                                       registration(meeting_.invite_code, "Lone \\ud800 surrogate"),
                                       ""),
                  400, "INVALID_ARGUMENT", "lone surrogate escape in the name");
    expect_status(co_await api.request("POST", register_target,
                                       registration(meeting_.invite_code, std::string(81, 'n')), ""),
                  400, "INVALID_ARGUMENT", "name of 81 characters");
    expect_status(co_await api.request("POST", register_target,
                                       registration("AAAAAAAAAAAAAAAAAAAAAA", "Wrong Invite"), ""),
                  401, "UNAUTHENTICATED", "wrong invite code");
    expect_status(co_await api.request("POST", register_target, registration("", "No Invite"), ""),
                  401, "UNAUTHENTICATED", "no invite code");

    // A body larger than --max-http-body.
    const auto big = R"({"title":"big","padding":")" + std::string(max_http_body + 4096, 'p') +
                     R"("})";
    expect_status(co_await api.request("POST", "/api/meetings", big, key), 413, "RESOURCE_EXHAUSTED",
                  "body larger than the limit");

    // Still serving.
    auto health = co_await api.request("GET", "/healthz", "", "");
    EXPECT_EQ(health.status, 200u);
    co_await expect_meeting_carries_on("bad HTTP requests");
  });
}

// A name with a right-to-left override (it would show "Amina" as someone else's name, or
// reverse a file name) is refused by both token endpoints; the Arabic marks real names use are not.
TEST_F(bad_input, a_name_with_a_bidi_override_is_refused_by_register_and_tokens) {
  run([&]() -> asio::awaitable<void> {
    auto api = admin_api();
    const std::string key = majlisd_process::admin_key;
    const std::string overridden = "Amina \u202Eanidah";
    const auto expect_refused = [](const client::http_reply& reply, const std::string& what) {
      SCOPED_TRACE(what);
      EXPECT_EQ(reply.status, 400u) << reply.body;
      EXPECT_EQ(reply.error_code(), "INVALID_ARGUMENT") << reply.body;
      EXPECT_NE(reply.error_message().find("right-to-left override (U+202E)"), std::string::npos)
          << reply.error_message();
    };
    const auto registration = [&](const std::string& name) {
      return R"({"invite":")" + meeting_.invite_code + R"(","name":")" + name +
             R"(","stakeholderGroup":"","attendance":"remote"})";
    };
    const auto token_request = [&](const std::string& name) {
      return R"({"role":"participant","name":")" + name +
             R"(","stakeholderGroup":"","attendance":"remote"})";
    };
    const auto meeting = "/api/meetings/" + meeting_.meeting_id;
    expect_refused(co_await api.request("POST", meeting + "/register", registration(overridden), ""),
                   "register, raw UTF-8");
    expect_refused(co_await api.request("POST", meeting + "/register",
                                        registration("Amina \\u202Eanidah"), ""),
                   "register, JSON escape");
    expect_refused(co_await api.request("POST", meeting + "/tokens", token_request(overridden), key),
                   "tokens");
    const auto tab = co_await api.request("POST", meeting + "/tokens",
                                          token_request("Amina\\tHaddad"), key);
    EXPECT_EQ(tab.status, 400u) << tab.body;
    // The other texts of the API follow the same rules.
    const auto group = co_await api.request(
        "POST", meeting + "/tokens",
        R"({"role":"participant","name":"Omar","stakeholderGroup":"civil\u202E","attendance":"remote"})",
        key);
    EXPECT_EQ(group.status, 400u) << group.body;
    const auto title = co_await api.request("POST", "/api/meetings",
                                            R"({"title":"Budget\u202Etegdub"})", key);
    EXPECT_EQ(title.status, 400u) << title.body;
    const auto language = co_await api.request("POST", "/api/meetings",
                                               R"({"title":"Budget","languages":["ar\n"]})", key);
    EXPECT_EQ(language.status, 400u) << language.body;

    // Names with the Arabic letter mark and the directional marks are fine.
    const auto kept = co_await api.request("POST", meeting + "/register",
                                           registration("\u061Cليلى بن علي\u200F (Tunis)"), "");
    EXPECT_EQ(kept.status, 200u) << kept.body;
    const auto kept_too = co_await api.request(
        "POST", meeting + "/tokens", token_request("Dr.\u200E عمر\u200F"), key);
    EXPECT_EQ(kept_too.status, 200u) << kept_too.body;
    co_await expect_meeting_carries_on("names with a bidi override");
  });
}

// --- fuzz ---------------------------------------------------------------------------------------

// Random frames, fixed seed, bounded in count and time: every connection ends with a documented
// close code (after an Error with a matching code when the server sent one), and majlisd and the
// meeting are fine afterwards.
TEST_F(bad_input, a_stakeholder_group_the_meeting_does_not_have_is_refused_by_tokens_as_by_register) {
  run([&]() -> asio::awaitable<void> {
    auto api = admin_api();
    const std::string key = majlisd_process::admin_key;
    const auto meeting = "/api/meetings/" + meeting_.meeting_id;
    const auto unknown = co_await api.request(
        "POST", meeting + "/tokens",
        R"({"role":"participant","name":"Omar","stakeholderGroup":"lobbyists","attendance":"remote"})", key);
    EXPECT_EQ(unknown.status, 400u) << unknown.body;
    EXPECT_EQ(unknown.error_code(), "INVALID_ARGUMENT") << unknown.body;
    EXPECT_NE(unknown.error_message().find("unknown stakeholder group"), std::string::npos) << unknown.body;
    const auto registered = co_await api.request(
        "POST", meeting + "/register",
        R"({"invite":")" + meeting_.invite_code +
            R"(","name":"Omar","stakeholderGroup":"lobbyists","attendance":"remote"})", "");
    EXPECT_EQ(registered.status, 400u) << registered.body;
    // A group the meeting has, and none at all, still get a token.
    const auto known = co_await api.request(
        "POST", meeting + "/tokens",
        R"({"role":"participant","name":"Omar","stakeholderGroup":"academia","attendance":"remote"})", key);
    EXPECT_EQ(known.status, 200u) << known.body;
    const auto none = co_await api.request(
        "POST", meeting + "/tokens", R"({"role":"display","name":"Screen 2"})", key);
    EXPECT_EQ(none.status, 200u) << none.body;
    const auto missing = co_await api.request(
        "POST", "/api/meetings/no-such-meeting/tokens", R"({"role":"participant","name":"Omar"})", key);
    EXPECT_EQ(missing.status, 404u) << missing.body;
  });
}

TEST_F(bad_input, random_frames_never_hurt_the_server_or_the_meeting) {
  constexpr int total_frames = 2000;
  constexpr auto time_budget = 20s;
  std::mt19937_64 rng(0x6d616a6c6973);  // "majlis"
  int frames_sent = 0, connections = 0, joined_connections = 0;
  std::map<std::uint16_t, int> close_codes;

  run(
      [&]() -> asio::awaitable<void> {
        const auto token = co_await register_participant("Fuzzer");
        CO_ASSERT_TRUE(!token.empty());
        // Valid frames to mutate: a Join, commands, a Ping, in both formats.
        std::vector<std::pair<std::string, bool>> seeds;
        for (const auto format : {net::wire_format::binary, net::wire_format::json}) {
          const auto add = [&](const v1::ClientMessage& m) {
            const auto f = net::encode_client_message(m, format);
            seeds.emplace_back(*f.bytes, f.text);
          };
          add(join_message(meeting_.meeting_id, token));
          add(command_message(9, contribution("fuzz")));
          v1::Command floor;
          floor.mutable_request_floor()->set_kind(v1::REQUEST_KIND_SPEAK);
          add(command_message(10, floor));
          add(ping_message(3));
        }
        const auto random_frame = [&]() -> std::pair<std::string, bool> {
          const int mode = int(rng() % 4);
          if (mode <= 1) {  // random bytes, binary or text
            std::string bytes(rng() % 4097, '\0');
            for (auto& b : bytes) b = static_cast<char>(rng());
            return {std::move(bytes), mode == 1};
          }
          if (mode == 2) {  // random printable text, often JSON-ish
            static constexpr std::string_view alphabet = "{}[]\":,0123456789abcjoinmetgdkuq \\";
            std::string text(rng() % 4097, ' ');
            for (auto& c : text) c = alphabet[rng() % alphabet.size()];
            return {std::move(text), true};
          }
          // A valid frame, mutated: flipped bytes, a cut, or inserted bytes.
          auto [bytes, text] = seeds[rng() % seeds.size()];
          const int edits = 1 + int(rng() % 4);
          for (int e = 0; e < edits && !bytes.empty(); ++e) {
            switch (rng() % 3) {
              case 0: bytes[rng() % bytes.size()] ^= static_cast<char>(1 + rng() % 255); break;
              case 1: bytes.resize(rng() % bytes.size()); break;
              default: bytes.insert(rng() % bytes.size(), std::string(1 + rng() % 8, static_cast<char>(rng())));
            }
          }
          if (bytes.size() > 4096) bytes.resize(4096);
          return {std::move(bytes), text};
        };

        const std::set<std::uint16_t> allowed_closes = {
            code_of(net::close_code::protocol_error),  code_of(net::close_code::invalid_payload),
            code_of(net::close_code::policy_violation), code_of(net::close_code::message_too_big),
            code_of(net::close_code::unauthenticated), code_of(net::close_code::join_timeout),
            code_of(net::close_code::not_found)};
        const auto started = std::chrono::steady_clock::now();
        while (frames_sent < total_frames &&
               std::chrono::steady_clock::now() - started < time_budget) {
          // One connection in four joins first, so frames also hit a joined session.
          const bool join_first = rng() % 4 == 0;
          std::unique_ptr<ws_stream> ws;
          if (join_first) {
            ws = co_await open_joined(token);
            CO_ASSERT_TRUE(ws);
            ++joined_connections;
          } else {
            ws = co_await open_ws(port());
          }
          ++connections;
          const int count = 1 + int(rng() % 4);
          std::ostringstream sent;  // what went out, for the failure message
          bool beast_refuses = false, write_failed = false;
          for (int i = 0; i < count && frames_sent < total_frames; ++i) {
            auto [bytes, text] = random_frame();
            ++frames_sent;
            // Beast itself fails a text frame that is not UTF-8 (close 1007, no Error) and drops
            // the socket; writing on after it would race a TCP reset, so the batch ends there.
            if (text && !valid_utf8(bytes)) beast_refuses = true;
            sent << (text ? " text:" : " binary:") << bytes.size() << (beast_refuses ? "!" : "");
            if (co_await send_frame(*ws, bytes, text)) {
              write_failed = true;
              break;
            }
            if (beast_refuses) break;
          }
          // Whatever the frames did, garbage ends the connection now.
          if (!beast_refuses && !write_failed) co_await send_frame(*ws, garbage_bytes(), false);
          const auto o = co_await read_until_closed(*ws, 5s);
          ++close_codes[o.close_code];
          const auto where = "connection " + std::to_string(connections) +
                             (join_first ? " (joined)" : "") + " frames" + sent.str() + ": " +
                             o.describe();
          EXPECT_FALSE(write_failed) << "the server dropped the connection under a write; " << where;
          EXPECT_TRUE(o.closed) << where;
          EXPECT_TRUE(allowed_closes.count(o.close_code)) << where;
          EXPECT_EQ(o.undecodable, 0) << where;
          const auto* e = o.last_error();
          if (beast_refuses) {
            // Beast's 1007 may overtake the close the app had started for an earlier frame.
            EXPECT_TRUE(!e || e->code() == v1::ERROR_CODE_PROTOCOL ||
                        e->code() == v1::ERROR_CODE_UNAUTHENTICATED ||
                        e->code() == v1::ERROR_CODE_NOT_FOUND)
                << where;
          } else if (!e) {
            ADD_FAILURE() << "closed without an Error; " << where;
          } else {
            const auto close = static_cast<net::close_code>(o.close_code);
            switch (e->code()) {
              case v1::ERROR_CODE_PROTOCOL:
                EXPECT_TRUE(close == net::close_code::invalid_payload ||
                            close == net::close_code::protocol_error ||
                            close == net::close_code::join_timeout)
                    << where;
                break;
              case v1::ERROR_CODE_RESOURCE_EXHAUSTED:
                EXPECT_TRUE(close == net::close_code::policy_violation ||
                            close == net::close_code::message_too_big)
                    << where;
                break;
              case v1::ERROR_CODE_UNAUTHENTICATED:
                EXPECT_EQ(close, net::close_code::unauthenticated) << where;
                break;
              case v1::ERROR_CODE_NOT_FOUND:
                EXPECT_EQ(close, net::close_code::not_found) << where;
                break;
              default:
                ADD_FAILURE() << "unexpected Error; " << where;
            }
          }
          if (::testing::Test::HasFailure()) co_return;  // one clear failure, not a thousand
          if (!process_alive(process_->pid())) {
            ADD_FAILURE() << "majlisd died after connection " << connections;
            co_return;
          }
        }
      },
      60s);

  std::ostringstream codes;
  for (const auto& [code, n] : close_codes) codes << " " << code << ":" << n;
  std::printf("fuzz: %d frames on %d connections (%d joined first); close codes%s\n", frames_sent,
              connections, joined_connections, codes.str().c_str());
  EXPECT_GE(frames_sent, 500) << "the fuzz pass sent too few frames to mean anything";
  ASSERT_TRUE(process_alive(process_->pid())) << "majlisd died during the fuzz pass";

  run([&]() -> asio::awaitable<void> {
    auto api = admin_api(false);
    auto health = co_await api.request("GET", "/healthz", "", "");
    EXPECT_EQ(health.status, 200u) << health.transport_error.message();
    co_await expect_meeting_carries_on("the fuzz pass");
  });
}

}  // namespace
}  // namespace majlis::testing
