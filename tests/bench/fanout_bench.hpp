// majlis-bench fanout: one event delivered to thousands of connections, majlisd against peers on
// the same machine in one run (issue 7). For each server in turn it starts the server on
// loopback, opens N receivers (the join storm), measures RSS per idle joined connection, then
// sends E events at R/s from one sender connection and measures per event the time until the
// last receiver holds it, and the servers' CPU per delivery over the whole run.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "bench_figures.hpp"

namespace majlis::bench {

struct fanout_size {
  std::size_t clients = 5000;
  std::size_t events = 100;
  double rate = 10;  // events per second
};

// The servers, by the names --servers takes.
inline const std::vector<std::string>& fanout_server_names() {
  static const std::vector<std::string> names = {"majlisd",       "majlisd-distinct", "beast",
                                                 "ws",            "socketio",         "raw",
                                                 "raw-uring",     "majlisd-redis",    "socketio-redis"};
  return names;
}

struct fanout_options {
  std::vector<fanout_size> sizes = {fanout_size{}};
  std::vector<std::string> servers = fanout_server_names();
  std::string json_file;           // empty = none
  bool require_all = false;        // fail unless every receiver joined and got every event
  std::size_t payload_bytes = 96;  // event text (majlisd: the meeting's new title)
  int majlisd_threads = 2;
  std::string peers_dir;           // tests/bench/peers (package.json, lock file, the .mjs servers)
  std::size_t connect_parallel = 128;
};

// Runs every size × server; prints the table; writes the JSON file when asked. Throws on set-up
// failures; with require_all also when a server lost a receiver or an event.
json_object run_fanout(const fanout_options& options);

}  // namespace majlis::bench
