// A fan-out through a real majlisd, with its sends batched through io_uring (the default) and one
// send() each (--io-uring false): every display gets every event in order, /metrics and the log
// say which path took them. Where this kernel gives no usable io_uring (a seccomp filter, the
// io_uring_disabled sysctl), majlisd must say so and send one by one: the test process probes the
// same kernel and expects what majlisd should have found.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "meeting_fixture.hpp"
#include "net/batch_send.hpp"

namespace majlis::testing {
namespace {

constexpr int displays = 40;
constexpr int events = 25;

std::uint64_t metric(const std::string& text, const std::string& name) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(name + ' ', 0) == 0) return std::stoull(line.substr(name.size() + 1));
  }
  throw scenario_failure("no metric " + name + " in /metrics");
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class fanout : public ::testing::TestWithParam<bool> {
 protected:
  fanout()
      : log_(std::filesystem::temp_directory_path() /
             ("majlis-fanout-" + std::to_string(::getpid()) + (GetParam() ? "-uring.log" : "-plain.log"))),
        server_({"--store", "memory", "--log-level", "info", "--io-uring", GetParam() ? "true" : "false"}, log_) {}
  ~fanout() override { std::filesystem::remove(log_); }

  std::filesystem::path log_;
  majlisd_process server_;
  asio::io_context io_;
};

TEST_P(fanout, every_display_gets_every_event_in_order) {
  const net::send_batcher probe(true);
  const bool available = probe.how() == net::send_batcher::mode::io_uring;
  const bool io_uring = GetParam() && available;
  auto scenario = [&]() -> asio::awaitable<void> {
    auto api = make_api(io_, server_.port_string());
    client::meeting_spec spec;
    spec.title = "Fan-out";
    const auto created = co_await api.create_meeting(spec);
    require(bool(created), "POST /api/meetings failed: " + created.reply.error_code());
    const auto& meeting = *created.value;
    test_client chair(io_, "chair", "", meeting.tokens.moderator, v1::ROLE_MODERATOR);
    co_await connect_and_join(chair, server_.port_string(), meeting.meeting_id);
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

INSTANTIATE_TEST_SUITE_P(sends, fanout, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "io_uring" : "one_send_each"; });

}  // namespace
}  // namespace majlis::testing
