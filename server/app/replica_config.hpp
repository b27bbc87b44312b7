// The per-meeting runtime settings, apart from the server's configuration so that the sans-I/O
// replica core can include them without the stores (and Asio) behind config.hpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace majlis::app {

// Per-meeting runtime settings.
struct replica_config {
  size_t max_batch_commands = 256;     // commands decided together in one append (group commit)
  size_t max_commit_retries = 5;       // conflicting appends before ABORTED
  size_t resume_window_events = 4096;  // events kept in memory for resuming clients
  size_t snapshot_every_events = 500;  // a snapshot is written after this many events
  size_t max_connections_per_meeting = 10000;
  // Live connections of one participant or moderator token in a meeting, across instances
  // (displays and observers are exempt); at most domain::limits::max_roster_connections.
  size_t max_connections_per_participant = 5;
  // A replay larger than this (protobuf bytes) is answered with a snapshot instead, which is
  // encoded once and shared; main() sets it to the send queue's byte limit.
  size_t max_replay_bytes = 8 * 1024 * 1024;
  std::string instance_id;             // filled from the server config
  std::string signing_secret;          // filled from the server config: seals secret ballots
  std::chrono::milliseconds presence_retry{1000};  // retry of presence changes after a store outage
  // At most one PresenceChanged per interval: a join after a quiet interval is flushed at once,
  // later ones are gathered until the interval has passed (a command's commit takes what is
  // waiting at once), so a join storm costs a few events, not one per person.
  std::chrono::milliseconds presence_interval{200};
  // A PresenceChanged goes to every connection, so the interval grows with the audience: one
  // presence_interval more per this many of the meeting's connections (this instance's, and the
  // audience the other instances count), at most max_presence_interval_factor intervals and
  // never stretched beyond max_stretched_presence_interval (2 s by default, from 9,000
  // connections on). Presence then costs at most about 1,000 / presence_interval × this many
  // deliveries per second, however many join at once.
  size_t presence_connections_per_interval = 1000;
  size_t max_presence_interval_factor = 10;
  std::chrono::milliseconds max_stretched_presence_interval{2000};
  // Test hook: drop every Nth batch published by the store (0 = never), to show gap filling.
  size_t drop_published_every = 0;
  // Test hook: the check-in code's rotation period in ms (0 = 30 s; the grace is a third).
  int64_t check_in_rotation_ms = 0;
};

}  // namespace majlis::app
