// One meeting as this instance sees it: a replica of the state folded from the event log, the
// connections joined to it, and the pipeline that decides commands and commits their events.
// The decisions live in replica_core (sans-I/O); this is the strand shell that feeds it inputs
// (with the clock) and runs its actions: appends and reads, timers, fan-out, closes.
// Everything here runs on the replica's strand; the public members post onto it.
#pragma once

#include <array>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "app/app_metrics.hpp"
#include "app/config.hpp"
#include "app/replica_core.hpp"
#include "app/snapshot_cache.hpp"
#include "domain/decider.hpp"
#include "domain/projection.hpp"
#include "majlis/v1/wire.pb.h"
#include "net/connection.hpp"
#include "store/event_log.hpp"

namespace majlis::app {

// The instance that holds a connection, from the connection id.
std::string instance_of_connection(std::string_view connection_id);

// A connection that has joined a meeting, and who it is.
struct member {
  std::shared_ptr<net::connection> connection;
  v1::Viewer viewer;
  domain::audience audience = domain::audience::public_view;
  // The connection's wire format and I/O thread, copied here when it joins (the Join fixed the
  // one, the other never changes): a fan-out reads them for every receiver on the meeting's
  // thread, and the connection object lives in the cache of the I/O thread that writes it.
  net::wire_format format = net::wire_format::binary;
  boost::asio::io_context* io_thread = nullptr;
};

class meeting_replica : public std::enable_shared_from_this<meeting_replica> {
 public:
  meeting_replica(boost::asio::any_io_executor executor, std::string meeting_id,
                  store::event_log& log, const replica_config& config, app_metrics& metrics);
  ~meeting_replica();

  // Reads the latest snapshot and the events after it, and subscribes to new batches.
  // False when the meeting does not exist.
  boost::asio::awaitable<bool> load();

  // Sends Welcome (snapshot, or exactly the missed events on resume), then every later batch;
  // records the connection in the roster.
  void join(std::shared_ptr<member> joiner, std::optional<v1::Resume> resume);
  void leave(std::string connection_id);
  // Decides and commits a client command; the Result goes back to the member.
  void submit(std::shared_ptr<member> sender, uint64_t request_id, v1::Command command);

  // What a system command proposed by the HTTP API came to: its committed events (with
  // seq), or why it was refused or not committed.
  using system_outcome = replica_core::system_outcome;
  // Decides a system command (no actor, no role) through the commit pipeline and waits for
  // its outcome; used by POST /register.
  boost::asio::awaitable<system_outcome> decide_system(v1::Command command);

  // A copy of the full state, taken on the strand (HTTP summary, registration checks).
  boost::asio::awaitable<v1::MeetingState> state_copy();
  // The meeting's stakeholder groups, taken on the strand (token and registration checks).
  boost::asio::awaitable<std::vector<std::string>> stakeholder_groups();
  // Closes every member with going_away (shutdown).
  void close_all();

  // Liveness: the instances that hold connections in this meeting's roster; and making the
  // roster true again: closing the connections of instances found dead (a survivor appends
  // their "left"), and our own stale ones, and re-opening ours that another instance closed.
  boost::asio::awaitable<std::vector<std::string>> connection_instances();
  // For a drain: the presence waiting is written now, without waiting for its interval; true once
  // nothing is on its way to the log (no batch committing, no change queued, no presence
  // waiting), so the leaves are written before the process exits.
  boost::asio::awaitable<bool> settle();
  void reconcile_connections(std::vector<std::string> dead_instances);

  const std::string& meeting_id() const { return meeting_id_; }

 private:
  // A system command someone awaits (decide_system): filled in, then its timer cancelled.
  struct waiter {
    explicit waiter(boost::asio::strand<boost::asio::any_io_executor>& strand) : done(strand) {}
    boost::asio::steady_timer done;
    std::optional<system_outcome> outcome;
  };

  // Runs what the core decided since the last input, in order.
  void run_actions();
  void run(replica_core::action& action);
  void do_join(std::shared_ptr<member> joiner, std::optional<v1::Resume> resume);
  // Sends `head` (a Welcome without start) with the snapshot for the joiner's audience, shared
  // with the other joiners at this seq unless it holds the joiner's own choices. False when it
  // could not be encoded (the joiner is closed).
  bool send_snapshot_welcome(const member& joiner, const v1::Welcome& head);
  void do_leave(const std::string& connection_id);
  boost::asio::awaitable<void> do_commit();

  void on_published(uint64_t epoch, store::event_batch batch);
  void on_log_change(store::log_change change, uint64_t epoch, uint64_t head_seq);
  void start_catch_up();
  // The log started over (a new epoch) or vanished: rebuild from it and make every member
  // rejoin, which gives them a fresh snapshot.
  boost::asio::awaitable<void> do_reload();
  // The log's head fell behind what we applied in the same epoch (lost writes, a restored
  // backup): start a new epoch in the store, then reload.
  void on_regression(uint64_t head_seq);
  boost::asio::awaitable<void> do_regression(uint64_t seen_seq);
  void check_claimed_seq(uint64_t claimed_seq);
  // After a restart: the events before the snapshot, so resuming clients get a replay.
  boost::asio::awaitable<void> load_resume_window();
  // Applies events through the core and runs what follows (fan-out, closes, timers).
  void apply(const std::vector<v1::Event>& events);
  boost::asio::awaitable<void> do_catch_up();
  void broadcast(const std::vector<const v1::Event*>& events);
  // Closes this instance's connections of a participant who is removed (4003) or in the lobby
  // (4010).
  void close_kept_out(const std::string& participant_id, v1::AdmissionStatus admission);
  // Closes `connection` with 4010 (lobby) or 4003 (removed); false for anyone admitted.
  static bool close_if_kept_out(net::connection& connection, v1::AdmissionStatus admission);
  void send_result(const std::shared_ptr<member>& to, uint64_t request_id,
                   const domain::rejection* error, uint64_t seq);
  void schedule_deadline(int64_t deadline_ms);
  void schedule_presence(std::chrono::steady_clock::time_point at);
  boost::asio::awaitable<void> do_snapshot();
  // Participants and moderators are held to max_connections_per_participant.
  static bool limits_connections(v1::Role role);
  // Connections `participant_id` holds in this meeting: joined here, or on another instance
  // as the roster says.
  size_t live_connections_of(const std::string& participant_id) const;

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  std::string meeting_id_;
  store::event_log& log_;
  const replica_config& config_;
  app_metrics& metrics_;
  replica_core core_;  // state, resume window, group commit, presence, deadlines

  std::unordered_map<std::string, std::shared_ptr<member>> members_;
  std::unordered_map<std::string, size_t> local_connections_;  // members_ per participant id
  std::array<std::vector<std::shared_ptr<member>>, domain::audience_count> audiences_;
  std::unordered_map<uint64_t, std::shared_ptr<waiter>> waiters_;  // by ticket
  uint64_t next_ticket_ = 1;
  bool catching_up_ = false;
  bool reloading_ = false;
  bool checking_head_ = false;  // a start_new_epoch() round trip is under way
  uint64_t published_batches_ = 0;  // for the test hook replica_config::drop_published_every
  boost::asio::steady_timer deadline_timer_;
  boost::asio::steady_timer presence_timer_;
  std::chrono::steady_clock::time_point next_claim_check_{};
  snapshot_cache snapshots_;  // Welcome snapshots at the current seq, shared by joiners
};

}  // namespace majlis::app
