// Secrets and transport against a real majlisd (README "TLS and browser security"): a TLS
// WebSocket client joins; a plain client to the TLS port fails cleanly and the server goes on;
// short and published secrets stop the start; /ws refuses foreign origins; every HTTP response
// carries the security headers, HSTS only over TLS.
//
// The certificate is made at test time with the openssl command line, in a temporary folder.
#include <cstdio>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <sys/wait.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "io_thread.hpp"
#include "majlisd_process.hpp"
#include "net/codec.hpp"

namespace majlis::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
namespace fs = std::filesystem;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

using tls_stream = beast::ssl_stream<beast::tcp_stream>;

// A self-signed certificate for 127.0.0.1 and localhost, made by `openssl req`.
struct test_certificate {
  fs::path folder = make_temp_folder("majlis-tls");
  fs::path cert = folder / "cert.pem";
  fs::path key = folder / "key.pem";

  test_certificate() {
    const std::string command = std::string(OPENSSL_PATH) +
                                " req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost"
                                " -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout '" +
                                key.string() + "' -out '" + cert.string() + "' 2>/dev/null";
    if (std::system(command.c_str()) != 0) throw std::runtime_error("openssl req failed");
  }
  ~test_certificate() {
    std::error_code ignored;
    fs::remove_all(folder, ignored);
  }
  std::vector<std::string> args() const {
    return {"--tls-cert", cert.string(), "--tls-key", key.string()};
  }
};

// A client context that trusts only the test certificate and checks the name 127.0.0.1.
std::unique_ptr<ssl::context> client_context(const test_certificate& certificate) {
  auto context = std::make_unique<ssl::context>(ssl::context::tls_client);
  context->load_verify_file(certificate.cert.string());
  context->set_verify_mode(ssl::verify_peer);
  return context;
}

asio::awaitable<void> connect_tls(tls_stream& stream, std::uint16_t port) {
  auto& tcp_layer = beast::get_lowest_layer(stream);
  tcp_layer.expires_after(5s);
  co_await tcp_layer.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                                   asio::use_awaitable);
  stream.set_verify_callback(ssl::host_name_verification("127.0.0.1"));
  co_await stream.async_handshake(ssl::stream_base::client, asio::use_awaitable);
}

// One HTTP request over a fresh connection (TLS when `tls` is given); the response, or the error.
struct http_outcome {
  beast::error_code error;
  http::response<http::string_body> response;
};

template <class Stream>
asio::awaitable<http_outcome> exchange(Stream& stream, http::request<http::string_body> request) {
  http_outcome out;
  auto [write_error, written] = co_await http::async_write(stream, request, use_tuple);
  if (write_error) {
    out.error = write_error;
    co_return out;
  }
  beast::flat_buffer buffer;
  auto [read_error, read] = co_await http::async_read(stream, buffer, out.response, use_tuple);
  out.error = read_error;
  co_return out;
}

http::request<http::string_body> make_request(http::verb verb, std::string target,
                                              std::uint16_t port, std::string body = {}) {
  http::request<http::string_body> request{verb, target, 11};
  request.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  request.set(http::field::authorization, std::string("Bearer ") + majlisd_process::admin_key);
  if (!body.empty()) request.set(http::field::content_type, "application/json");
  request.body() = std::move(body);
  request.prepare_payload();
  return request;
}

asio::awaitable<http_outcome> https_request(std::uint16_t port, ssl::context& context,
                                            http::request<http::string_body> request) {
  tls_stream stream(co_await asio::this_coro::executor, context);
  co_await connect_tls(stream, port);
  co_return co_await exchange(stream, std::move(request));
}

asio::awaitable<http_outcome> plain_request(std::uint16_t port,
                                            http::request<http::string_body> request) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  stream.expires_after(5s);
  co_await stream.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                                asio::use_awaitable);
  co_return co_await exchange(stream, std::move(request));
}

// A /ws upgrade with `origin` (none when nullopt): the HTTP status of the server's answer.
asio::awaitable<unsigned> upgrade_status(std::uint16_t port, std::optional<std::string> origin) {
  websocket::stream<beast::tcp_stream> ws(co_await asio::this_coro::executor);
  auto& stream = beast::get_lowest_layer(ws);
  stream.expires_after(5s);
  co_await stream.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                                asio::use_awaitable);
  ws.set_option(websocket::stream_base::decorator([origin](websocket::request_type& request) {
    if (origin) request.set(http::field::origin, *origin);
  }));
  websocket::response_type response;
  // A refused upgrade is an error here; the response holds the status either way.
  auto [ec] = co_await ws.async_handshake(response, "127.0.0.1:" + std::to_string(port), "/ws",
                                          use_tuple);
  if (ec == websocket::error::upgrade_declined) co_return response.result_int();
  if (ec) co_return 0;  // no HTTP answer at all
  co_return response.result_int();
}

// Creates a meeting over HTTPS; returns {meetingId, the moderator's token}.
asio::awaitable<std::pair<std::string, std::string>> create_meeting(std::uint16_t port,
                                                                    ssl::context& context) {
  auto created = co_await https_request(
      port, context, make_request(http::verb::post, "/api/meetings", port, R"({"title":"TLS"})"));
  EXPECT_FALSE(created.error) << created.error.message();
  EXPECT_EQ(created.response.result_int(), 201u) << created.response.body();
  const auto body = boost::json::parse(created.response.body()).as_object();
  co_return std::pair{std::string(body.at("meetingId").as_string()),
                      std::string(body.at("tokens").at("moderator").as_string())};
}

// Joins over WSS and returns the first message the server sends.
asio::awaitable<v1::ServerMessage> join_over_tls(std::uint16_t port, ssl::context& context,
                                                 std::string meeting_id, std::string token) {
  websocket::stream<tls_stream> ws(co_await asio::this_coro::executor, context);
  co_await connect_tls(ws.next_layer(), port);
  co_await ws.async_handshake("127.0.0.1:" + std::to_string(port), "/ws", asio::use_awaitable);
  v1::ClientMessage join;
  join.mutable_join()->set_meeting_id(meeting_id);
  join.mutable_join()->set_token(token);
  const auto frame = net::encode_client_message(join, net::wire_format::binary);
  ws.binary(true);
  co_await ws.async_write(asio::buffer(*frame.bytes), asio::use_awaitable);
  beast::flat_buffer buffer;
  co_await ws.async_read(buffer, asio::use_awaitable);
  const auto data = buffer.cdata();
  auto decoded = net::decode_server_message(
      std::string_view(static_cast<const char*>(data.data()), data.size()),
      net::wire_format::binary);
  EXPECT_TRUE(decoded.ok()) << decoded.error;
  beast::error_code ignored;
  beast::get_lowest_layer(ws).socket().close(ignored);
  co_return decoded.message;
}

// A loopback port that was free a moment ago.
std::uint16_t free_port() {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

// What a majlisd that must refuse to start did: its exit status and everything it printed.
struct start_outcome {
  int exit_code = -1;
  std::string output;
};

start_outcome run_majlisd(const std::string& args) {
  const auto data = make_temp_folder("majlisd-refuse");
  // `timeout` bounds a majlisd that wrongly starts: it is stopped after 10 s (status 124).
  const std::string command = "timeout 10 " + std::string(MAJLISD_PATH) +
                              " --listen 127.0.0.1:0 --data-dir '" + data.string() + "' " + args +
                              " 2>&1";
  start_outcome out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("popen failed");
  char buffer[512];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.output.append(buffer, n);
  const int status = ::pclose(pipe);
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::error_code ignored;
  fs::remove_all(data, ignored);
  return out;
}

void expect_security_headers(const http::response<http::string_body>& response, bool tls,
                             const std::string& what) {
  SCOPED_TRACE(what);
  EXPECT_EQ(response["Content-Security-Policy"],
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
  EXPECT_EQ(response["X-Frame-Options"], "DENY");
  EXPECT_EQ(response["Referrer-Policy"], "no-referrer");
  EXPECT_EQ(response["X-Content-Type-Options"], "nosniff");
  if (tls)
    EXPECT_EQ(response[http::field::strict_transport_security], "max-age=31536000");
  else
    EXPECT_EQ(response.count(http::field::strict_transport_security), 0u);
}

TEST(transport, tls_client_joins_and_plain_client_fails_cleanly) {
  test_certificate certificate;
  majlisd_process server(certificate.args());
  const auto port = server.port();
  auto context = client_context(certificate);
  io_thread io;

  const auto [meeting_id, token] = io.run(create_meeting(port, *context));
  ASSERT_FALSE(token.empty());
  const auto first = io.run(join_over_tls(port, *context, meeting_id, token));
  EXPECT_TRUE(first.has_welcome()) << first.ShortDebugString();

  // Plain HTTP to the TLS port: no HTTP answer, the connection ends (promptly, not by a timeout).
  const auto started = std::chrono::steady_clock::now();
  const auto plain = io.run(plain_request(port, make_request(http::verb::get, "/healthz", port)));
  EXPECT_TRUE(plain.error) << "a plain request got an answer: " << plain.response.result_int();
  EXPECT_NE(plain.error, beast::error::timeout);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 4s);
  // A plain WebSocket upgrade fails the same way (no status at all).
  EXPECT_EQ(io.run(upgrade_status(port, std::nullopt)), 0u);

  // The server is unaffected: TLS clients still get answers and join.
  const auto health =
      io.run(https_request(port, *context, make_request(http::verb::get, "/healthz", port)));
  EXPECT_FALSE(health.error) << health.error.message();
  EXPECT_EQ(health.response.result_int(), 200u);
  const auto again = io.run(join_over_tls(port, *context, meeting_id, token));
  EXPECT_TRUE(again.has_welcome()) << again.ShortDebugString();
  EXPECT_TRUE(server.running());
}

// A client that connects to the TLS port and says nothing is closed after the handshake timeout.
asio::awaitable<std::pair<beast::error_code, std::chrono::milliseconds>> silent_client(
    std::uint16_t port) {
  tcp::socket socket(co_await asio::this_coro::executor);
  co_await socket.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                                asio::use_awaitable);
  const auto started = std::chrono::steady_clock::now();
  char byte = 0;
  auto [ec, n] = co_await socket.async_read_some(asio::buffer(&byte, 1), use_tuple);
  co_return std::pair{ec, std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - started)};
}

TEST(transport, silent_client_is_closed_after_the_handshake_timeout) {
  test_certificate certificate;
  auto args = certificate.args();
  args.push_back("--tls-handshake-timeout-ms");
  args.push_back("300");
  majlisd_process server(args);
  auto context = client_context(certificate);
  io_thread io;
  const auto [error, waited] = io.run(silent_client(server.port()), 5s);
  EXPECT_EQ(error, asio::error::eof) << error.message();
  EXPECT_GE(waited, 250ms);
  EXPECT_LT(waited, 3s);
  // And the server goes on.
  const auto health = io.run(
      https_request(server.port(), *context, make_request(http::verb::get, "/healthz", server.port())));
  EXPECT_EQ(health.response.result_int(), 200u) << health.error.message();
}

TEST(transport, security_headers_on_every_response_and_hsts_only_over_tls) {
  const auto web = make_temp_folder("majlis-web");
  std::ofstream(web / "index.html") << "<!doctype html><title>x</title>\n";
  io_thread io;
  {
    majlisd_process plain({"--static-root", web.string()});
    const auto port = plain.port();
    for (const auto* target : {"/index.html", "/healthz", "/api/meetings/nosuch", "/missing"}) {
      const auto out = io.run(plain_request(port, make_request(http::verb::get, target, port)));
      ASSERT_FALSE(out.error) << target << ": " << out.error.message();
      expect_security_headers(out.response, false, std::string("plain ") + target);
    }
  }
  {
    test_certificate certificate;
    auto args = certificate.args();
    args.push_back("--static-root");
    args.push_back(web.string());
    majlisd_process tls(args);
    const auto port = tls.port();
    auto context = client_context(certificate);
    for (const auto* target : {"/index.html", "/healthz", "/missing"}) {
      const auto out =
          io.run(https_request(port, *context, make_request(http::verb::get, target, port)));
      ASSERT_FALSE(out.error) << target << ": " << out.error.message();
      expect_security_headers(out.response, true, std::string("tls ") + target);
    }
  }
  std::error_code ignored;
  fs::remove_all(web, ignored);
}

TEST(transport, ws_upgrade_refuses_foreign_origins) {
  io_thread io;
  {
    // Default: the origin of the (default) public URL, under either loopback name.
    majlisd_process server;
    const auto port = server.port();
    const auto own = "http://127.0.0.1:" + std::to_string(port);
    EXPECT_EQ(io.run(upgrade_status(port, "https://evil.example")), 403u);
    EXPECT_EQ(io.run(upgrade_status(port, "null")), 403u);
    EXPECT_EQ(io.run(upgrade_status(port, "http://127.0.0.1:" + std::to_string(port + 1))), 403u);
    EXPECT_EQ(io.run(upgrade_status(port, own)), 101u);
    EXPECT_EQ(io.run(upgrade_status(port, "http://localhost:" + std::to_string(port))), 101u);
    EXPECT_EQ(io.run(upgrade_status(port, std::nullopt)), 101u);  // not a browser
  }
  {
    // A public URL elsewhere: its origin, and no loopback one.
    const auto port = free_port();
    majlisd_process server({"--listen", "127.0.0.1:" + std::to_string(port), "--public-url",
                            "https://Meet.example.org:443/majlis/"});
    EXPECT_EQ(io.run(upgrade_status(port, "https://meet.example.org")), 101u);
    EXPECT_EQ(io.run(upgrade_status(port, "http://meet.example.org")), 403u);
    EXPECT_EQ(io.run(upgrade_status(port, "http://127.0.0.1:" + std::to_string(port))), 403u);
    EXPECT_EQ(io.run(upgrade_status(port, std::nullopt)), 101u);
  }
  {
    majlisd_process server({"--allowed-origins", "https://meet.example.org, https://b.example:8443"});
    const auto port = server.port();
    EXPECT_EQ(io.run(upgrade_status(port, "https://meet.example.org")), 101u);
    EXPECT_EQ(io.run(upgrade_status(port, "https://b.example:8443")), 101u);
    EXPECT_EQ(io.run(upgrade_status(port, "http://meet.example.org")), 403u);
    EXPECT_EQ(io.run(upgrade_status(port, "http://127.0.0.1:" + std::to_string(port))), 403u);
  }
  {
    majlisd_process server({"--allowed-origins", "*"});
    EXPECT_EQ(io.run(upgrade_status(server.port(), "https://anywhere.example")), 101u);
  }
}

TEST(transport, refuses_short_and_published_secrets) {
  const std::string good(40, 'k');
  const std::string other_good(40, 's');
  {
    const auto out = run_majlisd("--admin-key " + good +
                                 " --signing-secret demo-signing-secret-change-me-0123456789");
    EXPECT_EQ(out.exit_code, 1) << out.output;
    EXPECT_NE(out.output.find("signing secret"), std::string::npos) << out.output;
    EXPECT_NE(out.output.find("published"), std::string::npos) << out.output;
  }
  {
    const auto out = run_majlisd("--admin-key demo-admin-key-change-me --signing-secret " + other_good);
    EXPECT_EQ(out.exit_code, 1) << out.output;
    EXPECT_NE(out.output.find("admin key"), std::string::npos) << out.output;
  }
  {
    const auto out = run_majlisd("--admin-key " + std::string(31, 'k') + " --signing-secret " + other_good);
    EXPECT_EQ(out.exit_code, 1) << out.output;
    EXPECT_NE(out.output.find("31 bytes"), std::string::npos) << out.output;
  }
  {
    const auto out = run_majlisd("--admin-key " + good + " --signing-secret " + std::string(12, 's'));
    EXPECT_EQ(out.exit_code, 1) << out.output;
    EXPECT_NE(out.output.find("12 bytes"), std::string::npos) << out.output;
  }
  {
    // Through the environment too, as compose passes them.
    const auto data = make_temp_folder("majlisd-env");
    const std::string command = "MAJLIS_ADMIN_KEY=short MAJLIS_SIGNING_SECRET=" + other_good +
                                " timeout 10 " + MAJLISD_PATH + " --listen 127.0.0.1:0 --data-dir '" +
                                data.string() + "' >/dev/null 2>&1";
    const int status = std::system(command.c_str());
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << status;
    std::error_code ignored;
    fs::remove_all(data, ignored);
  }
  {
    // TLS options go in pairs, and a missing certificate stops the start with its name.
    const auto half = run_majlisd("--admin-key " + good + " --signing-secret " + other_good +
                                  " --tls-cert /nonexistent/cert.pem");
    EXPECT_EQ(half.exit_code, 2) << half.output;
    EXPECT_NE(half.output.find("--tls-key"), std::string::npos) << half.output;
    const auto missing = run_majlisd("--admin-key " + good + " --signing-secret " + other_good +
                                     " --tls-cert /nonexistent/cert.pem --tls-key /nonexistent/key.pem");
    EXPECT_EQ(missing.exit_code, 1) << missing.output;
    EXPECT_NE(missing.output.find("/nonexistent/cert.pem"), std::string::npos) << missing.output;
  }
  // Control: 32 bytes are enough.
  majlisd_process accepted({"--admin-key", std::string(32, 'k'), "--signing-secret", other_good});
  EXPECT_TRUE(accepted.running());
}

}  // namespace
}  // namespace majlis::testing
