// Counters of the meeting runtime, rendered on /metrics beside the transport's.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace majlis::app {

struct app_metrics {
  std::atomic<uint64_t> meetings_created{0};
  std::atomic<uint64_t> meetings_loaded{0};
  std::atomic<uint64_t> joins{0};
  std::atomic<uint64_t> joins_rejected{0};
  std::atomic<uint64_t> joins_refused_per_participant{0};  // close 4029: participant's limit
  std::atomic<uint64_t> commands{0};
  std::atomic<uint64_t> commands_rejected{0};
  std::atomic<uint64_t> appends{0};
  std::atomic<uint64_t> append_conflicts{0};
  std::atomic<uint64_t> append_failures{0};
  std::atomic<uint64_t> events_applied{0};
  std::atomic<uint64_t> gaps_filled{0};
  std::atomic<uint64_t> log_regressions{0};
  std::atomic<uint64_t> fanout_batches{0};
  std::atomic<uint64_t> deliveries{0};
  std::atomic<uint64_t> snapshots_written{0};
  std::atomic<uint64_t> snapshots_encoded{0};     // Welcome snapshots encoded (shared or own)
  std::atomic<uint64_t> snapshot_cache_hits{0};   // Welcomes that reused an encoded snapshot
  std::atomic<uint64_t> replays_as_snapshot{0};   // resumes answered with a snapshot: replay too large
  std::atomic<uint64_t> sealed_ballots_unopened{0};  // secret ballots not counted: seal did not open
  std::atomic<int64_t> members{0};

  // Prometheus text exposition of these counters.
  std::string render() const;
};

}  // namespace majlis::app
