// The embedded store: every meeting's log in this process's memory. Appends never conflict
// across processes because there is only one; the interface stays the same as Redis's.
#pragma once

#include <map>
#include <mutex>

#include "store/event_log.hpp"

namespace majlis::store {

struct embedded_log_config {
  size_t retention_events = 10000;  // events kept behind the latest snapshot for client resume
  size_t max_meetings = 1000;
  size_t max_batch_events = 1000;
};

class embedded_event_log final : public event_log {
 public:
  explicit embedded_event_log(embedded_log_config config = {});

  boost::asio::awaitable<append_result> create(const std::string& meeting_id,
                                               v1::Event first) override;
  boost::asio::awaitable<append_result> append(const std::string& meeting_id,
                                               uint64_t expected_seq,
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
  boost::asio::awaitable<std::optional<std::vector<std::string>>> meeting_ids() override;
  void subscribe(const std::string& meeting_id, batch_handler handler) override;
  void unsubscribe(const std::string& meeting_id) override;
  bool ready() const override { return true; }

  // Sync cores of the awaitable calls, for tests and for the awaitables themselves.
  append_result append_now(const std::string& meeting_id, uint64_t expected_seq,
                           std::vector<v1::Event> events);
  read_result read_now(const std::string& meeting_id, uint64_t after_seq, size_t max_events) const;

 private:
  struct meeting_log {
    std::vector<v1::Event> events;  // events[0] has seq first_seq
    uint64_t first_seq = 1;
    uint64_t head_seq = 0;
    std::optional<v1::MeetingState> snapshot;
    uint64_t epoch = 0;
    batch_handler subscriber;
  };

  embedded_log_config config_;
  uint64_t epoch_;  // of every meeting created by this process, until start_new_epoch()
  // Meetings are reached from several strands; the lock covers only map and vector edits,
  // never a subscriber call.
  mutable std::mutex mutex_;
  std::map<std::string, meeting_log, std::less<>> meetings_;
};

}  // namespace majlis::store
