// The Redis event log against a real redis-server: create, append, conflicts, reads, trimming
// behind snapshots, subscriptions between two instances, the Lua script's NOSCRIPT recovery,
// fail-fast while Redis is down, and what a restart does (with and without persistence).
#include "store/redis_event_log.hpp"

#include <atomic>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "io_thread.hpp"
#include "redis_server_process.hpp"

namespace majlis::store {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using majlis::testing::eventually;
using majlis::testing::io_thread;
using majlis::testing::redis_server_process;

v1::Event titled(const std::string& title) {
  v1::Event event;
  event.set_at_ms(1'700'000'000'000);
  event.set_actor_id("chair");
  event.mutable_meeting_updated()->set_title(title);
  return event;
}

std::vector<v1::Event> titled_batch(const std::vector<std::string>& titles) {
  std::vector<v1::Event> events;
  for (const auto& title : titles) events.push_back(titled(title));
  return events;
}

redis_log_config config_for(const redis_server_process& redis) {
  redis_log_config cfg;
  cfg.redis.url = *redis::parse_redis_url(redis.url());
  cfg.redis.connect_timeout = 1s;
  cfg.redis.command_timeout = 1s;
  cfg.redis.health_check_interval = 200ms;
  cfg.redis.reconnect_initial = 20ms;
  cfg.redis.reconnect_max = 200ms;
  cfg.head_check_interval = 100ms;
  return cfg;
}

// What a subscriber heard, for assertions from the test thread.
struct listener {
  struct batch {
    std::string meeting;
    uint64_t epoch;
    std::vector<v1::Event> events;
  };
  struct change {
    std::string meeting;
    log_change kind;
    uint64_t epoch;
    uint64_t head;
  };

  std::mutex mutex;
  std::vector<batch> batches;
  std::vector<change> changes;

  void attach(event_log& log, const std::string& meeting_id) {
    log.subscribe(meeting_id, [this](const std::string& m, uint64_t epoch, event_batch events) {
      std::lock_guard lock(mutex);
      batches.push_back({m, epoch, *events});
    });
    log.watch(meeting_id,
              [this](const std::string& m, log_change kind, uint64_t epoch, uint64_t head) {
                std::lock_guard lock(mutex);
                changes.push_back({m, kind, epoch, head});
              });
  }
  // Every seq delivered, in delivery order.
  std::vector<uint64_t> seqs() {
    std::lock_guard lock(mutex);
    std::vector<uint64_t> out;
    for (const auto& b : batches)
      for (const auto& e : b.events) out.push_back(e.seq());
    return out;
  }
  bool saw_seq(uint64_t seq) {
    const auto all = seqs();
    return std::find(all.begin(), all.end(), seq) != all.end();
  }
  bool saw_head(uint64_t head) {
    std::lock_guard lock(mutex);
    for (const auto& c : changes)
      if (c.kind == log_change::head_seen && c.head >= head) return true;
    return false;
  }
  std::optional<uint64_t> epoch_change() {
    std::lock_guard lock(mutex);
    for (auto it = changes.rbegin(); it != changes.rend(); ++it)
      if (it->kind == log_change::epoch_changed) return it->epoch;
    return std::nullopt;
  }
  size_t epoch_changes() {
    std::lock_guard lock(mutex);
    return static_cast<size_t>(std::count_if(changes.begin(), changes.end(), [](const change& c) {
      return c.kind == log_change::epoch_changed;
    }));
  }
};

class RedisEventLog : public ::testing::Test {
 protected:
  explicit RedisEventLog(redis_server_process::options options = {}) : redis_(std::move(options)) {}

  std::unique_ptr<redis_event_log> started_log(redis_log_config cfg) {
    auto log = std::make_unique<redis_event_log>(io_.executor(), std::move(cfg));
    log->start();
    EXPECT_TRUE(eventually([&] { return log->ready(); }));
    return log;
  }
  std::unique_ptr<redis_event_log> started_log() { return started_log(config_for(redis_)); }

  append_result create(event_log& log, const std::string& id, const std::string& title = "t") {
    return io_.run(log.create(id, titled(title)));
  }
  append_result append(event_log& log, const std::string& id, uint64_t expected,
                       std::vector<v1::Event> events) {
    return io_.run(log.append(id, expected, std::move(events)));
  }
  read_result read(event_log& log, const std::string& id, uint64_t after, size_t max = 100) {
    return io_.run(log.read(id, after, max));
  }

  redis_server_process redis_;
  io_thread io_;
};

TEST_F(RedisEventLog, CreatesAppendsAndReadsInSeqOrder) {
  auto log = started_log();
  const auto created = create(*log, "m1", "Digital policy reform");
  ASSERT_EQ(created.status, append_status::ok);
  EXPECT_EQ(created.head_seq, 1u);
  EXPECT_GT(created.epoch, 0u);
  EXPECT_LT(created.epoch, uint64_t(1) << 53);  // exact in JavaScript

  const auto again = create(*log, "m1");
  EXPECT_EQ(again.status, append_status::exists);
  EXPECT_EQ(again.epoch, created.epoch);

  // Titles long enough for multi-byte lengths in the published batch, and Arabic text.
  const std::string arabic = "إصلاح السياسات الرقمية";
  const std::string long_title(20000, 'x');
  const auto appended = append(*log, "m1", 1, titled_batch({arabic, long_title}));
  ASSERT_EQ(appended.status, append_status::ok);
  EXPECT_EQ(appended.head_seq, 3u);
  EXPECT_EQ(appended.epoch, created.epoch);

  const auto all = read(*log, "m1", 0);
  ASSERT_EQ(all.status, read_status::ok);
  EXPECT_EQ(all.head_seq, 3u);
  EXPECT_EQ(all.epoch, created.epoch);
  ASSERT_EQ(all.events.size(), 3u);
  for (uint64_t i = 0; i < 3; ++i) EXPECT_EQ(all.events[i].seq(), i + 1);
  EXPECT_EQ(all.events[0].meeting_updated().title(), "Digital policy reform");
  EXPECT_EQ(all.events[1].meeting_updated().title(), arabic);
  EXPECT_EQ(all.events[2].meeting_updated().title(), long_title);
  EXPECT_EQ(all.events[2].actor_id(), "chair");

  const auto one = read(*log, "m1", 1, 1);
  ASSERT_EQ(one.events.size(), 1u);
  EXPECT_EQ(one.events[0].seq(), 2u);
  const auto none = read(*log, "m1", 3);
  EXPECT_EQ(none.status, read_status::ok);
  EXPECT_TRUE(none.events.empty());

  EXPECT_TRUE(io_.run(log->exists("m1")));
  EXPECT_FALSE(io_.run(log->exists("m2")));
  const auto ids = io_.run(log->meeting_ids());
  ASSERT_TRUE(ids);
  EXPECT_EQ(*ids, std::vector<std::string>{"m1"});
  EXPECT_EQ(redis_.command("TYPE {m:m1}:log"), "+stream\r\n");
}

TEST_F(RedisEventLog, UnknownMeetingsAreNotFound) {
  auto log = started_log();
  EXPECT_EQ(append(*log, "ghost", 0, titled_batch({"x"})).status, append_status::not_found);
  EXPECT_EQ(read(*log, "ghost", 0).status, read_status::not_found);
  EXPECT_EQ(io_.run(log->load_snapshot("ghost")).status, read_status::not_found);
  // Ids that would break out of the hash tag never reach Redis.
  EXPECT_EQ(create(*log, "a}b").status, append_status::not_found);
  EXPECT_FALSE(io_.run(log->exists("a{b")));
}

TEST_F(RedisEventLog, AStaleExpectedSeqConflictsAndAppendsNothing) {
  auto log = started_log();
  ASSERT_EQ(create(*log, "m").status, append_status::ok);
  ASSERT_EQ(append(*log, "m", 1, titled_batch({"first"})).status, append_status::ok);
  const auto late = append(*log, "m", 1, titled_batch({"second", "third"}));
  EXPECT_EQ(late.status, append_status::conflict);
  EXPECT_EQ(late.head_seq, 2u);
  const auto all = read(*log, "m", 0);
  ASSERT_EQ(all.events.size(), 2u);
  EXPECT_EQ(all.events[1].meeting_updated().title(), "first");
}

TEST_F(RedisEventLog, RefusesBatchesOverItsLimits) {
  auto cfg = config_for(redis_);
  cfg.max_batch_events = 3;
  cfg.max_batch_bytes = 1000;
  auto log = started_log(cfg);
  ASSERT_EQ(create(*log, "m").status, append_status::ok);
  EXPECT_EQ(append(*log, "m", 1, titled_batch({"a", "b", "c", "d"})).status,
            append_status::too_large);
  EXPECT_EQ(append(*log, "m", 1, titled_batch({std::string(2000, 'x')})).status,
            append_status::too_large);
  EXPECT_EQ(append(*log, "m", 1, titled_batch({"a", "b", "c"})).status, append_status::ok);
}

TEST_F(RedisEventLog, TwoInstancesRacingForTheSameSeqGetEveryEventExactlyOnce) {
  auto a = started_log();
  auto b = started_log();
  ASSERT_EQ(create(*a, "race").status, append_status::ok);
  constexpr int writers = 6, per_writer = 25;
  std::atomic<int> done = 0, conflicts = 0;
  for (int w = 0; w < writers; ++w) {
    event_log& log = w % 2 == 0 ? static_cast<event_log&>(*a) : *b;
    asio::co_spawn(
        io_.context(),
        [&, w]() -> asio::awaitable<void> {
          for (int i = 0; i < per_writer; ++i) {
            const std::string title = std::to_string(w) + "/" + std::to_string(i);
            for (;;) {  // decide, append with the expected seq, catch up on conflict, retry
              const auto head = (co_await log.read("race", 0, 1)).head_seq;
              std::vector<v1::Event> batch{
                  titled(title)};  // no braced lists inside co_await (GCC 12)
              auto r = co_await log.append("race", head, std::move(batch));
              if (r.status == append_status::ok) break;
              ++conflicts;
            }
          }
          ++done;
        },
        asio::detached);
  }
  ASSERT_TRUE(eventually([&] { return done == writers; }, 30s));
  const auto all = read(*a, "race", 0, 1000);
  ASSERT_EQ(all.events.size(), size_t(1 + writers * per_writer));
  std::set<std::string> titles;
  for (size_t i = 0; i < all.events.size(); ++i) {
    EXPECT_EQ(all.events[i].seq(), i + 1);
    titles.insert(all.events[i].meeting_updated().title());
  }
  EXPECT_EQ(titles.size(), all.events.size()) << "an event was appended twice";
  std::printf("[ figures  ] %d appends from 2 instances, %d conflicts retried\n",
              writers * per_writer, conflicts.load());
}

TEST_F(RedisEventLog, SnapshotsTrimTheStreamBehindTheRetentionWindow) {
  auto cfg = config_for(redis_);
  cfg.retention_events = 5;
  auto log = started_log(cfg);
  ASSERT_EQ(create(*log, "m").status, append_status::ok);
  for (uint64_t seq = 1; seq < 20; ++seq)
    ASSERT_EQ(append(*log, "m", seq, titled_batch({"e" + std::to_string(seq + 1)})).status,
              append_status::ok);

  v1::MeetingState state;
  state.set_meeting_id("m");
  state.set_title("as of 15");
  state.set_seq(15);
  io_.run(log->save_snapshot("m", state));

  // Kept: 11..20 (five behind the snapshot, and everything after it).
  EXPECT_EQ(read(*log, "m", 0).status, read_status::trimmed);
  EXPECT_EQ(read(*log, "m", 9).status, read_status::trimmed);
  const auto window = read(*log, "m", 10);
  ASSERT_EQ(window.status, read_status::ok);
  ASSERT_EQ(window.events.size(), 10u);
  EXPECT_EQ(window.events.front().seq(), 11u);
  EXPECT_EQ(window.events.back().seq(), 20u);

  auto loaded = io_.run(log->load_snapshot("m"));
  ASSERT_EQ(loaded.status, read_status::ok);
  ASSERT_TRUE(loaded.state);
  EXPECT_EQ(loaded.state->seq(), 15u);
  EXPECT_EQ(loaded.state->title(), "as of 15");
  EXPECT_EQ(loaded.head_seq, 20u);

  // An older snapshot never replaces a newer one.
  state.set_seq(12);
  state.set_title("as of 12");
  io_.run(log->save_snapshot("m", state));
  loaded = io_.run(log->load_snapshot("m"));
  ASSERT_TRUE(loaded.state);
  EXPECT_EQ(loaded.state->seq(), 15u);
}

TEST_F(RedisEventLog, ALogWithoutSnapshotLoadsAsEmptyState) {
  auto log = started_log();
  const auto created = create(*log, "m");
  const auto loaded = io_.run(log->load_snapshot("m"));
  EXPECT_EQ(loaded.status, read_status::ok);
  EXPECT_FALSE(loaded.state);
  EXPECT_EQ(loaded.head_seq, 1u);
  EXPECT_EQ(loaded.epoch, created.epoch);
}

TEST_F(RedisEventLog, BatchesAppendedOnOneInstanceReachSubscribersOnAnother) {
  auto a = started_log();
  auto b = started_log();
  const auto created = create(*a, "shared");
  listener heard;
  heard.attach(*b, "shared");
  // The confirmed subscription is reported with the head: nothing was missed up to seq 1.
  ASSERT_TRUE(eventually([&] { return heard.saw_head(1); }));

  ASSERT_EQ(append(*a, "shared", 1, titled_batch({"x", std::string(300, 'y')})).status,
            append_status::ok);
  ASSERT_TRUE(eventually([&] { return heard.saw_seq(3); }));
  {
    std::lock_guard lock(heard.mutex);
    ASSERT_EQ(heard.batches.size(), 1u);
    const auto& batch = heard.batches[0];
    EXPECT_EQ(batch.meeting, "shared");
    EXPECT_EQ(batch.epoch, created.epoch);
    ASSERT_EQ(batch.events.size(), 2u);
    // The batch Lua assembled decodes to exactly what the stream holds.
    const auto stored = read(*a, "shared", 1);
    for (size_t i = 0; i < 2; ++i)
      EXPECT_EQ(batch.events[i].SerializeAsString(), stored.events[i].SerializeAsString());
  }
  EXPECT_EQ(heard.epoch_changes(), 0u);

  // After unsubscribe nothing more arrives.
  b->unsubscribe("shared");
  ASSERT_TRUE(eventually([&] {
    return redis_.command("PUBSUB NUMSUB {m:shared}:events").find(":0") != std::string::npos;
  }));
  ASSERT_EQ(append(*a, "shared", 3, titled_batch({"z"})).status, append_status::ok);
  std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(heard.saw_seq(4));
}

TEST_F(RedisEventLog, ABatchLostInTransitIsReportedThroughTheHead) {
  auto a = started_log();
  auto b = started_log();
  create(*a, "m");
  listener heard;
  heard.attach(*b, "m");
  ASSERT_TRUE(eventually([&] { return heard.saw_head(1); }));
  // Drop b's pub/sub connection (what Redis does to a slow subscriber) and append at once:
  // the batch is published while b is not listening.
  ASSERT_TRUE(redis_.command("CLIENT KILL TYPE pubsub").starts_with(":"));
  ASSERT_EQ(append(*a, "m", 1, titled_batch({"missed"})).status, append_status::ok);
  // b hears about seq 2 through the head it reads after resubscribing (or periodically).
  EXPECT_TRUE(eventually([&] { return heard.saw_head(2); }));
}

TEST_F(RedisEventLog, RecoversFromAScriptFlush) {
  auto log = started_log();
  ASSERT_EQ(create(*log, "m").status, append_status::ok);
  ASSERT_TRUE(redis_.command("SCRIPT FLUSH").starts_with("+OK"));
  ASSERT_EQ(redis_.command("SCRIPT EXISTS " + std::string(40, '0')).substr(0, 4), "*1\r\n");
  const auto appended = append(*log, "m", 1, titled_batch({"after flush"}));
  EXPECT_EQ(appended.status, append_status::ok);
  EXPECT_EQ(appended.head_seq, 2u);
  EXPECT_EQ(create(*log, "n").status, append_status::ok);
}

TEST_F(RedisEventLog, FailsFastWhileRedisIsDownAndLosesTheLogWithoutPersistence) {
  auto log = started_log();
  const auto created = create(*log, "m");
  ASSERT_EQ(append(*log, "m", 1, titled_batch({"before"})).status, append_status::ok);
  listener heard;
  heard.attach(*log, "m");
  ASSERT_TRUE(eventually([&] { return heard.saw_head(2); }));

  redis_.stop();
  ASSERT_TRUE(eventually([&] { return !log->ready(); }, 5s));
  for (int i = 0; i < 10; ++i) {
    const auto started = std::chrono::steady_clock::now();
    const auto r = append(*log, "m", 2, titled_batch({"during"}));
    EXPECT_EQ(r.status, append_status::unavailable);
    EXPECT_EQ(read(*log, "m", 0).status, read_status::unavailable);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 100ms);
  }

  // This redis-server keeps nothing across a restart: the meeting is gone, and its watcher
  // hears that the epoch changed to "no log".
  redis_.restart();
  ASSERT_TRUE(eventually([&] { return log->ready(); }, 10s));
  ASSERT_TRUE(eventually([&] { return heard.epoch_change() == 0u; }));
  EXPECT_EQ(append(*log, "m", 2, titled_batch({"after"})).status, append_status::not_found);

  // Someone starts the meeting over: a new epoch, reported as such.
  const auto recreated = create(*log, "m");
  ASSERT_EQ(recreated.status, append_status::ok);
  EXPECT_NE(recreated.epoch, created.epoch);
  EXPECT_TRUE(eventually([&] { return heard.epoch_change() == recreated.epoch; }));
}

class RedisEventLogWithAof : public RedisEventLog {
 protected:
  RedisEventLogWithAof() : RedisEventLog({.append_only = true, .extra_args = {}}) {}
};

TEST_F(RedisEventLogWithAof, KeepsTheLogAndTheSubscriptionsAcrossARestart) {
  auto a = started_log();
  auto b = started_log();
  const auto created = create(*a, "m");
  ASSERT_EQ(append(*a, "m", 1, titled_batch({"acknowledged"})).status, append_status::ok);
  listener heard;
  heard.attach(*b, "m");
  ASSERT_TRUE(eventually([&] { return heard.saw_head(2); }));

  redis_.stop();
  ASSERT_TRUE(eventually([&] { return !a->ready() && !b->ready(); }, 5s));
  redis_.restart();
  ASSERT_TRUE(eventually([&] { return a->ready() && b->ready(); }, 10s));

  // Nothing acknowledged was lost, and the epoch is the same.
  const auto all = read(*a, "m", 0);
  ASSERT_EQ(all.status, read_status::ok);
  ASSERT_EQ(all.events.size(), 2u);
  EXPECT_EQ(all.events[1].meeting_updated().title(), "acknowledged");
  EXPECT_EQ(all.epoch, created.epoch);

  // b resubscribed by itself: a batch appended now reaches it.
  ASSERT_TRUE(eventually([&] {
    return redis_.command("PUBSUB NUMSUB {m:m}:events").find(":1") != std::string::npos;
  }));
  ASSERT_EQ(append(*a, "m", 2, titled_batch({"after restart"})).status, append_status::ok);
  EXPECT_TRUE(eventually([&] { return heard.saw_seq(3); }));
  EXPECT_EQ(heard.epoch_changes(), 0u);
}

}  // namespace
}  // namespace majlis::store
