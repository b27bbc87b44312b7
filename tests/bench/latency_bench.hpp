// `majlis-bench latency`: how long an event takes from a command on instance A to a client on
// instance B (and, for comparison, to a client on A itself), at a steady command rate — on each
// store in turn (Redis with several instances; memory and SQLite with one), side by side.
#pragma once

#include <cstddef>
#include <vector>

#include "bench_cluster.hpp"
#include "bench_figures.hpp"

namespace majlis::bench {

struct latency_options {
  // One run per store, fresh servers each.
  std::vector<store_kind> stores = {store_kind::sqlite_full, store_kind::sqlite_normal, store_kind::memory,
                                    store_kind::redis};
  std::size_t instances = 2;       // on Redis: A = the first, B = the second (= A with one instance)
  double rate = 1000;              // commands (= events) per second the producer sends
  double seconds = 10;             // measured time
  double warmup_seconds = 1;       // sent at the same rate before measuring, not counted
  std::size_t max_in_flight = 2000;  // commands awaiting their result; beyond it a send is skipped
  std::size_t roster = 0;          // walk-ins the chair adds first: a bigger state, as in a real meeting
};

// For each store: starts (or connects to) the servers, runs one meeting at the given rate and
// prints the figures; then one table with ratios against the in-memory store. Returns the
// figures for the JSON line. Throws bench_failure when a run cannot complete.
json_object run_latency(const cluster_options& cluster, const latency_options& options);

}  // namespace majlis::bench
