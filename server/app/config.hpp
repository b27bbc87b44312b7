// majlisd's configuration: one struct with documented defaults, filled in one place
// (command line, MAJLIS_* environment, optional file — see config.cpp), passed down.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "net/net_config.hpp"
#include "store/embedded_event_log.hpp"
#include "store/sqlite_event_log.hpp"

namespace majlis::app {

// Per-meeting runtime settings.
struct replica_config {
  size_t max_batch_commands = 256;     // commands decided together in one append (group commit)
  size_t max_commit_retries = 5;       // conflicting appends before ABORTED
  size_t resume_window_events = 4096;  // events kept in memory for resuming clients
  size_t snapshot_every_events = 500;  // a snapshot is written after this many events
  size_t max_connections_per_meeting = 10000;
  // Live connections of one participant or moderator token in a meeting, across instances
  // (displays and observers are exempt); at most domain::limits::max_roster_connections.
  size_t max_connections_per_participant = 5;
  // A replay larger than this (protobuf bytes) is answered with a snapshot instead, which is
  // encoded once and shared; main() sets it to the send queue's byte limit.
  size_t max_replay_bytes = 8 * 1024 * 1024;
  std::string instance_id;             // filled from the server config
  std::string signing_secret;          // filled from the server config: seals secret ballots
  std::chrono::milliseconds presence_retry{1000};  // retry of presence changes after a store outage
  // At most one PresenceChanged per interval: a join after a quiet interval is flushed at once,
  // later ones are gathered until the interval has passed (a command's commit takes what is
  // waiting at once), so a join storm costs a few events, not one per person.
  std::chrono::milliseconds presence_interval{200};
  // Test hook: drop every Nth batch published by the store (0 = never), to show gap filling.
  size_t drop_published_every = 0;
  // Test hook: the check-in code's rotation period in ms (0 = 30 s; the grace is a third).
  int64_t check_in_rotation_ms = 0;
};

// Where meetings live: the durable embedded store (a SQLite file in the data folder), memory
// (tests; gone with the process), or Redis (several instances).
enum class store_kind { sqlite, memory, redis };

struct server_config {
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 8080;
  std::string public_url;        // base of invite links; default http(s)://<listen>
  bool allowed_origins_given = false;  // --allowed-origins set net.allowed_origins; otherwise
                                       // main() derives them from the public URL
  std::string static_root;       // folder with the web clients; empty = none
  std::string admin_key;         // empty = read from the data folder, or generated (and stored)
  std::string signing_secret;    // HS256 secret for join tokens; empty = read from the data folder,
                                 // or generated (and stored there with the sqlite store)
  std::string instance_id;       // empty = generated; unique per running instance
  std::string log_level = "info";
  int threads = 2;               // io threads
  std::chrono::seconds token_ttl{24 * 3600};  // lifetime of tokens the API issues
  std::string demo_meeting_title;  // non-empty: create this meeting at start and print its links
  net::net_config net;
  replica_config replica;
  store::embedded_log_config embedded_log;
  size_t max_meetings = 1000;
  std::string redis_url;  // empty = the embedded store; redis://[:password@]host:port[/db]
  store_kind store = store_kind::sqlite;  // redis whenever redis_url is set
  std::string data_dir = "data";  // the sqlite store's folder: database, generated secrets, lock
  bool data_dir_given = false;    // given explicitly: it must exist (a typo or an unmounted
                                  // volume must not start an empty meeting server)
  store::sqlite_log_config sqlite_log;  // file and limits filled in by main()
  std::chrono::milliseconds heartbeat_ttl{5000};      // an instance silent this long is dead
  std::chrono::milliseconds heartbeat_interval{1000}; // heartbeat refresh and liveness sweep
  // After this instance could not reach the store, nobody is taken for dead until the store has
  // been reachable again this long: every heartbeat may have expired during the outage, and the
  // other instances need time to reconnect (their backoff) and beat. main() sets it to the
  // heartbeat TTL plus the store's reconnect backoff ceiling.
  std::chrono::milliseconds liveness_grace_after_outage{7000};
};

// Parses argv (and MAJLIS_* environment, and --config FILE). Exits the process on --help or a
// usage error, like any command-line tool.
server_config parse_config(int argc, char** argv);

}  // namespace majlis::app
