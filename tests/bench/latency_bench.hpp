// `majlis-bench latency`: how long an event takes from a command on instance A to a client on
// instance B (and, for comparison, to a client on A itself), at a steady command rate.
#pragma once

#include <cstddef>

#include "bench_cluster.hpp"
#include "bench_figures.hpp"

namespace majlis::bench {

struct latency_options {
  std::size_t instances = 2;       // A = the first, B = the second (= A with one instance)
  double rate = 1000;              // commands (= events) per second the producer sends
  double seconds = 10;             // measured time
  double warmup_seconds = 1;       // sent at the same rate before measuring, not counted
  std::size_t max_in_flight = 2000;  // commands awaiting their result; beyond it a send is skipped
  std::size_t roster = 0;          // walk-ins the chair adds first: a bigger state, as in a real meeting
};

// Starts (or connects to) the servers, runs one meeting at the given rate, prints the figures
// and returns them for the JSON line. Throws bench_failure when the run cannot complete.
json_object run_latency(const cluster_options& cluster, const latency_options& options);

}  // namespace majlis::bench
