// The durable embedded store (DESIGN §5): every meeting's log in one SQLite file in WAL mode,
// for a single majlisd. Tables:
//   meetings(id PRIMARY KEY, epoch, head_seq)   one row per meeting created
//   events(meeting_id, seq, body)               body = a serialized v1::Event; never trimmed, so
//                                               the file is the meeting's whole audit trail
//   snapshots(meeting_id PRIMARY KEY, seq, state)  the newest v1::MeetingState of a meeting
// PRAGMA application_id marks the file as Majlis's, PRAGMA user_version is the schema's version.
// One thread owns the connection: each call runs there, in one transaction per append, and
// resumes the caller on its own executor, so no I/O thread ever waits for an fsync.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/event_log.hpp"

namespace majlis::store {

enum class sync_mode {
  full,    // fsync on every commit: a command acknowledged is on the disk, even on power loss
  normal,  // WAL's default: durable against a process crash, may lose the last commits on
           // power loss (the file stays consistent)
};

struct sqlite_log_config {
  std::filesystem::path file;  // the database, e.g. <data-dir>/majlis.db; created if missing
  sync_mode sync = sync_mode::full;
  size_t max_meetings = 1000;      // create() beyond this is refused with too_large
  size_t max_batch_events = 1000;  // a larger append is refused with too_large
};

// Thrown by the constructor; what() is a sentence for a person that names the file and says
// what is wrong and what to do.
class store_open_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class sqlite_event_log final : public event_log {
 public:
  // Opens (or creates) the file, checks that it is an intact Majlis database of a version this
  // build knows and that it can be written, and creates the schema. Throws store_open_error.
  explicit sqlite_event_log(sqlite_log_config config);
  // Finishes the calls under way, then closes the database.
  ~sqlite_event_log() override;
  sqlite_event_log(const sqlite_event_log&) = delete;
  sqlite_event_log& operator=(const sqlite_event_log&) = delete;

  boost::asio::awaitable<append_result> create(const std::string& meeting_id,
                                               v1::Event first) override;
  boost::asio::awaitable<append_result> append(const std::string& meeting_id, uint64_t expected_seq,
                                               std::vector<v1::Event> events) override;
  // Never trimmed: every event since seq 1 stays in the file.
  boost::asio::awaitable<read_result> read(const std::string& meeting_id, uint64_t after_seq,
                                           size_t max_events) override;
  boost::asio::awaitable<snapshot_result> load_snapshot(const std::string& meeting_id) override;
  // Keeps the snapshot if it is newer than the stored one and not past the head; a failed
  // write leaves the older snapshot.
  boost::asio::awaitable<void> save_snapshot(const std::string& meeting_id,
                                             v1::MeetingState state) override;
  boost::asio::awaitable<append_result> start_new_epoch(const std::string& meeting_id,
                                                        uint64_t seen_epoch,
                                                        uint64_t replica_seq) override;
  boost::asio::awaitable<bool> exists(const std::string& meeting_id) override;
  boost::asio::awaitable<std::optional<std::vector<std::string>>> meeting_ids() override;
  // Batches are delivered after their COMMIT, from the store's thread.
  void subscribe(const std::string& meeting_id, batch_handler handler) override;
  void unsubscribe(const std::string& meeting_id) override;
  // False after a failed write (disk full, I/O error) until a later write succeeds.
  bool ready() const override;
  // Only one process writes the file (the data folder's lock), so every connection in a roster
  // that is not this process's own is left over from an earlier run: no other instance is alive.
  boost::asio::awaitable<std::optional<std::vector<std::string>>> live_instances() override {
    co_return std::vector<std::string>{};
  }

 private:
  class impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace majlis::store
