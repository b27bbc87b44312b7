// majlis-welcome-storm: how long N clients take to join one meeting whose state is large, and
// how much CPU the server spends on it (from /proc/PID/stat). Prints figures; asserts nothing.
//   majlisd --listen 127.0.0.1:PORT --admin-key KEY --commands-per-second 100000
//     --command-burst 100000 --max-connections-per-address 0 --joins-per-second-per-address 0 &
//   majlis-welcome-storm PORT KEY MAJLISD_PID [clients=2000] [contributions=125]
// Each client is a bare WebSocket that sends Join and reads the Welcome without decoding it, then
// keeps reading (and discarding) the events of the others' arrivals.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>

#include "majlis/client/http_api.hpp"
#include "majlis/client/meeting_client.hpp"
#include "net/codec.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// utime + stime of a process, in seconds.
double cpu_seconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; fields >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) {
      stime = std::stoull(field);
      break;
    }
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

struct storm {
  asio::io_context& io;
  std::string port;
  std::string meeting_id;
  int joined = 0;
  int failed = 0;
  std::size_t welcome_bytes = 0;
  clock_type::time_point last_welcome{};

  asio::awaitable<void> join(std::string token) {
    websocket::stream<beast::tcp_stream> ws(co_await asio::this_coro::executor);
    auto [connect_ec] = co_await beast::get_lowest_layer(ws).async_connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"),
                      static_cast<unsigned short>(std::stoi(port))),
        use_tuple);
    if (connect_ec) {
      ++failed;
      co_return;
    }
    ws.read_message_max(0);
    auto [handshake_ec] = co_await ws.async_handshake("127.0.0.1:" + port, "/ws", use_tuple);
    if (handshake_ec) {
      ++failed;
      co_return;
    }
    majlis::v1::ClientMessage message;
    message.mutable_join()->set_meeting_id(meeting_id);
    message.mutable_join()->set_token(token);
    const auto f = majlis::net::encode_client_message(message, majlis::net::wire_format::binary);
    ws.binary(true);
    auto [write_ec, written] = co_await ws.async_write(asio::buffer(*f.bytes), use_tuple);
    beast::flat_buffer buffer;
    auto [ec, n] = co_await ws.async_read(buffer, use_tuple);
    // A binary ServerMessage starting with field 1 is a Welcome; anything else (an Error before
    // a close) is a failed join.
    const bool welcome = !write_ec && !ec && n > 0 &&
                         static_cast<const unsigned char*>(buffer.cdata().data())[0] == 0x0A;
    if (!welcome) {
      ++failed;
      co_return;
    }
    ++joined;
    welcome_bytes = n;
    last_welcome = clock_type::now();
    // Keep the connection, reading (and dropping) whatever follows.
    for (;;) {
      buffer.clear();
      auto [read_ec, m] = co_await ws.async_read(buffer, use_tuple);
      if (read_ec) co_return;
    }
  }
};

asio::awaitable<void> run(asio::io_context& io, std::string port, std::string admin_key, int pid,
                          int clients, int contributions) {
  majlis::client::http_api_config config;
  config.port = port;
  config.admin_key = admin_key;
  majlis::client::http_api http(io.get_executor(), config);
  majlis::client::meeting_spec spec;
  spec.title = "Join storm";
  const auto created = co_await http.create_meeting(spec);
  if (!created) throw std::runtime_error("cannot create a meeting: " + created.reply.error_code());
  const auto meeting_id = created.value->meeting_id;

  majlis::client::meeting_client chair(io.get_executor(), {});
  if (auto ec = co_await chair.connect("127.0.0.1", port)) throw std::runtime_error(ec.message());
  const auto joined = co_await chair.join(meeting_id, created.value->tokens.moderator);
  if (!joined.ok) throw std::runtime_error("the chair cannot join");
  majlis::v1::Command start;
  start.mutable_start_meeting();
  if (!(co_await chair.send(start)).ok()) throw std::runtime_error("cannot start the meeting");
  std::string text;
  for (int i = 0; i < 1990; ++i) text += "\xF0\x9F\x99\x82";
  for (int i = 0; i < contributions; ++i) {
    majlis::v1::Command command;
    command.mutable_submit_contribution()->set_text(text);
    const auto result = co_await chair.send(command);
    if (!result.ok()) throw std::runtime_error("a contribution was refused");
  }

  std::vector<std::string> tokens;
  for (int i = 0; i < clients; ++i) {
    majlis::client::token_request request{"participant", "Guest " + std::to_string(i),
                                          "civil_society", "remote", ""};
    const auto issued = co_await http.issue_token(meeting_id, request);
    if (!issued) throw std::runtime_error("no token: " + issued.reply.error_code());
    tokens.push_back(issued.value->token);
  }

  storm s{io, port, meeting_id};
  const double cpu_before = cpu_seconds(pid);
  const auto started = clock_type::now();
  for (auto& token : tokens) asio::co_spawn(io, s.join(std::move(token)), asio::detached);
  asio::steady_timer timer(io);
  while (s.joined + s.failed < clients && clock_type::now() - started < 600s) {
    timer.expires_after(20ms);
    co_await timer.async_wait(asio::use_awaitable);
  }
  const double wall = std::chrono::duration<double>(s.last_welcome - started).count();
  const double cpu = cpu_seconds(pid) - cpu_before;
  const auto metrics = co_await http.request("GET", "/metrics", "", "");
  std::printf("clients=%d joined=%d failed=%d state_bytes=%zu welcome_bytes=%zu\n", clients,
              s.joined, s.failed, chair.mirror().state().ByteSizeLong(), s.welcome_bytes);
  std::printf("all_welcomes_s=%.2f server_cpu_s=%.2f\n", wall, cpu);
  std::istringstream lines(metrics.body);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("majlis_snapshot", 0) == 0 || line.rfind("majlis_joins_total", 0) == 0)
      std::printf("%s\n", line.c_str());
  }
  io.stop();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s PORT ADMIN_KEY MAJLISD_PID [clients] [contributions]\n", argv[0]);
    return 2;
  }
  const int clients = argc > 4 ? std::stoi(argv[4]) : 2000;
  const int contributions = argc > 5 ? std::stoi(argv[5]) : 125;
  asio::io_context io;
  asio::co_spawn(io, run(io, argv[1], argv[2], std::stoi(argv[3]), clients, contributions),
                 [](std::exception_ptr e) {
                   if (!e) return;
                   try {
                     std::rethrow_exception(e);
                   } catch (const std::exception& x) {
                     std::fprintf(stderr, "failed: %s\n", x.what());
                     std::exit(1);
                   }
                 });
  io.run();
}
