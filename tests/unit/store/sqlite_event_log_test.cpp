#include "store/sqlite_event_log.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace majlis::store {

// Names the sync mode in test names (ADL finds it beside sync_mode, not in the namespace below).
void PrintTo(sync_mode mode, std::ostream* out) {  // NOLINT(readability-identifier-naming)
  *out << (mode == sync_mode::full ? "full" : "normal");
}

namespace {

namespace fs = std::filesystem;

v1::Event titled(const std::string& title) {
  v1::Event event;
  event.mutable_meeting_updated()->set_title(title);
  return event;
}

v1::MeetingState state_at(uint64_t seq, const std::string& title) {
  v1::MeetingState state;
  state.set_seq(seq);
  state.set_title(title);
  return state;
}

// Runs one awaitable to completion on a private io_context.
template <typename T>
T run(boost::asio::awaitable<T> task) {
  boost::asio::io_context io;
  auto future = boost::asio::co_spawn(io, std::move(task), boost::asio::use_future);
  io.run();
  return future.get();
}

// A folder of its own under the system's temporary folder, removed with everything in it.
class temp_folder {
 public:
  temp_folder() {
    std::string pattern = (fs::temp_directory_path() / "majlis-sqlite-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~temp_folder() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  temp_folder(const temp_folder&) = delete;
  temp_folder& operator=(const temp_folder&) = delete;

  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

// A tmpfs of `size` mounted on `dir` while it lives (needs root).
class mounted_tmpfs {
 public:
  mounted_tmpfs(fs::path dir, const std::string& size) : dir_(std::move(dir)) {
    fs::create_directories(dir_);
    const std::string options = "size=" + size;
    if (::mount("tmpfs", dir_.c_str(), "tmpfs", 0, options.c_str()) == 0)
      mounted_ = true;
    else
      error_ = std::strerror(errno);
  }
  ~mounted_tmpfs() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  mounted_tmpfs(const mounted_tmpfs&) = delete;
  mounted_tmpfs& operator=(const mounted_tmpfs&) = delete;

  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }
  bool remount_read_only() {
    return ::mount("tmpfs", dir_.c_str(), "tmpfs", MS_REMOUNT | MS_RDONLY, nullptr) == 0;
  }

 private:
  fs::path dir_;
  bool mounted_ = false;
  std::string error_;
};

sqlite_log_config config_for(const fs::path& file, sync_mode sync = sync_mode::full) {
  sqlite_log_config config;
  config.file = file;
  config.sync = sync;
  return config;
}

// Runs SQL on the file through a connection of its own (a second reader, another program).
void execute_sql(const fs::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  const std::string message = error ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << message;
}

// The highest committed seq of a meeting as another connection sees it.
int64_t committed_head(const fs::path& file, const std::string& meeting_id) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) return -1;
  sqlite3_stmt* stmt = nullptr;
  int64_t head = -1;
  if (sqlite3_prepare_v2(db, "SELECT max(seq) FROM events WHERE meeting_id = ?1", -1, &stmt,
                         nullptr) == SQLITE_OK) {
    sqlite3_bind_text(stmt, 1, meeting_id.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(stmt) == SQLITE_ROW) head = sqlite3_column_int64(stmt, 0);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return head;
}

// The message of the store_open_error that opening `file` throws, or "" if it opens. Printed,
// so the test's output shows what an operator would read.
std::string open_error(const fs::path& file) {
  try {
    sqlite_event_log log(config_for(file));
  } catch (const store_open_error& e) {
    std::cout << "[ message  ] " << e.what() << "\n";
    return e.what();
  }
  return "";
}

// A meeting "m" with 2,000 events in batches of 100 and a snapshot at 2,000.
void write_long_meeting(sqlite_event_log& log) {
  ASSERT_EQ(run(log.create("m", titled("seq 1"))).status, append_status::ok);
  uint64_t head = 1;
  while (head < 2000) {
    std::vector<v1::Event> batch;
    for (uint64_t i = 0; i < 100 && head + batch.size() < 2000; ++i)
      batch.push_back(
          titled("seq " + std::to_string(head + batch.size() + 1) + std::string(100, 'x')));
    const auto size = batch.size();
    ASSERT_EQ(run(log.append("m", head, std::move(batch))).status, append_status::ok);
    head += size;
  }
  run(log.save_snapshot("m", state_at(2000, "at 2000")));
}

std::vector<uint64_t> seqs_of(const std::vector<v1::Event>& events) {
  std::vector<uint64_t> seqs;
  seqs.reserve(events.size());
  for (const auto& e : events) seqs.push_back(e.seq());
  return seqs;
}

TEST(sqlite_event_log, create_then_append_assigns_consecutive_seqs) {
  temp_folder dir;
  sqlite_event_log log(config_for(dir / "majlis.db"));
  auto created = run(log.create("m", titled("a")));
  EXPECT_EQ(created.status, append_status::ok);
  EXPECT_EQ(created.head_seq, 1u);
  EXPECT_GT(created.epoch, 0u);
  auto again = run(log.create("m", titled("a")));
  EXPECT_EQ(again.status, append_status::exists);
  EXPECT_EQ(again.epoch, created.epoch);
  auto appended = run(log.append("m", 1, {titled("b"), titled("c")}));
  EXPECT_EQ(appended.status, append_status::ok);
  EXPECT_EQ(appended.head_seq, 3u);
  EXPECT_EQ(appended.epoch, created.epoch);
  auto read = run(log.read("m", 1, 10));
  EXPECT_EQ(read.status, read_status::ok);
  EXPECT_EQ(read.head_seq, 3u);
  ASSERT_EQ(read.events.size(), 2u);
  EXPECT_EQ(read.events[0].seq(), 2u);
  EXPECT_EQ(read.events[1].seq(), 3u);
  EXPECT_EQ(read.events[1].meeting_updated().title(), "c");
  EXPECT_TRUE(run(log.exists("m")));
  EXPECT_TRUE(log.ready());
}

TEST(sqlite_event_log, meeting_ids_lists_every_meeting_in_creation_order) {
  temp_folder dir;
  sqlite_event_log log(config_for(dir / "majlis.db"));
  EXPECT_EQ(run(log.meeting_ids()), std::optional<std::vector<std::string>>(std::vector<std::string>{}));
  run(log.create("zeta", titled("z")));
  run(log.create("alpha", titled("a")));
  EXPECT_EQ(run(log.meeting_ids()), std::optional<std::vector<std::string>>(std::vector<std::string>{"zeta", "alpha"}));
}

TEST(sqlite_event_log, a_stale_expected_seq_conflicts_and_appends_nothing) {
  temp_folder dir;
  sqlite_event_log log(config_for(dir / "majlis.db"));
  run(log.create("m", titled("a")));
  run(log.append("m", 1, {titled("b")}));
  auto stale = run(log.append("m", 1, {titled("x")}));
  EXPECT_EQ(stale.status, append_status::conflict);
  EXPECT_EQ(stale.head_seq, 2u);
  auto ahead = run(log.append("m", 5, {titled("x")}));
  EXPECT_EQ(ahead.status, append_status::conflict);
  EXPECT_EQ(ahead.head_seq, 2u);
  auto read = run(log.read("m", 0, 10));
  EXPECT_EQ(seqs_of(read.events), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(read.events[1].meeting_updated().title(), "b");
}

TEST(sqlite_event_log, unknown_meetings_are_not_found) {
  temp_folder dir;
  sqlite_event_log log(config_for(dir / "majlis.db"));
  EXPECT_EQ(run(log.append("nope", 0, {titled("a")})).status, append_status::not_found);
  EXPECT_EQ(run(log.append("nope", 0, {})).status, append_status::not_found);
  EXPECT_EQ(run(log.read("nope", 0, 10)).status, read_status::not_found);
  EXPECT_EQ(run(log.load_snapshot("nope")).status, read_status::not_found);
  EXPECT_EQ(run(log.start_new_epoch("nope", 1, 5)).status, append_status::not_found);
  EXPECT_FALSE(run(log.exists("nope")));
}

TEST(sqlite_event_log, reads_ranges_up_to_max_events_and_never_trims) {
  temp_folder dir;
  sqlite_event_log log(config_for(dir / "majlis.db"));
  run(log.create("m", titled("1")));
  for (uint64_t seq = 1; seq < 10; ++seq)
    ASSERT_EQ(run(log.append("m", seq, {titled(std::to_string(seq + 1))})).status,
              append_status::ok);
  run(log.save_snapshot("m", state_at(10, "ten")));
  auto first = run(log.read("m", 0, 3));
  EXPECT_EQ(first.status, read_status::ok);
  EXPECT_EQ(first.head_seq, 10u);
  EXPECT_EQ(seqs_of(first.events), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(first.events[2].meeting_updated().title(), "3");
  EXPECT_EQ(seqs_of(run(log.read("m", 7, 100)).events), (std::vector<uint64_t>{8, 9, 10}));
  EXPECT_EQ(seqs_of(run(log.read("m", 4, 2)).events), (std::vector<uint64_t>{5, 6}));
  auto at_head = run(log.read("m", 10, 100));
  EXPECT_EQ(at_head.status, read_status::ok);
  EXPECT_TRUE(at_head.events.empty());
  EXPECT_TRUE(run(log.read("m", 0, 0)).events.empty());
}

TEST(sqlite_event_log, refuses_batches_and_meetings_past_their_limits) {
  temp_folder dir;
  auto config = config_for(dir / "majlis.db");
  config.max_meetings = 1;
  config.max_batch_events = 2;
  sqlite_event_log log(config);
  run(log.create("m", titled("a")));
  EXPECT_EQ(run(log.create("n", titled("a"))).status, append_status::too_large);
  EXPECT_FALSE(run(log.exists("n")));
  auto big = run(log.append("m", 1, {titled("b"), titled("c"), titled("d")}));
  EXPECT_EQ(big.status, append_status::too_large);
  EXPECT_EQ(big.head_seq, 1u);
  EXPECT_EQ(run(log.append("m", 1, {titled("b"), titled("c")})).head_seq, 3u);
}

TEST(sqlite_event_log, an_empty_append_only_checks_the_head) {
  temp_folder dir;
  sqlite_event_log log(config_for(dir / "majlis.db"));
  run(log.create("m", titled("a")));
  auto same = run(log.append("m", 1, {}));
  EXPECT_EQ(same.status, append_status::ok);
  EXPECT_EQ(same.head_seq, 1u);
  EXPECT_EQ(run(log.append("m", 0, {})).status, append_status::conflict);
}

TEST(sqlite_event_log, the_newest_snapshot_wins) {
  temp_folder dir;
  sqlite_event_log log(config_for(dir / "majlis.db"));
  auto created = run(log.create("m", titled("a")));
  EXPECT_FALSE(run(log.load_snapshot("m")).state.has_value());
  for (uint64_t seq = 1; seq < 6; ++seq) run(log.append("m", seq, {titled("x")}));
  run(log.save_snapshot("m", state_at(5, "five")));
  run(log.save_snapshot("m", state_at(3, "three")));  // older: ignored
  run(log.save_snapshot("m", state_at(9, "nine")));   // past the head: ignored
  auto snapshot = run(log.load_snapshot("m"));
  EXPECT_EQ(snapshot.status, read_status::ok);
  ASSERT_TRUE(snapshot.state.has_value());
  EXPECT_EQ(snapshot.state->seq(), 5u);
  EXPECT_EQ(snapshot.state->title(), "five");
  EXPECT_EQ(snapshot.head_seq, 6u);
  EXPECT_EQ(snapshot.epoch, created.epoch);
  run(log.save_snapshot("m", state_at(6, "six")));
  EXPECT_EQ(run(log.load_snapshot("m")).state->title(), "six");
}

TEST(sqlite_event_log, subscribers_get_each_committed_batch_in_order_after_its_commit) {
  temp_folder dir;
  const auto file = dir / "majlis.db";
  sqlite_event_log log(config_for(file));
  auto created = run(log.create("m", titled("a")));
  std::vector<uint64_t> seen;
  std::vector<int64_t> committed_when_seen;
  std::thread::id subscriber_thread;
  log.subscribe("m", [&](const std::string& id, uint64_t epoch, const event_batch& batch) {
    EXPECT_EQ(id, "m");
    EXPECT_EQ(epoch, created.epoch);
    subscriber_thread = std::this_thread::get_id();
    for (const auto& e : *batch) seen.push_back(e.seq());
    committed_when_seen.push_back(committed_head(file, "m"));
  });
  // The caller resumes on its own thread; the subscriber runs on the store's.
  std::thread::id resumed_on;
  auto appends = [&]() -> boost::asio::awaitable<void> {
    // Named, not braced in the call: GCC 12 rejects initializer lists inside co_await.
    std::vector<v1::Event> first{titled("b")};
    std::vector<v1::Event> second{titled("c"), titled("d")};
    co_await log.append("m", 1, std::move(first));
    co_await log.append("m", 2, std::move(second));
    resumed_on = std::this_thread::get_id();
  };
  run(appends());
  EXPECT_EQ(seen, (std::vector<uint64_t>{2, 3, 4}));
  EXPECT_EQ(committed_when_seen, (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(resumed_on, std::this_thread::get_id());
  EXPECT_NE(subscriber_thread, std::this_thread::get_id());
  log.unsubscribe("m");
  run(log.append("m", 4, {titled("e")}));
  EXPECT_EQ(seen.size(), 3u);
}

TEST(sqlite_event_log, callers_on_several_threads_append_one_after_another) {
  temp_folder dir;
  sqlite_event_log log(config_for(dir / "majlis.db", sync_mode::normal));
  run(log.create("m", titled("a")));
  constexpr int writers = 4;
  constexpr int appends_each = 25;
  // Each writer appends at the head it last saw and catches up on a conflict, like a replica.
  auto writer = [&](int id) -> boost::asio::awaitable<int> {
    uint64_t head = 1;
    int conflicts = 0;
    for (int done = 0; done < appends_each;) {
      std::vector<v1::Event> batch{titled("writer " + std::to_string(id))};
      auto r = co_await log.append("m", head, std::move(batch));
      head = r.head_seq;
      if (r.status == append_status::ok)
        ++done;
      else if (r.status == append_status::conflict)
        ++conflicts;
      else
        co_return -1;
    }
    co_return conflicts;
  };
  std::vector<std::thread> threads;
  threads.reserve(writers);
  std::vector<int> conflicts(writers);
  for (int id = 0; id < writers; ++id)
    threads.emplace_back([&, id] { conflicts[id] = run(writer(id)); });
  for (auto& t : threads) t.join();
  for (int c : conflicts) EXPECT_GE(c, 0);
  auto read = run(log.read("m", 0, 1000));
  EXPECT_EQ(read.head_seq, 1u + writers * appends_each);
  ASSERT_EQ(read.events.size(), read.head_seq);
  for (uint64_t i = 0; i < read.events.size(); ++i) EXPECT_EQ(read.events[i].seq(), i + 1);
}

TEST(sqlite_event_log, everything_is_the_same_after_reopening_the_file) {
  temp_folder dir;
  const auto file = dir / "majlis.db";
  uint64_t epoch_m = 0;
  uint64_t epoch_n = 0;
  {
    sqlite_event_log log(config_for(file));
    epoch_m = run(log.create("m", titled("m1"))).epoch;
    epoch_n = run(log.create("n", titled("n1"))).epoch;
    run(log.append("m", 1, {titled("m2"), titled("m3")}));
    run(log.save_snapshot("m", state_at(2, "m at 2")));
  }
  sqlite_event_log log(config_for(file));
  EXPECT_TRUE(run(log.exists("m")));
  EXPECT_TRUE(run(log.exists("n")));
  EXPECT_FALSE(run(log.exists("o")));
  auto read = run(log.read("m", 0, 10));
  EXPECT_EQ(read.head_seq, 3u);
  EXPECT_EQ(read.epoch, epoch_m);
  ASSERT_EQ(seqs_of(read.events), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(read.events[2].meeting_updated().title(), "m3");
  auto snapshot = run(log.load_snapshot("m"));
  ASSERT_TRUE(snapshot.state.has_value());
  EXPECT_EQ(snapshot.state->title(), "m at 2");
  EXPECT_EQ(snapshot.head_seq, 3u);
  EXPECT_EQ(snapshot.epoch, epoch_m);
  EXPECT_EQ(run(log.load_snapshot("n")).epoch, epoch_n);
  auto next = run(log.append("m", 3, {titled("m4")}));
  EXPECT_EQ(next.status, append_status::ok);
  EXPECT_EQ(next.head_seq, 4u);
  EXPECT_EQ(next.epoch, epoch_m);
}

class sqlite_event_log_sync : public testing::TestWithParam<sync_mode> {};

TEST_P(sqlite_event_log_sync, commits_survive_a_reopen) {
  temp_folder dir;
  const auto file = dir / "majlis.db";
  {
    sqlite_event_log log(config_for(file, GetParam()));
    run(log.create("m", titled("a")));
    for (uint64_t seq = 1; seq < 50; ++seq)
      ASSERT_EQ(run(log.append("m", seq, {titled(std::to_string(seq + 1))})).status,
                append_status::ok);
  }
  sqlite_event_log log(config_for(file, GetParam()));
  auto read = run(log.read("m", 45, 10));
  EXPECT_EQ(read.head_seq, 50u);
  EXPECT_EQ(seqs_of(read.events), (std::vector<uint64_t>{46, 47, 48, 49, 50}));
  EXPECT_EQ(read.events.back().meeting_updated().title(), "50");
}

// Not a check: prints single-event appends per second (each is one transaction).
TEST_P(sqlite_event_log_sync, prints_the_rate_of_single_event_appends) {
  temp_folder dir;
  sqlite_event_log log(config_for(dir / "majlis.db", GetParam()));
  run(log.create("m", titled("a")));
  constexpr uint64_t count = 300;
  const auto start = std::chrono::steady_clock::now();
  auto appends = [&]() -> boost::asio::awaitable<uint64_t> {
    uint64_t head = 1;
    for (uint64_t i = 0; i < count; ++i) {
      std::vector<v1::Event> batch{titled("x")};
      auto r = co_await log.append("m", head, std::move(batch));
      if (r.status != append_status::ok) break;
      head = r.head_seq;
    }
    co_return head;
  };
  EXPECT_EQ(run(appends()), count + 1);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  std::cout << "[ timing   ] synchronous=" << (GetParam() == sync_mode::full ? "FULL" : "NORMAL")
            << ": " << count << " single-event appends in " << took.count()
            << " s = " << static_cast<int>(count / took.count()) << " appends/s\n";
}

INSTANTIATE_TEST_SUITE_P(modes, sqlite_event_log_sync,
                         testing::Values(sync_mode::full, sync_mode::normal),
                         [](const testing::TestParamInfo<sync_mode>& info) {
                           return std::string(info.param == sync_mode::full ? "full" : "normal");
                         });

TEST(sqlite_event_log, a_new_epoch_starts_once_and_only_for_a_log_behind_its_replica) {
  temp_folder dir;
  const auto file = dir / "majlis.db";
  uint64_t first_epoch = 0;
  uint64_t new_epoch = 0;
  {
    sqlite_event_log log(config_for(file));
    first_epoch = run(log.create("m", titled("a"))).epoch;
    run(log.append("m", 1, {titled("b"), titled("c")}));
    auto won = run(log.start_new_epoch("m", first_epoch, 5));
    EXPECT_EQ(won.status, append_status::ok);
    EXPECT_EQ(won.head_seq, 3u);
    EXPECT_GT(won.epoch, first_epoch);
    new_epoch = won.epoch;
    // A second replica that saw the old epoch finds the new one.
    auto lost = run(log.start_new_epoch("m", first_epoch, 5));
    EXPECT_EQ(lost.status, append_status::ok);
    EXPECT_EQ(lost.epoch, new_epoch);
    // A log not behind the replica keeps its epoch.
    EXPECT_EQ(run(log.start_new_epoch("m", new_epoch, 3)).epoch, new_epoch);
    EXPECT_EQ(run(log.start_new_epoch("m", new_epoch, 2)).epoch, new_epoch);
    EXPECT_EQ(run(log.append("m", 3, {titled("d")})).epoch, new_epoch);
  }
  sqlite_event_log log(config_for(file));
  auto read = run(log.read("m", 0, 10));
  EXPECT_EQ(read.epoch, new_epoch);
  EXPECT_EQ(read.head_seq, 4u);
}

TEST(sqlite_event_log, refuses_a_file_that_is_not_a_database) {
  temp_folder dir;
  const auto file = dir / "notes.txt";
  const std::string notes =
      "These are my meeting notes, not a database.\n" + std::string(5000, 'x');
  std::ofstream(file) << notes;
  const auto message = open_error(file);
  EXPECT_NE(message.find(file.string()), std::string::npos) << message;
  EXPECT_NE(message.find("not an SQLite database"), std::string::npos) << message;
  // The file is left as it was.
  EXPECT_EQ(fs::file_size(file), notes.size());
}

TEST(sqlite_event_log, refuses_another_programs_database) {
  temp_folder dir;
  const auto file = dir / "shop.db";
  execute_sql(file, "CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT)");
  const auto message = open_error(file);
  EXPECT_NE(message.find(file.string()), std::string::npos) << message;
  EXPECT_NE(message.find("another program"), std::string::npos) << message;
  EXPECT_NE(message.find("customers"), std::string::npos) << message;
}

TEST(sqlite_event_log, refuses_a_schema_newer_than_this_build) {
  temp_folder dir;
  const auto file = dir / "majlis.db";
  { sqlite_event_log log(config_for(file)); }
  execute_sql(file, "PRAGMA user_version = 99");
  const auto message = open_error(file);
  EXPECT_NE(message.find(file.string()), std::string::npos) << message;
  EXPECT_NE(message.find("newer Majlis"), std::string::npos) << message;
}

TEST(sqlite_event_log, refuses_a_truncated_file) {
  temp_folder dir;
  const auto file = dir / "majlis.db";
  {
    sqlite_event_log log(config_for(file));
    write_long_meeting(log);
  }
  ASSERT_FALSE(fs::exists(dir / "majlis.db-wal")) << "a clean close folds the WAL into the file";
  const auto size = fs::file_size(file);
  ASSERT_GT(size, 100'000u);
  fs::resize_file(file, size / 2 + 123);
  const auto message = open_error(file);
  EXPECT_NE(message.find(file.string()), std::string::npos) << message;
  EXPECT_NE(message.find("damaged"), std::string::npos) << message;
  EXPECT_NE(message.find("restore it from a backup"), std::string::npos) << message;
}

TEST(sqlite_event_log, refuses_a_file_with_a_page_overwritten) {
  temp_folder dir;
  const auto file = dir / "majlis.db";
  {
    sqlite_event_log log(config_for(file));
    write_long_meeting(log);
  }
  const auto size = fs::file_size(file);
  {
    std::fstream out(file, std::ios::in | std::ios::out | std::ios::binary);
    out.seekp(static_cast<std::streamoff>(size / 2 / 4096 * 4096));
    std::mt19937 random(42);
    for (int i = 0; i < 4096; ++i) out.put(static_cast<char>(random()));
  }
  const auto message = open_error(file);
  EXPECT_NE(message.find(file.string()), std::string::npos) << message;
  EXPECT_NE(message.find("damaged"), std::string::npos) << message;
}

// A WAL cut short (a crash while copying, a disk that lost its tail) loses the commits in the
// missing part: the file opens at the last complete commit, consistent, like after power loss.
TEST(sqlite_event_log, a_cut_wal_opens_at_its_last_complete_commit) {
  temp_folder dir;
  const auto file = dir / "majlis.db";
  temp_folder copy;
  const auto copied = copy / "majlis.db";
  {
    sqlite_event_log log(config_for(file));
    write_long_meeting(log);
    // A copy taken while the log is open, as if the process had died here.
    fs::copy_file(file, copied);
    fs::copy_file(dir / "majlis.db-wal", copy / "majlis.db-wal");
  }
  const auto wal_size = fs::file_size(copy / "majlis.db-wal");
  ASSERT_GT(wal_size, 100'000u) << "the events should still be in the WAL";
  fs::resize_file(copy / "majlis.db-wal", wal_size / 2);
  sqlite_event_log log(config_for(copied));
  auto read = run(log.read("m", 0, 5000));
  ASSERT_EQ(read.status, read_status::ok);
  EXPECT_GT(read.head_seq, 1u);
  EXPECT_LT(read.head_seq, 2000u);
  ASSERT_EQ(read.events.size(), read.head_seq);
  for (uint64_t i = 0; i < read.events.size(); ++i) ASSERT_EQ(read.events[i].seq(), i + 1);
  auto snapshot = run(log.load_snapshot("m"));
  EXPECT_FALSE(snapshot.state.has_value()) << "the snapshot was the last commit";
  auto next = run(log.append("m", read.head_seq, {titled("after the cut")}));
  EXPECT_EQ(next.status, append_status::ok);
}

TEST(sqlite_event_log, refuses_a_file_in_a_missing_folder) {
  temp_folder dir;
  const auto file = dir / "missing" / "majlis.db";
  const auto message = open_error(file);
  EXPECT_NE(message.find(file.string()), std::string::npos) << message;
  EXPECT_NE(message.find("check that its folder exists"), std::string::npos) << message;
}

TEST(sqlite_event_log, refuses_a_file_it_cannot_write) {
  if (::getuid() != 0) GTEST_SKIP() << "needs root to mount a read-only tmpfs";
  temp_folder dir;
  mounted_tmpfs disk(dir / "disk", "2m");
  ASSERT_TRUE(disk.mounted()) << "mount -t tmpfs failed: " << disk.error();
  const auto file = dir / "disk" / "majlis.db";
  {
    sqlite_event_log log(config_for(file));
    run(log.create("m", titled("a")));
  }
  ASSERT_TRUE(disk.remount_read_only()) << std::strerror(errno);
  const auto message = open_error(file);
  EXPECT_NE(message.find(file.string()), std::string::npos) << message;
  EXPECT_NE(message.find("cannot be opened for writing"), std::string::npos) << message;
}

// Writes a file until the disk is full; false if the disk never filled.
bool fill_disk(const fs::path& filler) {
  const int fd = ::open(filler.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
  if (fd < 0) return false;
  const std::string chunk(size_t{64} * 1024, 'f');
  bool full = false;
  for (size_t size : {chunk.size(), size_t{1}}) {
    while (true) {
      const auto written = ::write(fd, chunk.data(), size);
      if (written < 0) {
        full = errno == ENOSPC;
        break;
      }
    }
  }
  ::close(fd);
  return full;
}

TEST(sqlite_event_log, a_full_disk_makes_appends_unavailable_until_space_is_back) {
  if (::getuid() != 0) GTEST_SKIP() << "needs root to mount a small tmpfs";
  temp_folder dir;
  mounted_tmpfs disk(dir / "disk", "2m");
  ASSERT_TRUE(disk.mounted()) << "mount -t tmpfs failed: " << disk.error();
  const auto file = dir / "disk" / "majlis.db";
  const auto filler = dir / "disk" / "filler";
  const std::string wide(5000, 'w');
  {
    sqlite_event_log log(config_for(file));
    run(log.create("m", titled("a")));
    for (uint64_t seq = 1; seq < 10; ++seq) run(log.append("m", seq, {titled("x")}));
    ASSERT_TRUE(log.ready());

    ASSERT_TRUE(fill_disk(filler)) << "the tmpfs never filled up";
    auto refused = run(log.append("m", 10, {titled(wide), titled(wide), titled(wide)}));
    EXPECT_EQ(refused.status, append_status::unavailable);
    EXPECT_FALSE(log.ready());
    run(log.save_snapshot("m", state_at(10, wide)));
    EXPECT_FALSE(run(log.load_snapshot("m")).state.has_value());
    auto during = run(log.read("m", 0, 100));
    EXPECT_EQ(during.status, read_status::ok);
    EXPECT_EQ(during.head_seq, 10u);
    EXPECT_EQ(seqs_of(during.events).size(), 10u);

    fs::remove(filler);
    auto accepted = run(log.append("m", 10, {titled(wide), titled(wide), titled(wide)}));
    EXPECT_EQ(accepted.status, append_status::ok);
    EXPECT_EQ(accepted.head_seq, 13u);
    EXPECT_TRUE(log.ready());
  }
  sqlite_event_log log(config_for(file));
  auto after = run(log.read("m", 0, 100));
  EXPECT_EQ(after.head_seq, 13u);
  ASSERT_EQ(after.events.size(), 13u);
  EXPECT_EQ(after.events[12].meeting_updated().title(), wide);
}

TEST(sqlite_event_log, refuses_to_start_on_a_full_disk) {
  if (::getuid() != 0) GTEST_SKIP() << "needs root to mount a small tmpfs";
  temp_folder dir;
  mounted_tmpfs disk(dir / "disk", "2m");
  ASSERT_TRUE(disk.mounted()) << "mount -t tmpfs failed: " << disk.error();
  const auto file = dir / "disk" / "majlis.db";
  {
    sqlite_event_log log(config_for(file));
    run(log.create("m", titled("a")));
  }
  ASSERT_TRUE(fill_disk(dir / "disk" / "filler")) << "the tmpfs never filled up";
  const auto message = open_error(file);
  EXPECT_NE(message.find(file.string()), std::string::npos) << message;
  EXPECT_NE(message.find("full"), std::string::npos) << message;
}

}  // namespace
}  // namespace majlis::store
