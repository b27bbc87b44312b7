// `majlis-bench restart`: how long a majlisd on SQLite takes to come back with a meeting of many
// events — from process start to its listening line and to the first Welcome for a client joining
// that meeting — after a clean stop (SIGTERM) and after a kill (SIGKILL: WAL recovery).
#pragma once

#include <cstddef>
#include <vector>

#include "bench_cluster.hpp"
#include "bench_figures.hpp"

namespace majlis::bench {

enum class stop_kind { term, kill };

struct restart_options {
  std::size_t events = 10000;  // the meeting's seq before the stop (set-up events included)
  std::vector<store_kind> stores = {store_kind::sqlite_full, store_kind::sqlite_normal};  // SQLite only
  std::vector<stop_kind> stops = {stop_kind::term, stop_kind::kill};
  std::size_t runs = 3;            // per store and stop, each on a fresh data folder; medians reported
  std::size_t fill_clients = 4;    // clients renaming themselves to fill the meeting
  std::size_t fill_in_flight = 64; // commands awaiting their result, per client
};

// "term" / "kill"; parsing throws std::invalid_argument on anything else.
std::vector<stop_kind> parse_stops(const std::vector<std::string>& names);

json_object run_restart(const cluster_options& cluster, const restart_options& options);

}  // namespace majlis::bench
