// `majlis-bench joins`: a join storm — thousands of light clients, every WebSocket open first,
// then every Join sent at once to one meeting: how long until the last Welcome, and how much CPU
// majlisd spends on it (/proc/PID/stat) and on the presence events that follow. A roster holds
// at most 5,000 people (domain limits), so beyond that clients are more devices of the same people;
// with --distinct every client is an observer of their own (counted, not on the roster).
#pragma once

#include <cstddef>
#include <vector>

#include "bench_cluster.hpp"
#include "bench_figures.hpp"

namespace majlis::bench {

struct joins_options {
  std::vector<std::size_t> client_counts = {5000, 10000};  // one storm each, on a fresh majlisd
  store_kind store = store_kind::memory;
  std::size_t people = 5000;            // distinct participants at most; client i is person i mod people
  // Every client a distinct person with an observer token of their own (people is ignored):
  // the audience of a consultation opening the link at 10:00 sharp.
  bool distinct = false;
  std::size_t runs = 1;                 // storms per client count; medians are reported
  std::size_t connect_parallel = 64;    // connections opened at a time before the storm
  std::size_t token_parallel = 32;      // token requests at a time
};

// Raises this process's open-file limit (majlisd inherits it) for `connections` sockets; throws
// bench_failure when the hard limit cannot be raised that far.
void raise_open_file_limit(std::size_t connections);

// Runs every storm, prints per-run figures and medians, and returns them for the JSON line.
json_object run_joins(const cluster_options& cluster, const joins_options& options);

}  // namespace majlis::bench
