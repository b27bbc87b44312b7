// The event log behind one interface (DESIGN §5): the embedded in-memory log and the Redis log
// implement it, and nothing above the store knows which one runs.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "majlis/v1/events.pb.h"
#include "majlis/v1/state.pb.h"

namespace majlis::store {

// Committed events of one meeting, in seq order, shared by every reader.
using event_batch = std::shared_ptr<const std::vector<v1::Event>>;

enum class append_status {
  ok,           // appended; events got seqs expected_seq+1 .. head_seq
  conflict,     // someone appended first: head_seq is the log's head; catch up and decide again
  not_found,    // no such meeting
  exists,       // create(): the meeting exists already
  unavailable,  // the store cannot be reached
  too_large,    // the log refused the batch (size limit)
};

struct append_result {
  append_status status = append_status::unavailable;
  uint64_t head_seq = 0;  // the log's head after the call
  uint64_t epoch = 0;
};

enum class read_status {
  ok,
  trimmed,      // events after `after_seq` are partly gone: load the snapshot instead
  not_found,
  unavailable,
};

struct read_result {
  read_status status = read_status::unavailable;
  std::vector<v1::Event> events;  // seq > after_seq, ascending, at most `max_events`
  uint64_t head_seq = 0;
  uint64_t epoch = 0;
};

struct snapshot_result {
  read_status status = read_status::unavailable;
  std::optional<v1::MeetingState> state;  // latest snapshot, if any was written
  uint64_t head_seq = 0;
  uint64_t epoch = 0;
};

// Called with every batch committed to a meeting the instance subscribed to, in commit order,
// possibly on another thread: the receiver posts it to its own strand. A batch may repeat
// events the receiver has (ignore them) or follow a gap (fill it with read()).
using batch_handler = std::function<void(const std::string& meeting_id, uint64_t epoch, event_batch)>;

// News about a subscribed meeting's log other than a batch. Only a log shared through a network
// (Redis) has any; the embedded log never loses a batch and never changes its epoch.
enum class log_change {
  // The log's head is `head_seq` (`epoch` as usual). Reported when a subscription is confirmed
  // (again, after a reconnect), when the store reconnects, and periodically: batches published
  // while nobody listened are never delivered, so a head past yours means catch up with read().
  head_seen,
  // The log was lost or replaced: `epoch` is the new one, or 0 when the meeting is gone from
  // the store. Reload from load_snapshot(); clients need a fresh snapshot.
  epoch_changed,
};

// Called like batch_handler: possibly on another thread, the receiver posts to its own strand.
using change_handler = std::function<void(const std::string& meeting_id, log_change change,
                                          uint64_t epoch, uint64_t head_seq)>;

class event_log {
 public:
  virtual ~event_log() = default;

  // Starts a meeting's log with its first event (seq 1).
  virtual boost::asio::awaitable<append_result> create(const std::string& meeting_id,
                                                       v1::Event first) = 0;

  // Appends if the log's head is still `expected_seq` (optimistic concurrency); the events get
  // consecutive seqs and are published to every subscriber of the meeting.
  virtual boost::asio::awaitable<append_result> append(const std::string& meeting_id,
                                                       uint64_t expected_seq,
                                                       std::vector<v1::Event> events) = 0;

  // Events with seq > after_seq, ascending, at most max_events.
  virtual boost::asio::awaitable<read_result> read(const std::string& meeting_id,
                                                   uint64_t after_seq, size_t max_events) = 0;

  virtual boost::asio::awaitable<snapshot_result> load_snapshot(const std::string& meeting_id) = 0;

  // Stores state (as of state.seq()) and lets the log trim events older than the resume window.
  virtual boost::asio::awaitable<void> save_snapshot(const std::string& meeting_id,
                                                     v1::MeetingState state) = 0;

  virtual boost::asio::awaitable<bool> exists(const std::string& meeting_id) = 0;

  // Every meeting id this store holds (GET /api/meetings); nullopt while it cannot be read.
  virtual boost::asio::awaitable<std::optional<std::vector<std::string>>> meeting_ids() = 0;

  // Log regression (DESIGN §5): the log's head is behind what a replica applied in the same
  // epoch (a store that lost its last writes, a file restored from an older backup). Starts a
  // new epoch when the log's epoch is still `seen_epoch` and its head is below `replica_seq`,
  // atomically: of several replicas that notice, one wins and the others find its epoch.
  // Returns the epoch in force afterwards and the head (`ok`), or not_found / unavailable.
  // Events already in the log stay; the new epoch only tells every reader that the history it
  // saw after the head is void, so no two histories ever share an epoch.
  virtual boost::asio::awaitable<append_result> start_new_epoch(const std::string& meeting_id,
                                                                uint64_t seen_epoch,
                                                                uint64_t replica_seq) = 0;

  // Receives the meeting's committed batches until unsubscribe().
  virtual void subscribe(const std::string& meeting_id, batch_handler handler) = 0;
  virtual void unsubscribe(const std::string& meeting_id) = 0;
  // Also reports log_change news for a subscribed meeting, until unsubscribe(). Call it after
  // subscribe(). The default ignores it: a log that cannot lose anything has no news.
  virtual void watch(const std::string& /*meeting_id*/, change_handler /*handler*/) {}

  // True when other instances append to the same logs (Redis): a replica may then be behind the
  // log without knowing it yet.
  virtual bool shared() const { return false; }

  // True while the store is reachable (readiness).
  virtual bool ready() const = 0;

  // Liveness (DESIGN §5): refreshes this instance's heartbeat for `ttl`. False when the store
  // cannot be reached.
  virtual boost::asio::awaitable<bool> refresh_heartbeat(const std::string& instance_id,
                                                         std::chrono::milliseconds ttl) {
    (void)instance_id;
    (void)ttl;
    co_return true;
  }

  // The instances whose heartbeat is alive. nullopt when the store cannot say right now, or
  // when every connection in the log belongs to this process (the embedded log).
  virtual boost::asio::awaitable<std::optional<std::vector<std::string>>> live_instances() {
    co_return std::nullopt;
  }
};

}  // namespace majlis::store
