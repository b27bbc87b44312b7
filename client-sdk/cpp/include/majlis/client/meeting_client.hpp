// One client's WebSocket connection to one meeting on majlisd: joins, mirrors the state, sends
// commands and matches their results, and comes back by itself after a lost connection.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include "majlis/client/backoff.hpp"
#include "majlis/client/state_mirror.hpp"
#include "majlis/client/wire_codec.hpp"
#include "majlis/v1/commands.pb.h"
#include "majlis/v1/wire.pb.h"

namespace majlis::client {

namespace detail {
class meeting_session;
}

// Defaults suit an interactive client on a LAN or the internet.
struct meeting_client_config {
  frame_format format = frame_format::binary;  // json = text frames with the protobuf JSON mapping
  std::string path = "/ws";                    // WebSocket target on the server
  std::chrono::milliseconds connect_timeout{5'000};   // resolve + TCP connect + WebSocket handshake
  std::chrono::milliseconds join_timeout{5'000};      // Join sent -> Welcome received
  std::chrono::milliseconds command_timeout{10'000};  // send() without an explicit timeout
  std::chrono::milliseconds ping_interval{15'000};    // application Ping while joined; 0 = none
  // No frame from the server for this long (WebSocket pings are sent at half of it) counts as a
  // lost connection; 0 = never.
  std::chrono::milliseconds idle_timeout{40'000};
  // Largest server message accepted; 0 = no limit. A Welcome carries the whole projected state,
  // which the domain's limits (server/domain/limits.hpp) let grow to hundreds of megabytes, so by
  // default none is refused: a refused Welcome would be retried for ever.
  std::size_t max_frame_bytes = 0;
  bool auto_reconnect = true;      // after a lost connection, a gap or a retryable close code
  backoff_config reconnect_backoff;  // delays and the bound on attempts per outage
  std::uint64_t jitter_seed = 0;   // 0 = from std::random_device; set it for reproducible tests
};

// Where the connection stands.
enum class client_status {
  disconnected,  // not connected yet
  connected,     // WebSocket open, not joined
  joined,        // Welcome received; events flow, commands may be sent
  reconnecting,  // lost; backing off or resuming
  closed,        // closed by close(), by a final close code, or reconnect attempts exhausted
};

const char* to_string(client_status status);

// Whether a connection the server closed with this WebSocket close code is worth resuming.
// Final: normal (1000), protocol_error, invalid_payload, message_too_big, unauthenticated,
// removed, not_found. Everything else (going_away, slow_consumer, idle_timeout, server_full,
// internal_error, policy_violation, in_lobby: the chair may admit them) and 0 (no close frame:
// the network failed) is retried.
bool close_code_is_retryable(std::uint16_t code);

// What tests and dashboards read. Counts are cumulative over the client's life; joining a
// different meeting restarts the mirror's counts (events, duplicates, snapshots).
struct client_counters {
  std::uint64_t events_applied = 0;      // events (stubs included) applied to the mirror
  std::uint64_t duplicates_ignored = 0;  // events with seq <= the mirror's, dropped
  std::uint64_t gaps_seen = 0;           // batches or Welcomes that did not follow the mirror's seq
  std::uint64_t reconnects = 0;          // successful rejoins after a loss (resume or snapshot)
  std::uint64_t reconnect_attempts = 0;  // tries, successful or not
  std::uint64_t snapshots_loaded = 0;    // Welcomes whose snapshot replaced the mirror
  std::uint64_t commands_sent = 0;
  std::uint64_t command_timeouts = 0;
};

// The outcome of join(): the Welcome, or why there is none.
struct join_result {
  bool ok = false;
  v1::Welcome welcome;   // when ok
  // When !ok: the server's Error frame if it sent one (e.g. UNAUTHENTICATED, NOT_FOUND), else a
  // client-side UNAVAILABLE (network, timeout) or PROTOCOL (undecodable answer).
  v1::Error error;
  std::uint16_t close_code = 0;  // WebSocket close code when the server closed (see majlis/protocol/close_code.hpp)
};

// A client for one meeting. Runs on an executor the caller owns (usually an io_context).
//
// Thread-safety: none inside. Construct the client with the executor it is to use and call every
// member from that executor only — from coroutines co_spawn'ed on get_executor(), or from handlers
// running on it; with a multi-threaded io_context pass a strand. The event and welcome handlers
// are called on that executor too, after the mirror has been updated; they may call any member
// (but must not block). Awaitables complete on the awaiting coroutine's executor, which must be
// the same one.
//
// Reconnecting: on a lost connection, a gap in the events, a missing server frame for
// idle_timeout or a retryable close code, the client closes the socket, fails every command still
// waiting for a result with UNAVAILABLE (it may or may not have been applied: check the state),
// waits backoff_schedule::delay(n) and rejoins with resume {epoch, seq} from its mirror. A Welcome
// with a replay extends the mirror; one with a snapshot replaces it. Final close codes
// (unauthenticated, not_found, protocol_error, invalid_payload, message_too_big) and exhausted
// attempts leave the client closed. send() during a reconnect waits for it within its timeout.
class meeting_client {
 public:
  using executor_type = boost::asio::any_io_executor;
  // Called after the mirror applied a batch (at least one new event), with the batch as received.
  using events_handler = std::function<void(const v1::EventBatch& batch, const state_mirror& mirror)>;
  // Called after each accepted Welcome (first join and every rejoin) was applied to the mirror.
  using welcome_handler = std::function<void(const v1::Welcome& welcome, const state_mirror& mirror)>;
  // Called when the status changes; `reason` says why (empty code when nothing went wrong).
  using status_handler = std::function<void(client_status status, const v1::Error& reason)>;

  explicit meeting_client(executor_type executor, meeting_client_config config = {});
  // Closes the socket abruptly; commands waiting for a result complete with UNAVAILABLE once the
  // executor runs them.
  ~meeting_client();
  meeting_client(const meeting_client&) = delete;
  meeting_client& operator=(const meeting_client&) = delete;

  executor_type get_executor() const;
  const meeting_client_config& config() const;

  // Resolves, connects and performs the WebSocket handshake on `config().path`. Remembers host
  // and port for reconnects.
  boost::asio::awaitable<boost::system::error_code> connect(std::string host, std::string port);

  // Sends Join and waits for the Welcome (or the server's Error and close). Resumes with the
  // mirror's {epoch, seq} when the mirror already holds this meeting, else asks for a snapshot.
  // On success the client reads events in the background until close().
  boost::asio::awaitable<join_result> join(std::string meeting_id, std::string token);

  // Sends a command and waits for its result. Never throws for expected outcomes: a rejection is
  // a result with ok=false and the domain's code; no result within the timeout gives
  // {ok=false, UNAVAILABLE, "timed out ..."}; not joined, or connection lost before the result,
  // gives {ok=false, UNAVAILABLE, ...}. The request id is the client's (increasing from 1).
  boost::asio::awaitable<v1::CommandResult> send(v1::Command command);
  boost::asio::awaitable<v1::CommandResult> send(v1::Command command,
                                                 std::chrono::milliseconds timeout);

  // Waits until the mirror's seq reaches `seq` (true) or the timeout passes / the client closes
  // (false).
  boost::asio::awaitable<bool> wait_for_seq(std::uint64_t seq, std::chrono::milliseconds timeout);
  // Waits until the status is `status` (true) or the timeout passes (false).
  boost::asio::awaitable<bool> wait_for_status(client_status status,
                                               std::chrono::milliseconds timeout);

  // Sends a close frame, waits for the server's (bounded by connect_timeout) and stays closed:
  // no reconnect.
  boost::asio::awaitable<void> close();

  // Test hook: closes the TCP socket abruptly, as a network failure would. With auto_reconnect
  // the client then resumes like after any other loss.
  void drop_connection();

  void on_events(events_handler handler);
  void on_welcome(welcome_handler handler);
  void on_status(status_handler handler);

  client_status status() const;
  const state_mirror& mirror() const;
  const v1::Viewer& viewer() const;          // from the last Welcome
  const v1::Error& last_error() const;       // last Error frame or loss reason
  std::uint16_t last_close_code() const;     // of the last connection the server closed, else 0
  client_counters counters() const;

 private:
  std::shared_ptr<detail::meeting_session> session_;
};

}  // namespace majlis::client
