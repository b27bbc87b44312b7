// What both benchmarks need around one meeting: creating it and its tokens over HTTP, joining
// clients, counting down concurrent work, and running the whole scenario on an io_context in the
// calling thread, bounded in time and stopped by Ctrl-C.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "majlis/client/http_api.hpp"
#include "majlis/client/meeting_client.hpp"
#include "majlis/client/server_url.hpp"
#include "majlis/v1/commands.pb.h"

namespace majlis::bench {

namespace asio = boost::asio;
using steady = std::chrono::steady_clock;

// A step of a benchmark that cannot go on (a server refused, a wait ran out).
struct bench_failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline void require(bool ok, const std::string& what) {
  if (!ok) throw bench_failure(what);
}

// Set by the SIGINT/SIGTERM handler main installs; scenarios and loops check it.
std::atomic<bool>& interrupted();
inline void check_interrupted() {
  if (interrupted().load()) throw bench_failure("interrupted");
}

inline std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(steady::now().time_since_epoch()).count();
}

// Runs `scenario` on `io` in this thread until it finishes or `limit` passes; rethrows its
// failure. An interrupt ends it early (as a failure). The io_context is stopped either way,
// so the caller may destroy the clients afterwards from this thread.
void run_scenario(asio::io_context& io, std::function<asio::awaitable<void>()> scenario,
                  std::chrono::milliseconds limit);

asio::awaitable<void> sleep_for(std::chrono::milliseconds duration);

// Counts concurrent tasks down on one executor (single-threaded): wait() returns when the count
// reaches zero or the deadline passes.
class countdown {
 public:
  countdown(asio::any_io_executor executor, std::size_t count);
  void done();
  std::size_t remaining() const { return remaining_; }
  // True when everything was done by the deadline.
  asio::awaitable<bool> wait(steady::time_point deadline);

 private:
  asio::steady_timer timer_;
  std::size_t remaining_;
};

// Runs task(0) … task(count-1), at most `parallel` at a time, and waits for all, at most `timeout`.
asio::awaitable<void> for_each_bounded(std::size_t count, std::size_t parallel,
                                       std::function<asio::awaitable<void>(std::size_t)> task,
                                       std::chrono::milliseconds timeout);

struct bench_meeting {
  std::string id;
  std::string moderator_token;
};

asio::awaitable<bench_meeting> create_meeting(client::http_api& http, std::string title);
// A participant token and the participant id the server picked for it.
asio::awaitable<client::issued_token> participant_token(client::http_api& http, std::string meeting_id,
                                                        std::string name, std::string role = "participant");

// A bench client: binary frames, no reconnect (a lost connection is a failure to report, not to
// paper over), timeouts long enough for a loaded 2-core machine.
client::meeting_client_config bench_client_config();

// Connects and joins; throws bench_failure with the reason when it cannot.
asio::awaitable<void> connect_and_join(client::meeting_client& who, const client::server_url& where,
                                       std::string meeting_id, std::string token, std::string name);

// Sends a command that must succeed; returns the seq of its last event.
asio::awaitable<std::uint64_t> must(client::meeting_client& who, v1::Command command,
                                    const std::string& what);

std::string describe(const v1::CommandResult& result);

// A few of an instance's /metrics counters that explain a figure (appends, conflicts, gaps,
// replicas loaded), as "name value, …"; what it could not read says so.
asio::awaitable<std::string> server_counters(client::http_api& http);

}  // namespace majlis::bench
