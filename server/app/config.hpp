// majlisd's configuration: one struct with documented defaults, filled in one place
// (command line, MAJLIS_* environment, optional file — see config.cpp), passed down.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "app/replica_config.hpp"
#include "net/net_config.hpp"
#include "store/embedded_event_log.hpp"
#include "store/sqlite_event_log.hpp"

namespace majlis::app {

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
