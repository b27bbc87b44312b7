#include "app/app_metrics.hpp"

#include <sstream>

namespace majlis::app {

std::string app_metrics::render() const {
  std::ostringstream out;
  auto counter = [&](const char* name, const char* help, uint64_t value) {
    out << "# HELP majlis_" << name << ' ' << help << "\n# TYPE majlis_" << name
        << " counter\nmajlis_" << name << ' ' << value << '\n';
  };
  counter("meetings_created_total", "Meetings created through the API.", meetings_created);
  counter("meetings_loaded_total", "Meeting replicas loaded from the store.", meetings_loaded);
  counter("joins_total", "Accepted Join messages.", joins);
  counter("joins_rejected_total", "Refused Join messages (token, meeting, limits).", joins_rejected);
  counter("joins_refused_per_participant_total",
          "Joins refused with 4029: the participant held max_connections_per_participant.",
          joins_refused_per_participant);
  counter("commands_total", "Commands received from clients.", commands);
  counter("commands_rejected_total", "Commands the domain or the store refused.", commands_rejected);
  counter("appends_total", "Batches appended to the event log.", appends);
  counter("append_conflicts_total", "Appends that lost an optimistic-concurrency race.", append_conflicts);
  counter("append_failures_total", "Appends that failed (store unavailable, limits).", append_failures);
  counter("events_applied_total", "Events applied to replicas.", events_applied);
  counter("gaps_filled_total", "Gaps in the event stream filled from the log.", gaps_filled);
  counter("log_regressions_total",
          "Times the log's head was found behind events already applied (a new epoch followed).",
          log_regressions);
  counter("fanout_batches_total", "Event batches encoded per audience.", fanout_batches);
  counter("deliveries_total", "Frames handed to connections.", deliveries);
  counter("snapshots_written_total", "Snapshots written to the store.", snapshots_written);
  counter("snapshots_encoded_total", "Welcome snapshots projected and encoded.", snapshots_encoded);
  counter("snapshot_cache_hits_total", "Welcomes that shared an already encoded snapshot.",
          snapshot_cache_hits);
  counter("replays_as_snapshot_total",
          "Resumes answered with a snapshot because the replay exceeded the send queue's byte limit.",
          replays_as_snapshot);
  counter("sealed_ballots_unopened_total",
          "Sealed secret ballots that could not be opened (another signing secret, altered bytes) "
          "and were not counted.",
          sealed_ballots_unopened);
  out << "# HELP majlis_members Joined connections.\n# TYPE majlis_members gauge\nmajlis_members "
      << members << '\n';
  return out.str();
}

}  // namespace majlis::app
