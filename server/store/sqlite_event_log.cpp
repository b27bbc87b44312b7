#include "store/sqlite_event_log.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string_view>
#include <type_traits>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace majlis::store {

namespace asio = boost::asio;

namespace {

// PRAGMA application_id of a Majlis data file: "MJLS".
constexpr int32_t majlis_application_id = 0x4D4A4C53;
// PRAGMA user_version: the newest schema this build knows and creates.
constexpr int64_t schema_version = 1;

// Waits this long for a lock another connection holds (an operator's backup, a reader).
constexpr int busy_timeout_ms = 2000;

constexpr std::string_view schema_sql = R"sql(
CREATE TABLE IF NOT EXISTS meetings(
  id TEXT PRIMARY KEY NOT NULL,
  epoch INTEGER NOT NULL,
  head_seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS events(
  meeting_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  body BLOB NOT NULL,
  PRIMARY KEY(meeting_id, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS snapshots(
  meeting_id TEXT PRIMARY KEY NOT NULL,
  seq INTEGER NOT NULL,
  state BLOB NOT NULL);
)sql";

// An SQLite call that failed: the result code (extended), SQLite's words for it, and the errno
// of the system call behind an I/O error (SQLite reports a full disk as one when it grows the
// -shm file).
class sqlite_failure : public std::runtime_error {
 public:
  sqlite_failure(int code, const std::string& detail, int system_errno)
      : std::runtime_error(detail), code_(code), system_errno_(system_errno) {}
  int code() const { return code_; }
  int system_errno() const { return system_errno_; }

 private:
  int code_;
  int system_errno_;
};

[[noreturn]] void fail(sqlite3* db, int code) {
  std::string detail = sqlite3_errstr(code);
  if (db != nullptr && sqlite3_extended_errcode(db) == code) detail = sqlite3_errmsg(db);
  throw sqlite_failure(code, detail, db != nullptr ? sqlite3_system_errno(db) : 0);
}

void check(sqlite3* db, int code) {
  if (code != SQLITE_OK) fail(db, code);
}

// Runs SQL without results (several statements are allowed).
void execute(sqlite3* db, std::string_view sql) {
  check(db, sqlite3_exec(db, std::string(sql).c_str(), nullptr, nullptr, nullptr));
}

uint64_t unix_ms() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

int64_t as_sql(uint64_t value) {
  return static_cast<int64_t>(std::min<uint64_t>(value, std::numeric_limits<int64_t>::max()));
}

struct connection_closer {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using connection = std::unique_ptr<sqlite3, connection_closer>;

// A statement prepared once and kept for the connection's lifetime.
class statement {
 public:
  statement(sqlite3* db, std::string_view sql) : db_(db) {
    check(db_, sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                  SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr));
  }
  ~statement() { sqlite3_finalize(stmt_); }
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  // One use of the statement: bind, step, and reset when it goes out of scope, so no statement
  // keeps a read transaction open between calls.
  class use {
   public:
    explicit use(statement& s) : db_(s.db_), stmt_(s.stmt_) {}
    ~use() {
      sqlite3_reset(stmt_);
      sqlite3_clear_bindings(stmt_);
    }
    use(const use&) = delete;
    use& operator=(const use&) = delete;

    use& bind(int64_t value) {
      check(db_, sqlite3_bind_int64(stmt_, ++bound_, value));
      return *this;
    }
    use& bind_text(std::string_view text) {
      check(db_, sqlite3_bind_text(stmt_, ++bound_, text.data(), static_cast<int>(text.size()),
                                   SQLITE_TRANSIENT));
      return *this;
    }
    use& bind_blob(std::string_view bytes) {
      check(db_, sqlite3_bind_blob(stmt_, ++bound_, bytes.data(), static_cast<int>(bytes.size()),
                                   SQLITE_TRANSIENT));
      return *this;
    }
    // True with a row to read, false when done.
    bool next_row() {
      const int rc = sqlite3_step(stmt_);
      if (rc == SQLITE_ROW) return true;
      if (rc == SQLITE_DONE) return false;
      fail(db_, rc);
    }
    void to_end() {
      while (next_row()) {
      }
    }
    int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
    std::string_view bytes(int column) const {
      const void* data = sqlite3_column_blob(stmt_, column);
      const int size = sqlite3_column_bytes(stmt_, column);
      return data == nullptr
                 ? std::string_view{}
                 : std::string_view(static_cast<const char*>(data), static_cast<size_t>(size));
    }
    std::string text(int column) const {
      const auto* data = sqlite3_column_text(stmt_, column);
      return data == nullptr ? std::string{} : std::string(reinterpret_cast<const char*>(data));
    }

   private:
    sqlite3* db_;
    sqlite3_stmt* stmt_;
    int bound_ = 0;
  };

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// The first column of the first row of a one-off query (PRAGMAs at open).
std::string query_text(sqlite3* db, std::string_view sql) {
  statement s(db, sql);
  statement::use q(s);
  return q.next_row() ? q.text(0) : std::string{};
}

int64_t query_integer(sqlite3* db, std::string_view sql) {
  statement s(db, sql);
  statement::use q(s);
  return q.next_row() ? q.integer(0) : 0;
}

std::string quoted(const std::filesystem::path& file) {
  return "\"" + file.string() + "\"";
}

std::string damaged(const std::filesystem::path& file, const std::string& detail) {
  return "The data file " + quoted(file) + " is damaged: " + detail +
         "; restore it from a backup or move it away to start empty.";
}

// The sentence for an SQLite error while opening and checking the file.
std::string open_failure_message(const std::filesystem::path& file, const sqlite_failure& e) {
  std::string detail = e.what();
  int code = e.code() & 0xff;
  if (code == SQLITE_IOERR && e.system_errno() != 0) {
    detail += ": " + std::string(std::strerror(e.system_errno()));
    if (e.system_errno() == ENOSPC || e.system_errno() == EDQUOT) code = SQLITE_FULL;
  }
  switch (code) {
    case SQLITE_NOTADB:
      return "The data file " + quoted(file) +
             " is not an SQLite database: it is another kind of file, or a damaged one; restore "
             "it from a backup or move it away to start empty.";
    case SQLITE_CORRUPT:
      return damaged(file, detail);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return "The data file " + quoted(file) + " is in use by another process (" + detail +
             "); stop the other majlisd or give this one another data folder.";
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return "The data file " + quoted(file) + " cannot be opened for writing (" + detail +
             "); check that its folder exists and that majlisd may write to the file and to its "
             "folder, where SQLite keeps the -wal and -shm files beside it.";
    case SQLITE_FULL:
      return "The data file " + quoted(file) + " cannot be written: its disk is full (" + detail +
             "); free some space on it and start majlisd again.";
    case SQLITE_IOERR:
      return "The data file " + quoted(file) + " cannot be read or written (" + detail +
             "); check its disk, and restore the file from a backup only if the disk is failing.";
    default:
      return "The data file " + quoted(file) + " cannot be opened: " + detail + ".";
  }
}

// Opens the file read-write, refuses anything but an intact Majlis database of a known version,
// switches to WAL and makes sure the schema exists. Throws store_open_error.
connection open_checked(const sqlite_log_config& config) {
  const auto& file = config.file;
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(file.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  connection db(raw);
  try {
    if (rc != SQLITE_OK) fail(raw, rc);
    sqlite3_extended_result_codes(raw, 1);
    // A file this user may only read opens read-only without an error.
    if (sqlite3_db_readonly(raw, "main") == 1) fail(raw, SQLITE_READONLY);
    sqlite3_busy_timeout(raw, busy_timeout_ms);

    // The first read of the file: a file that is no database fails here.
    const auto application_id = query_integer(raw, "PRAGMA application_id");
    const auto version = query_integer(raw, "PRAGMA user_version");
    const auto tables =
        query_text(raw, "SELECT group_concat(name, ', ') FROM sqlite_schema WHERE type = 'table'");
    if (application_id != majlis_application_id && (application_id != 0 || !tables.empty())) {
      throw store_open_error("The data file " + quoted(file) +
                             " is an SQLite database of another program (application_id " +
                             std::to_string(application_id) +
                             ", tables: " + (tables.empty() ? std::string("none") : tables) +
                             "), not Majlis's; move it away or give majlisd another data folder.");
    }
    if (version > schema_version) {
      throw store_open_error(
          "The data file " + quoted(file) + " was written by a newer Majlis (schema version " +
          std::to_string(version) + "; this build knows up to " + std::to_string(schema_version) +
          "); run that newer majlisd, or restore a backup made by this one.");
    }

    // A truncated or overwritten file must never pass for an empty meeting list.
    std::string problems;
    {
      statement s(raw, "PRAGMA quick_check(5)");
      statement::use q(s);
      // One sentence: SQLite's lines joined, without its "*** in database main ***" header.
      while (q.next_row()) {
        std::istringstream rows(q.text(0));
        for (std::string line; std::getline(rows, line);) {
          if (line == "ok" || line.starts_with("***")) continue;
          if (!problems.empty()) problems += "; ";
          problems += line;
        }
      }
    }
    if (!problems.empty()) throw store_open_error(damaged(file, problems));

    const auto journal = query_text(raw, "PRAGMA journal_mode = WAL");
    if (journal != "wal") {
      throw store_open_error("The data file " + quoted(file) +
                             " cannot be switched to WAL mode (SQLite keeps journal mode \"" +
                             journal + "\"); check that majlisd may write to its folder.");
    }
    execute(raw, config.sync == sync_mode::full ? "PRAGMA synchronous = FULL"
                                                : "PRAGMA synchronous = NORMAL");
    // Always a real write, so a file or folder that cannot be written is found at start-up
    // rather than at the first command.
    execute(raw, "BEGIN IMMEDIATE");
    try {
      execute(raw, schema_sql);
      execute(raw, "PRAGMA application_id = " + std::to_string(majlis_application_id));
      execute(raw, "PRAGMA user_version = " + std::to_string(schema_version));
      execute(raw, "COMMIT");
    } catch (...) {
      if (sqlite3_get_autocommit(raw) == 0)
        sqlite3_exec(raw, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  } catch (const sqlite_failure& e) {
    throw store_open_error(open_failure_message(file, e));
  }
  return db;
}

}  // namespace

// The connection and its statements; every method that touches them runs on the one thread
// of `pool_` (or in the constructor and destructor, when that thread is not running them).
class sqlite_event_log::impl {
 public:
  explicit impl(sqlite_log_config config)
      : config_(std::move(config)),
        db_(open_checked(config_)),
        begin_(db_.get(), "BEGIN IMMEDIATE"),
        commit_(db_.get(), "COMMIT"),
        rollback_(db_.get(), "ROLLBACK"),
        select_meeting_(db_.get(), "SELECT epoch, head_seq FROM meetings WHERE id = ?1"),
        count_meetings_(db_.get(), "SELECT count(*) FROM meetings"),
        select_meeting_ids_(db_.get(), "SELECT id FROM meetings ORDER BY rowid"),
        insert_meeting_(db_.get(), "INSERT INTO meetings(id, epoch, head_seq) VALUES(?1, ?2, ?3)"),
        update_head_(db_.get(), "UPDATE meetings SET head_seq = ?2 WHERE id = ?1"),
        update_epoch_(db_.get(), "UPDATE meetings SET epoch = ?2 WHERE id = ?1"),
        insert_event_(db_.get(), "INSERT INTO events(meeting_id, seq, body) VALUES(?1, ?2, ?3)"),
        select_events_(db_.get(),
                       "SELECT seq, body FROM events WHERE meeting_id = ?1 AND seq > ?2 "
                       "ORDER BY seq LIMIT ?3"),
        select_snapshot_(db_.get(), "SELECT state FROM snapshots WHERE meeting_id = ?1"),
        save_snapshot_(db_.get(),
                       "INSERT INTO snapshots(meeting_id, seq, state) VALUES(?1, ?2, ?3) "
                       "ON CONFLICT(meeting_id) DO UPDATE SET seq = excluded.seq, "
                       "state = excluded.state WHERE excluded.seq > snapshots.seq") {}

  ~impl() {
    // Calls already queued still complete; the statements and connection close after them.
    pool_.join();
  }

  // Runs `work` on the store's thread; the caller resumes on its own executor.
  template <typename Work>
  asio::awaitable<std::invoke_result_t<Work&>> on_store_thread(Work work) {
    using result = std::invoke_result_t<Work&>;
    // Named, not a temporary in the co_await: GCC 12 mishandles temporaries with destructors
    // in a co_await operand.
    auto on_pool = [&work]() -> asio::awaitable<result> { co_return work(); };
    co_return co_await asio::co_spawn(pool_.get_executor(), std::move(on_pool),
                                      asio::use_awaitable);
  }

  append_result create_now(const std::string& meeting_id, v1::Event first) {
    try {
      write_transaction tx(*this);
      if (auto found = find_meeting(meeting_id))
        return {append_status::exists, found->head_seq, found->epoch};
      uint64_t count = 0;
      {
        statement::use q(count_meetings_);
        if (q.next_row()) count = static_cast<uint64_t>(q.integer(0));
      }
      if (count >= config_.max_meetings) return {append_status::too_large, 0, 0};
      const uint64_t epoch = unix_ms();
      statement::use(insert_meeting_).bind_text(meeting_id).bind(as_sql(epoch)).bind(1).to_end();
      first.set_seq(1);
      insert_event(meeting_id, first);
      tx.commit();
      publish(meeting_id, epoch, {std::move(first)});
      return {append_status::ok, 1, epoch};
    } catch (const sqlite_failure&) {
      return {append_status::unavailable, 0, 0};
    }
  }

  append_result append_now(const std::string& meeting_id, uint64_t expected_seq,
                           std::vector<v1::Event> events) {
    try {
      if (events.empty()) {
        auto found = find_meeting(meeting_id);
        if (!found) return {append_status::not_found, 0, 0};
        const auto status =
            found->head_seq == expected_seq ? append_status::ok : append_status::conflict;
        return {status, found->head_seq, found->epoch};
      }
      write_transaction tx(*this);
      auto found = find_meeting(meeting_id);
      if (!found) return {append_status::not_found, 0, 0};
      if (found->head_seq != expected_seq)
        return {append_status::conflict, found->head_seq, found->epoch};
      if (events.size() > config_.max_batch_events)
        return {append_status::too_large, found->head_seq, found->epoch};
      uint64_t head = found->head_seq;
      for (auto& event : events) {
        event.set_seq(++head);
        insert_event(meeting_id, event);
      }
      statement::use(update_head_).bind_text(meeting_id).bind(as_sql(head)).to_end();
      tx.commit();
      publish(meeting_id, found->epoch, std::move(events));
      return {append_status::ok, head, found->epoch};
    } catch (const sqlite_failure&) {
      return {append_status::unavailable, 0, 0};
    }
  }

  read_result read_now(const std::string& meeting_id, uint64_t after_seq, size_t max_events) {
    try {
      auto found = find_meeting(meeting_id);
      if (!found) return {read_status::not_found, {}, 0, 0};
      read_result result{read_status::ok, {}, found->head_seq, found->epoch};
      statement::use q(select_events_);
      q.bind_text(meeting_id).bind(as_sql(after_seq)).bind(as_sql(max_events));
      while (q.next_row()) {
        auto& event = result.events.emplace_back();
        const auto body = q.bytes(1);
        if (!event.ParseFromArray(body.data(), static_cast<int>(body.size())))
          return {read_status::unavailable, {}, found->head_seq, found->epoch};
        event.set_seq(static_cast<uint64_t>(q.integer(0)));
      }
      return result;
    } catch (const sqlite_failure&) {
      return {read_status::unavailable, {}, 0, 0};
    }
  }

  snapshot_result load_snapshot_now(const std::string& meeting_id) {
    try {
      auto found = find_meeting(meeting_id);
      if (!found) return {read_status::not_found, {}, 0, 0};
      snapshot_result result{read_status::ok, {}, found->head_seq, found->epoch};
      statement::use q(select_snapshot_);
      q.bind_text(meeting_id);
      if (q.next_row()) {
        const auto state = q.bytes(0);
        if (!result.state.emplace().ParseFromArray(state.data(), static_cast<int>(state.size())))
          return {read_status::unavailable, {}, found->head_seq, found->epoch};
      }
      return result;
    } catch (const sqlite_failure&) {
      return {read_status::unavailable, {}, 0, 0};
    }
  }

  void save_snapshot_now(const std::string& meeting_id, const v1::MeetingState& state) {
    try {
      write_transaction tx(*this);
      auto found = find_meeting(meeting_id);
      // A snapshot past the head would describe events the log does not have.
      if (!found || state.seq() > found->head_seq) return;
      statement::use(save_snapshot_)
          .bind_text(meeting_id)
          .bind(as_sql(state.seq()))
          .bind_blob(state.SerializeAsString())
          .to_end();
      tx.commit();
    } catch (const sqlite_failure&) {
      // The older snapshot stays; a later one tries again.
    }
  }

  append_result start_new_epoch_now(const std::string& meeting_id, uint64_t seen_epoch,
                                    uint64_t replica_seq) {
    try {
      write_transaction tx(*this);
      auto found = find_meeting(meeting_id);
      if (!found) return {append_status::not_found, 0, 0};
      if (found->epoch != seen_epoch || found->head_seq >= replica_seq)
        return {append_status::ok, found->head_seq, found->epoch};
      const uint64_t epoch = std::max(found->epoch + 1, unix_ms());
      statement::use(update_epoch_).bind_text(meeting_id).bind(as_sql(epoch)).to_end();
      tx.commit();
      return {append_status::ok, found->head_seq, epoch};
    } catch (const sqlite_failure&) {
      return {append_status::unavailable, 0, 0};
    }
  }

  bool exists_now(const std::string& meeting_id) {
    try {
      return find_meeting(meeting_id).has_value();
    } catch (const sqlite_failure&) {
      return false;
    }
  }

  std::optional<std::vector<std::string>> meeting_ids_now() {
    try {
      std::vector<std::string> ids;
      statement::use q(select_meeting_ids_);
      while (q.next_row()) ids.push_back(q.text(0));
      return ids;
    } catch (const sqlite_failure&) {
      return std::nullopt;
    }
  }

  void subscribe(const std::string& meeting_id, batch_handler handler) {
    std::lock_guard lock(subscribers_mutex_);
    subscribers_[meeting_id] = std::make_shared<const batch_handler>(std::move(handler));
  }

  void unsubscribe(const std::string& meeting_id) {
    std::lock_guard lock(subscribers_mutex_);
    subscribers_.erase(meeting_id);
  }

  bool ready() const { return ready_.load(); }

 private:
  struct meeting_head {
    uint64_t epoch = 0;
    uint64_t head_seq = 0;
  };

  // BEGIN IMMEDIATE now; ROLLBACK unless commit() succeeded. Any failed write makes the store
  // not ready, a committed one ready again.
  class write_transaction {
   public:
    explicit write_transaction(impl& owner) : owner_(owner) {
      try {
        statement::use(owner_.begin_).to_end();
      } catch (const sqlite_failure&) {
        owner_.ready_ = false;
        throw;
      }
    }
    ~write_transaction() {
      if (committed_) return;
      // After some errors (a full disk, an I/O error) SQLite has rolled back already.
      if (sqlite3_get_autocommit(owner_.db_.get()) == 0) {
        try {
          statement::use(owner_.rollback_).to_end();
        } catch (const sqlite_failure&) {
          // The connection keeps the transaction; the next BEGIN fails and reports it.
        }
      }
      if (std::uncaught_exceptions() > uncaught_) owner_.ready_ = false;
    }
    write_transaction(const write_transaction&) = delete;
    write_transaction& operator=(const write_transaction&) = delete;

    void commit() {
      statement::use(owner_.commit_).to_end();
      committed_ = true;
      owner_.ready_ = true;
    }

   private:
    impl& owner_;
    int uncaught_ = std::uncaught_exceptions();
    bool committed_ = false;
  };

  std::optional<meeting_head> find_meeting(const std::string& meeting_id) {
    statement::use q(select_meeting_);
    q.bind_text(meeting_id);
    if (!q.next_row()) return std::nullopt;
    return meeting_head{static_cast<uint64_t>(q.integer(0)), static_cast<uint64_t>(q.integer(1))};
  }

  void insert_event(const std::string& meeting_id, const v1::Event& event) {
    statement::use(insert_event_)
        .bind_text(meeting_id)
        .bind(as_sql(event.seq()))
        .bind_blob(event.SerializeAsString())
        .to_end();
  }

  // Hands a committed batch to the meeting's subscriber, outside the lock.
  void publish(const std::string& meeting_id, uint64_t epoch, std::vector<v1::Event> events) {
    std::shared_ptr<const batch_handler> handler;
    {
      std::lock_guard lock(subscribers_mutex_);
      auto it = subscribers_.find(meeting_id);
      if (it == subscribers_.end()) return;
      handler = it->second;
    }
    (*handler)(meeting_id, epoch,
               std::make_shared<const std::vector<v1::Event>>(std::move(events)));
  }

  sqlite_log_config config_;
  connection db_;
  statement begin_;
  statement commit_;
  statement rollback_;
  statement select_meeting_;
  statement count_meetings_;
  statement select_meeting_ids_;
  statement insert_meeting_;
  statement update_head_;
  statement update_epoch_;
  statement insert_event_;
  statement select_events_;
  statement select_snapshot_;
  statement save_snapshot_;
  std::atomic<bool> ready_{true};
  std::mutex subscribers_mutex_;
  std::map<std::string, std::shared_ptr<const batch_handler>, std::less<>> subscribers_;
  // Declared last: its thread starts once everything it uses exists.
  asio::thread_pool pool_{1};
};

sqlite_event_log::sqlite_event_log(sqlite_log_config config) {
  const auto file = config.file;
  try {
    impl_ = std::make_unique<impl>(std::move(config));
  } catch (const sqlite_failure& e) {
    // Preparing the statements is the last check of the schema.
    throw store_open_error(open_failure_message(file, e));
  }
}

sqlite_event_log::~sqlite_event_log() = default;

asio::awaitable<append_result> sqlite_event_log::create(const std::string& meeting_id,
                                                        v1::Event first) {
  return impl_->on_store_thread(
      [self = impl_.get(), meeting_id, first = std::move(first)]() mutable {
        return self->create_now(meeting_id, std::move(first));
      });
}

asio::awaitable<append_result> sqlite_event_log::append(const std::string& meeting_id,
                                                        uint64_t expected_seq,
                                                        std::vector<v1::Event> events) {
  return impl_->on_store_thread(
      [self = impl_.get(), meeting_id, expected_seq, events = std::move(events)]() mutable {
        return self->append_now(meeting_id, expected_seq, std::move(events));
      });
}

asio::awaitable<read_result> sqlite_event_log::read(const std::string& meeting_id,
                                                    uint64_t after_seq, size_t max_events) {
  return impl_->on_store_thread([self = impl_.get(), meeting_id, after_seq, max_events] {
    return self->read_now(meeting_id, after_seq, max_events);
  });
}

asio::awaitable<snapshot_result> sqlite_event_log::load_snapshot(const std::string& meeting_id) {
  return impl_->on_store_thread(
      [self = impl_.get(), meeting_id] { return self->load_snapshot_now(meeting_id); });
}

asio::awaitable<void> sqlite_event_log::save_snapshot(const std::string& meeting_id,
                                                      v1::MeetingState state) {
  return impl_->on_store_thread([self = impl_.get(), meeting_id, state = std::move(state)] {
    self->save_snapshot_now(meeting_id, state);
  });
}

asio::awaitable<append_result> sqlite_event_log::start_new_epoch(const std::string& meeting_id,
                                                                 uint64_t seen_epoch,
                                                                 uint64_t replica_seq) {
  return impl_->on_store_thread([self = impl_.get(), meeting_id, seen_epoch, replica_seq] {
    return self->start_new_epoch_now(meeting_id, seen_epoch, replica_seq);
  });
}

asio::awaitable<bool> sqlite_event_log::exists(const std::string& meeting_id) {
  return impl_->on_store_thread(
      [self = impl_.get(), meeting_id] { return self->exists_now(meeting_id); });
}

asio::awaitable<std::optional<std::vector<std::string>>> sqlite_event_log::meeting_ids() {
  return impl_->on_store_thread([self = impl_.get()] { return self->meeting_ids_now(); });
}

void sqlite_event_log::subscribe(const std::string& meeting_id, batch_handler handler) {
  impl_->subscribe(meeting_id, std::move(handler));
}

void sqlite_event_log::unsubscribe(const std::string& meeting_id) {
  impl_->unsubscribe(meeting_id);
}

bool sqlite_event_log::ready() const {
  return impl_->ready();
}

}  // namespace majlis::store
