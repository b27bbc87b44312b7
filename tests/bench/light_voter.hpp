// A voter for the load generator that keeps no mirror of the meeting: it joins, sends commands
// and reads every frame the server sends, but decodes only Results (and an Error). A burst of
// hundreds of full clients in one process spends its time in their mirrors (each applies every
// ballot: O(voters²) per poll), so the figure would measure the load generator; with light voters
// the server still does all of its work — fan-out to every connection included.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "majlis/client/server_url.hpp"
#include "majlis/v1/wire.pb.h"

namespace majlis::bench {

class light_voter : public std::enable_shared_from_this<light_voter> {
 public:
  explicit light_voter(boost::asio::any_io_executor executor);
  ~light_voter();
  light_voter(const light_voter&) = delete;
  light_voter& operator=(const light_voter&) = delete;

  // Connects, joins and starts reading; throws bench_failure with the reason when it cannot.
  boost::asio::awaitable<void> join(const client::server_url& where, std::string meeting_id,
                                    std::string token, std::chrono::milliseconds timeout);

  // The two halves of join(), for a join storm that opens every connection first: the TCP
  // connect and WebSocket upgrade, then Join → Welcome (not decoded) and reading starts.
  boost::asio::awaitable<void> connect(const client::server_url& where, std::chrono::milliseconds timeout);
  boost::asio::awaitable<void> send_join(std::string meeting_id, std::string token,
                                         std::chrono::milliseconds timeout);
  // Bytes of the Welcome frame (0 before it came).
  std::size_t welcome_bytes() const { return welcome_bytes_; }

  // Sends a command and waits for its result; {ok=false, UNAVAILABLE} on timeout or a lost
  // connection. One send (or ping) at a time per voter: the caller never overlaps them.
  boost::asio::awaitable<v1::CommandResult> send(v1::Command command, std::chrono::milliseconds timeout);

  // Sends an application Ping when nothing was sent for `quiet`, so the server's idle timeout
  // (which counts client messages) does not close a voter between rounds.
  boost::asio::awaitable<void> keep_alive(std::chrono::milliseconds quiet);

  // Closes the socket at once (no close handshake). The read loop keeps the voter alive until
  // it ends, so the owner calls this when done, from the executor's thread or with it stopped.
  void close();

  // From now on, notes when the first events batch holding a MeetingUpdated arrives (the event
  // a storm bench sends after the storm, to see how long it waits behind what came before).
  void watch_for_meeting_updated() { watching_ = true; }
  bool saw_meeting_updated() const { return seen_at_.has_value(); }
  std::chrono::steady_clock::time_point meeting_updated_at() const { return seen_at_.value_or(std::chrono::steady_clock::time_point{}); }

  bool open() const { return open_; }
  std::uint64_t frames_read() const { return frames_read_; }
  const std::string& last_error() const { return last_error_; }

 private:
  struct pending_call;
  struct link;

  boost::asio::awaitable<void> read_loop(std::shared_ptr<light_voter> self);
  boost::asio::awaitable<bool> write(std::string payload);
  void fail_all(const std::string& why);

  boost::asio::any_io_executor executor_;
  std::unique_ptr<link> link_;
  bool open_ = false;
  std::uint64_t next_request_id_ = 1;
  std::map<std::uint64_t, pending_call*> pending_;
  std::uint64_t frames_read_ = 0;
  std::size_t welcome_bytes_ = 0;
  std::string last_error_;
  std::chrono::steady_clock::time_point last_write_;
  bool watching_ = false;
  std::optional<std::chrono::steady_clock::time_point> seen_at_;
};

}  // namespace majlis::bench
