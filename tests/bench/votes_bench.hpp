// `majlis-bench votes`: a vote burst — every voter casts in the same instant — on each store
// (SQLite with --sync full and normal, memory: one instance each) and on Redis with the voters
// spread over 1, 2 or 3 instances: how long until every voter has its result and until the chair
// sees the full turnout, and votes per second, compared with the in-memory store.
#pragma once

#include <cstddef>
#include <vector>

#include "bench_cluster.hpp"
#include "bench_figures.hpp"

namespace majlis::bench {

struct votes_options {
  // One configuration per store, fresh servers each; Redis once per instance count.
  std::vector<store_kind> stores = {store_kind::sqlite_full, store_kind::sqlite_normal, store_kind::memory,
                                    store_kind::redis};
  std::vector<std::size_t> instance_counts = {1, 2, 3};  // for Redis
  std::size_t voters = 300;        // round-robin over the instances
  std::size_t rounds = 5;          // measured rounds (a new poll each); medians are reported
  std::size_t warmup_rounds = 1;   // rounds run first and not counted
  bool secret = false;             // secret poll (results after close) instead of named, live
  std::size_t passes = 1;          // times through the whole list, interleaved; rounds are pooled
  std::size_t max_attempts = 4;    // per voter and round: ABORTED / UNAVAILABLE are retried
};

// Runs every configuration, prints per-round figures and a summary with ratios against one
// instance, and returns the figures for the JSON line.
json_object run_votes(const cluster_options& cluster, const votes_options& options);

}  // namespace majlis::bench
