// `majlis-bench votes`: a vote burst — every voter casts in the same instant — with the voters
// spread over 1, 2 or 3 instances: how long until every voter has its result and until the chair
// sees the full turnout, and votes per second, compared across instance counts.
#pragma once

#include <cstddef>
#include <vector>

#include "bench_cluster.hpp"
#include "bench_figures.hpp"

namespace majlis::bench {

struct votes_options {
  std::vector<std::size_t> instance_counts = {1, 2, 3};  // one configuration each, fresh servers
  std::size_t voters = 300;        // round-robin over the instances
  std::size_t rounds = 5;          // measured rounds (a new poll each); medians are reported
  std::size_t warmup_rounds = 1;   // rounds run first and not counted
  bool secret = false;             // secret poll (results after close) instead of named, live
  bool with_embedded = false;      // also one instance on the embedded store, as a reference
  std::size_t max_attempts = 4;    // per voter and round: ABORTED / UNAVAILABLE are retried
};

// Runs every configuration, prints per-round figures and a summary with ratios against one
// instance, and returns the figures for the JSON line.
json_object run_votes(const cluster_options& cluster, const votes_options& options);

}  // namespace majlis::bench
