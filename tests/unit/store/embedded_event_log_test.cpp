#include <algorithm>
#include "store/embedded_event_log.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

namespace majlis::store {
namespace {

v1::Event titled(const std::string& title) {
  v1::Event event;
  event.mutable_meeting_updated()->set_title(title);
  return event;
}

// Runs one awaitable to completion on a private io_context.
template <typename T>
T run(boost::asio::awaitable<T> task) {
  boost::asio::io_context io;
  auto future = boost::asio::co_spawn(io, std::move(task), boost::asio::use_future);
  io.run();
  return future.get();
}

TEST(embedded_event_log, create_then_append_assigns_consecutive_seqs) {
  embedded_event_log log;
  EXPECT_EQ(run(log.create("m", titled("a"))).status, append_status::ok);
  EXPECT_EQ(run(log.create("m", titled("a"))).status, append_status::exists);
  auto appended = log.append_now("m", 1, {titled("b"), titled("c")});
  EXPECT_EQ(appended.status, append_status::ok);
  EXPECT_EQ(appended.head_seq, 3u);
  auto read = log.read_now("m", 1, 10);
  ASSERT_EQ(read.events.size(), 2u);
  EXPECT_EQ(read.events[0].seq(), 2u);
  EXPECT_EQ(read.events[1].seq(), 3u);
  EXPECT_EQ(read.events[1].meeting_updated().title(), "c");
}

TEST(embedded_event_log, a_stale_expected_seq_conflicts_and_appends_nothing) {
  embedded_event_log log;
  run(log.create("m", titled("a")));
  log.append_now("m", 1, {titled("b")});
  auto stale = log.append_now("m", 1, {titled("x")});
  EXPECT_EQ(stale.status, append_status::conflict);
  EXPECT_EQ(stale.head_seq, 2u);
  EXPECT_EQ(log.read_now("m", 0, 10).events.size(), 2u);
}

TEST(embedded_event_log, unknown_meetings_are_not_found) {
  embedded_event_log log;
  EXPECT_EQ(log.append_now("nope", 0, {titled("a")}).status, append_status::not_found);
  EXPECT_EQ(log.read_now("nope", 0, 10).status, read_status::not_found);
}

TEST(embedded_event_log, meeting_ids_lists_every_meeting_created) {
  embedded_event_log log;
  EXPECT_EQ(run(log.meeting_ids()), std::optional<std::vector<std::string>>(std::vector<std::string>{}));
  run(log.create("b", titled("b")));
  run(log.create("a", titled("a")));
  auto ids = run(log.meeting_ids());
  ASSERT_TRUE(ids.has_value());
  std::sort(ids->begin(), ids->end());
  EXPECT_EQ(*ids, (std::vector<std::string>{"a", "b"}));
}

TEST(embedded_event_log, subscribers_get_each_committed_batch_in_order) {
  embedded_event_log log;
  run(log.create("m", titled("a")));
  std::vector<uint64_t> seen;
  log.subscribe("m", [&](const std::string& id, uint64_t, event_batch batch) {
    EXPECT_EQ(id, "m");
    for (const auto& e : *batch) seen.push_back(e.seq());
  });
  log.append_now("m", 1, {titled("b")});
  log.append_now("m", 2, {titled("c"), titled("d")});
  EXPECT_EQ(seen, (std::vector<uint64_t>{2, 3, 4}));
  log.unsubscribe("m");
  log.append_now("m", 4, {titled("e")});
  EXPECT_EQ(seen.size(), 3u);
}

TEST(embedded_event_log, snapshots_trim_behind_the_retention_window) {
  embedded_event_log log(embedded_log_config{.retention_events = 2});
  run(log.create("m", titled("a")));
  for (uint64_t seq = 1; seq < 10; ++seq) log.append_now("m", seq, {titled("x")});
  v1::MeetingState state;
  state.set_seq(10);
  run(log.save_snapshot("m", state));
  EXPECT_EQ(log.read_now("m", 0, 100).status, read_status::trimmed);
  auto recent = log.read_now("m", 8, 100);
  EXPECT_EQ(recent.status, read_status::ok);
  EXPECT_EQ(recent.events.size(), 2u);
  auto snapshot = run(log.load_snapshot("m"));
  ASSERT_TRUE(snapshot.state.has_value());
  EXPECT_EQ(snapshot.state->seq(), 10u);
}

TEST(embedded_event_log, refuses_batches_and_meetings_past_their_limits) {
  embedded_event_log log(embedded_log_config{.max_meetings = 1, .max_batch_events = 2});
  run(log.create("m", titled("a")));
  EXPECT_EQ(run(log.create("n", titled("a"))).status, append_status::too_large);
  EXPECT_EQ(log.append_now("m", 1, {titled("b"), titled("c"), titled("d")}).status,
            append_status::too_large);
}

}  // namespace
}  // namespace majlis::store
