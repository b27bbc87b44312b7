#include "bench_meeting.hpp"

#include <exception>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace majlis::bench {

using namespace std::chrono_literals;

std::atomic<bool>& interrupted() {
  static std::atomic<bool> flag{false};
  return flag;
}

void run_scenario(asio::io_context& io, std::function<asio::awaitable<void>()> scenario,
                  std::chrono::milliseconds limit) {
  check_interrupted();
  auto done = std::make_shared<bool>(false);
  std::exception_ptr failure;
  asio::co_spawn(io, std::move(scenario), [&, done](std::exception_ptr error) {
    *done = true;
    failure = error;
    io.stop();
  });
  // Ctrl-C only sets a flag (see main): notice it within 100 ms and stop.
  asio::co_spawn(
      io,
      [&io, done]() -> asio::awaitable<void> {
        asio::steady_timer timer(io);
        while (!*done) {
          timer.expires_after(100ms);
          co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
          if (interrupted().load()) io.stop();
        }
      },
      asio::detached);
  io.restart();
  io.run_for(limit);
  io.stop();
  if (failure) std::rethrow_exception(failure);
  check_interrupted();
  if (!*done) throw bench_failure("the scenario did not finish within " + std::to_string(limit.count()) + " ms");
}

asio::awaitable<void> sleep_for(std::chrono::milliseconds duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor, duration);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

countdown::countdown(asio::any_io_executor executor, std::size_t count)
    : timer_(std::move(executor)), remaining_(count) {}

void countdown::done() {
  if (remaining_ > 0 && --remaining_ == 0) timer_.cancel();
}

asio::awaitable<bool> countdown::wait(steady::time_point deadline) {
  while (remaining_ > 0 && steady::now() < deadline) {
    check_interrupted();
    // Wake at least every 100 ms to notice Ctrl-C.
    timer_.expires_at(std::min(deadline, steady::now() + 100ms));
    co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  co_return remaining_ == 0;
}

asio::awaitable<void> for_each_bounded(std::size_t count, std::size_t parallel,
                                       std::function<asio::awaitable<void>(std::size_t)> task,
                                       std::chrono::milliseconds timeout) {
  if (count == 0) co_return;
  struct shared {
    std::function<asio::awaitable<void>(std::size_t)> task;
    std::size_t next = 0;
    std::size_t count = 0;
    std::exception_ptr failure;
    countdown workers;
  };
  const auto executor = co_await asio::this_coro::executor;
  const std::size_t workers = std::min(count, std::max<std::size_t>(parallel, 1));
  auto state = std::make_shared<shared>(shared{std::move(task), 0, count, nullptr, countdown(executor, workers)});
  for (std::size_t w = 0; w < workers; ++w) {
    asio::co_spawn(
        executor,
        [state]() -> asio::awaitable<void> {
          while (state->next < state->count && !state->failure && !interrupted().load()) {
            const std::size_t index = state->next++;
            co_await state->task(index);
          }
        },
        [state](std::exception_ptr error) {
          if (error && !state->failure) state->failure = error;
          state->workers.done();
        });
  }
  const bool finished = co_await state->workers.wait(steady::now() + timeout);
  if (state->failure) std::rethrow_exception(state->failure);
  check_interrupted();
  require(finished, "work on " + std::to_string(count) + " items did not finish within " +
                        std::to_string(timeout.count()) + " ms");
}

asio::awaitable<bench_meeting> create_meeting(client::http_api& http, std::string title) {
  client::meeting_spec spec;
  spec.title = std::move(title);
  const auto created = co_await http.create_meeting(spec);
  require(bool(created), "POST /api/meetings failed: " + created.reply.error_code() + " " +
                             created.reply.error_message());
  co_return bench_meeting{created.value->meeting_id, created.value->tokens.moderator};
}

asio::awaitable<client::issued_token> participant_token(client::http_api& http, std::string meeting_id,
                                                        std::string name, std::string role) {
  // A named request, not a braced temporary: GCC 12 destroys a braced temporary argument of a
  // coroutine call inside co_await twice (GCC PR 101367).
  client::token_request request{role, name, "", "remote", ""};
  const auto issued = co_await http.issue_token(meeting_id, request);
  require(bool(issued), "no token for " + name + ": " + issued.reply.error_code() + " " +
                            issued.reply.error_message());
  co_return *issued.value;
}

client::meeting_client_config bench_client_config() {
  client::meeting_client_config config;
  config.format = client::frame_format::binary;
  config.connect_timeout = 20s;
  config.join_timeout = 20s;
  config.command_timeout = 30s;
  config.auto_reconnect = false;
  return config;
}

asio::awaitable<void> connect_and_join(client::meeting_client& who, const client::server_url& where,
                                       std::string meeting_id, std::string token, std::string name) {
  const auto ec = co_await who.connect(where.host, where.port);
  require(!ec, name + ": cannot connect to " + where.host + ":" + where.port + ": " + ec.message());
  const auto joined = co_await who.join(meeting_id, token);
  require(joined.ok, name + ": join failed: " + joined.error.ShortDebugString());
}

std::string describe(const v1::CommandResult& result) {
  return result.ok() ? "ok seq " + std::to_string(result.seq())
                     : v1::ErrorCode_Name(result.error().code()) + ": " + result.error().message();
}

asio::awaitable<std::string> server_counters(client::http_api& http) {
  const auto reply = co_await http.request("GET", "/metrics", "", "");
  if (!reply.ok()) co_return "(no /metrics: " + reply.error_code() + ")";
  static constexpr std::string_view wanted[] = {
      "meetings_loaded_total", "appends_total",     "append_conflicts_total", "append_failures_total",
      "gaps_filled_total",     "deliveries_total",  "commands_rejected_total", "snapshots_encoded_total",
      "snapshot_cache_hits_total", "joins_total"};
  std::string out;
  std::size_t start = 0;
  while (start < reply.body.size()) {
    auto end = reply.body.find('\n', start);
    if (end == std::string::npos) end = reply.body.size();
    const std::string_view line(reply.body.data() + start, end - start);
    start = end + 1;
    if (line.empty() || line.front() == '#') continue;
    const auto space = line.find(' ');
    if (space == std::string_view::npos) continue;
    const auto name = line.substr(0, space);
    for (const auto suffix : wanted) {
      if (!name.ends_with(suffix)) continue;
      if (!out.empty()) out += ", ";
      out += std::string(suffix.substr(0, suffix.size() - 6)) + " " + std::string(line.substr(space + 1));
    }
  }
  co_return out;
}

asio::awaitable<std::uint64_t> must(client::meeting_client& who, v1::Command command,
                                    const std::string& what) {
  const auto result = co_await who.send(std::move(command));
  require(result.ok(), "could not " + what + ": " + describe(result));
  co_return result.seq();
}

}  // namespace majlis::bench
