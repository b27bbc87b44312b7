// A fan-out through a real majlisd, with its sends batched through io_uring (the default) and one
// send() each (--io-uring false): every display gets every event in order, /metrics and the log
// say which path took them. Where this kernel gives no usable io_uring (a seccomp filter, the
// io_uring_disabled sysctl), majlisd must say so and send one by one: the test process probes the
// same kernel and expects what majlisd should have found.
#include <unistd.h>

#include <filesystem>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <gtest/gtest.h>

#include "meeting_fixture.hpp"
#include "net/batch_send.hpp"
#include "net/codec.hpp"

namespace majlis::testing {
namespace {

constexpr int displays = 40;
constexpr int events = 25;

class fanout : public ::testing::TestWithParam<bool> {
 protected:
  fanout()
      : log_(std::filesystem::temp_directory_path() /
             ("majlis-fanout-" + std::to_string(::getpid()) + (GetParam() ? "-uring.log" : "-plain.log"))),
        server_({"--store", "memory", "--log-level", "info", "--io-uring", GetParam() ? "true" : "false",
                 "--commands-per-second", "100000", "--command-burst", "100000", "--send-queue-frames", "100000"},
                log_) {}
  ~fanout() override { std::filesystem::remove(log_); }

  // A new meeting with this title, and its chair (chair_) joined.
  asio::awaitable<client::created_meeting> meeting_with_chair(client::http_api& api, std::string title) {
    client::meeting_spec spec;
    spec.title = std::move(title);
    const auto created = co_await api.create_meeting(spec);
    require(bool(created), "POST /api/meetings failed: " + created.reply.error_code());
    chair_ = std::make_unique<test_client>(io_, "chair", "", created.value->tokens.moderator, v1::ROLE_MODERATOR);
    co_await connect_and_join(*chair_, server_.port_string(), created.value->meeting_id);
    co_return *created.value;
  }

  std::filesystem::path log_;
  majlisd_process server_;
  asio::io_context io_;
  std::unique_ptr<test_client> chair_;
};

TEST_P(fanout, every_display_gets_every_event_in_order) {
  const net::send_batcher probe(true);
  const bool available = probe.how() == net::send_batcher::mode::io_uring;
  const bool io_uring = GetParam() && available;
  auto scenario = [&]() -> asio::awaitable<void> {
    auto api = make_api(io_, server_.port_string());
    const auto meeting = co_await meeting_with_chair(api, "Fan-out");
    test_client& chair = *chair_;
    std::vector<std::unique_ptr<test_client>> screens;
    std::vector<test_client*> everyone{&chair};
    for (int i = 0; i < displays; ++i) {
      screens.push_back(std::make_unique<test_client>(io_, "display " + std::to_string(i), "",
                                                      meeting.tokens.display, v1::ROLE_DISPLAY));
      co_await connect_and_join(*screens.back(), server_.port_string(), meeting.meeting_id);
      everyone.push_back(screens.back().get());
    }
    const auto before = (co_await api.request("GET", "/metrics", "", "")).body;
    std::uint64_t last = 0;
    for (int i = 0; i < events; ++i)
      last = (co_await must(chair, cmd::add_item("item " + std::to_string(i), "", 5), "add an item")).seq();
    co_await wait_all(everyone, last);
    for (const auto& screen : screens) {
      const auto& agenda = screen->state().agenda();
      require(agenda.size() == events, screen->name + " holds " + std::to_string(agenda.size()) + " items");
      for (int i = 0; i < events; ++i)
        require(agenda.Get(i).title() == "item " + std::to_string(i), screen->name + ": items out of order");
    }
    const auto after = (co_await api.request("GET", "/metrics", "", "")).body;
    const auto sent = metric(after, "majlis_net_io_uring_sends_total") -
                      metric(before, "majlis_net_io_uring_sends_total");
    const auto calls = metric(after, "majlis_net_io_uring_calls_total") -
                       metric(before, "majlis_net_io_uring_calls_total");
    if (io_uring) {
      // Each event reaches the displays on its I/O thread in one call (the chair's own result
      // goes by the queue); a display's frame is queued instead only when its socket is busy.
      require(sent >= std::uint64_t(displays) * events / 2,
              "only " + std::to_string(sent) + " sends went through io_uring");
      require(calls > 0 && calls <= sent / 5, std::to_string(sent) + " sends took " +
                                                 std::to_string(calls) + " io_uring calls");
    } else {
      require(sent == 0 && calls == 0, "no io_uring (--io-uring false, or none on this kernel), yet it sent " +
                                           std::to_string(sent));
    }
  };
  EXPECT_EQ(run_scenario(io_, scenario(), 60s), "");
  const auto log = read_file(log_);
  if (io_uring) {
    EXPECT_NE(log.find("event=send_batching mode=io_uring"), std::string::npos) << log.substr(0, 2000);
  } else if (GetParam()) {
    // Asked for, but this kernel has none to give: the reason is the probe's.
    EXPECT_NE(log.find("event=send_batching mode=send_per_socket reason=\"" + probe.fallback_reason()),
              std::string::npos)
        << log.substr(0, 2000);
  } else {
    EXPECT_NE(log.find("event=send_batching mode=send_per_socket reason=\"switched off"), std::string::npos)
        << log.substr(0, 2000);
  }
}

// A display that stops reading while the chair submits 600 long contributions (about 4.8 MB of
// events, more than a socket that is not read from takes): its sends come back short or EAGAIN,
// the rest waits in its queue, and once it reads again it gets every event, whole and in order,
// while another display kept up throughout.
TEST_P(fanout, a_display_that_stops_reading_gets_every_event_in_order_once_it_reads_again) {
  namespace beast = boost::beast;
  using ws_stream = beast::websocket::stream<beast::tcp_stream>;
  auto scenario = [&]() -> asio::awaitable<void> {
    auto api = make_api(io_, server_.port_string());
    const auto meeting = co_await meeting_with_chair(api, "Slow reader");
    test_client& chair = *chair_;
    co_await must(chair, cmd::start_meeting(), "start the meeting");
    test_client reader(io_, "display that reads", "", meeting.tokens.display, v1::ROLE_DISPLAY);
    co_await connect_and_join(reader, server_.port_string(), meeting.meeting_id);

    ws_stream slow(co_await asio::this_coro::executor);
    auto& stream = beast::get_lowest_layer(slow);
    stream.socket().open(asio::ip::tcp::v4());
    stream.socket().set_option(asio::socket_base::receive_buffer_size(4096));
    stream.expires_after(5s);
    const asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), server_.port());
    co_await stream.async_connect(endpoint, asio::use_awaitable);
    slow.read_message_max(16 * 1024 * 1024);
    co_await slow.async_handshake("127.0.0.1:" + server_.port_string(), "/ws", asio::use_awaitable);
    v1::ClientMessage join;
    join.mutable_join()->set_meeting_id(meeting.meeting_id);
    join.mutable_join()->set_token(meeting.tokens.display);
    const auto encoded = net::encode_client_message(join, net::wire_format::binary);
    slow.binary(true);
    co_await slow.async_write(asio::buffer(*encoded.bytes), asio::use_awaitable);
    std::uint64_t seq = 0;
    beast::flat_buffer buffer;
    auto next_message = [&]() -> asio::awaitable<v1::ServerMessage> {
      buffer.clear();
      stream.expires_after(10s);
      co_await slow.async_read(buffer, asio::use_awaitable);
      const auto data = buffer.cdata();
      auto decoded = net::decode_server_message(
          std::string_view(static_cast<const char*>(data.data()), data.size()), net::wire_format::binary);
      require(decoded.ok(), "the slow display got a frame it cannot decode: " + decoded.error);
      co_return std::move(decoded.message);
    };
    {
      const auto welcome = co_await next_message();
      require(welcome.has_welcome(), "the slow display got no Welcome: " + welcome.ShortDebugString().substr(0, 200));
      seq = welcome.welcome().seq();
    }
    // It stops reading now. 600 contributions of 1,990 four-byte characters: about 4.8 MB, more
    // than a socket buffer grows to (net.ipv4.tcp_wmem's 4 MiB at most).
    std::string text;
    for (int i = 0; i < 1990; ++i) text += "\xF0\x9F\x99\x82";  // U+1F642
    constexpr int contributions = 600;
    std::uint64_t last = 0;
    for (int i = 0; i < contributions; ++i) {
      last = (co_await must(chair, cmd::submit("#" + std::to_string(i) + " " + text), "submit a contribution")).seq();
    }
    const std::vector<test_client*> keeping_up{&chair, &reader};
    co_await wait_all(keeping_up, last);
    // Reads again: every event after the Welcome, in order, until the last contribution's.
    int read = 0;
    while (seq < last) {
      const auto message = co_await next_message();
      if (!message.has_events()) continue;  // presence counts, pongs: not in question here
      for (const auto& event : message.events().events()) {
        require(event.seq() == seq + 1, "the slow display got seq " + std::to_string(event.seq()) + " after " +
                                            std::to_string(seq));
        seq = event.seq();
        if (event.has_contribution_submitted()) {
          const auto& got = event.contribution_submitted().contribution().text();
          require(got == "#" + std::to_string(read) + " " + text,
                  "contribution " + std::to_string(read) + " came as " + got.substr(0, 12));
          ++read;
        }
      }
    }
    require(read == contributions, "the slow display got " + std::to_string(read) + " of " +
                                        std::to_string(contributions) + " contributions");
    slow.next_layer().close();
  };
  EXPECT_EQ(run_scenario(io_, scenario(), 60s), "");
}

INSTANTIATE_TEST_SUITE_P(sends, fanout, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "io_uring" : "one_send_each"; });

}  // namespace
}  // namespace majlis::testing
