// The Redis store (DESIGN §5): every meeting's log in Redis, shared by any number of majlisd
// instances. Per meeting, under the hash tag {m:<id>} (one Redis Cluster slot per meeting):
//   {m:<id>}:log     stream; entry ID "<seq>-0", field "e" = a serialized v1::Event
//   {m:<id>}:head    the seq of the last event (decimal)
//   {m:<id>}:epoch   the log's epoch (decimal); a new one whenever the log starts over
//   {m:<id>}:snap    hash {seq, state = a serialized v1::MeetingState}, the latest snapshot
//   {m:<id>}:events  pub/sub channel: "<epoch>\n" + a serialized v1::EventBatch per append
// and majlis:meetings, a set of every meeting id created (for the HTTP API).
// One Lua script checks the expected seq, appends the batch and publishes it, atomically.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "redis/config.hpp"
#include "redis/redis_connection.hpp"
#include "store/event_log.hpp"

namespace majlis::store {

struct redis_log_config {
  // URL, timeouts, reconnects and bounds of the command connection; the pub/sub connection
  // uses the same settings.
  redis::config redis;
  size_t retention_events = 10000;   // events kept behind the latest snapshot for client resume
  size_t max_batch_events = 1000;    // a larger append is refused with too_large
  size_t max_batch_bytes = 1 << 20;  // serialized; a larger append is refused with too_large
  size_t max_read_events = 1000;     // read() returns at most this many, whatever it is asked
  // Every subscribed meeting's head is read this often and reported (log_change::head_seen),
  // which catches a published batch that never arrived. Zero: only on (re)subscription.
  std::chrono::milliseconds head_check_interval{1000};
  std::string registry_key = "majlis:meetings";
  std::string instances_key = "majlis:instances";            // set of instance ids seen
  std::string instance_key_prefix = "majlis:instance:";      // + id: heartbeat key with a TTL
};

class redis_event_log final : public event_log {
 public:
  redis_event_log(boost::asio::any_io_executor executor, redis_log_config config);
  ~redis_event_log() override;
  redis_event_log(const redis_event_log&) = delete;
  redis_event_log& operator=(const redis_event_log&) = delete;

  // Connects (and keeps reconnecting) the command and pub/sub connections.
  void start();
  void stop();

  boost::asio::awaitable<append_result> create(const std::string& meeting_id,
                                               v1::Event first) override;
  boost::asio::awaitable<append_result> append(const std::string& meeting_id, uint64_t expected_seq,
                                               std::vector<v1::Event> events) override;
  boost::asio::awaitable<read_result> read(const std::string& meeting_id, uint64_t after_seq,
                                           size_t max_events) override;
  boost::asio::awaitable<snapshot_result> load_snapshot(const std::string& meeting_id) override;
  boost::asio::awaitable<void> save_snapshot(const std::string& meeting_id,
                                             v1::MeetingState state) override;
  boost::asio::awaitable<append_result> start_new_epoch(const std::string& meeting_id,
                                                        uint64_t seen_epoch,
                                                        uint64_t replica_seq) override;
  boost::asio::awaitable<bool> exists(const std::string& meeting_id) override;
  void subscribe(const std::string& meeting_id, batch_handler handler) override;
  void unsubscribe(const std::string& meeting_id) override;
  void watch(const std::string& meeting_id, change_handler handler) override;
  bool shared() const override { return true; }
  // The command connection is up: appends and reads are possible.
  bool ready() const override;
  // Heartbeats: key majlis:instance:<id> with a TTL, and the set majlis:instances.
  boost::asio::awaitable<bool> refresh_heartbeat(const std::string& instance_id,
                                                 std::chrono::milliseconds ttl) override;
  boost::asio::awaitable<std::optional<std::vector<std::string>>> live_instances() override;

  // Every meeting id created in this Redis; nullopt while Redis cannot be reached.
  boost::asio::awaitable<std::optional<std::vector<std::string>>> meeting_ids() override;

  // The command connection, for other users of the same Redis (instance heartbeats).
  redis::redis_connection& connection();

 private:
  class impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace majlis::store
