#include "redis/pending_queue.hpp"

#include <gtest/gtest.h>

namespace majlis::redis {
namespace {

using clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

const clock::time_point t0{};

TEST(PendingQueue, RepliesCompleteInOrder) {
  pending_queue<int> queue(10);
  void* a = queue.push(1, t0 + milliseconds(100));
  void* b = queue.push(2, t0 + milliseconds(100));
  EXPECT_EQ(queue.size(), 2u);
  EXPECT_EQ(queue.complete(a), 1);
  EXPECT_EQ(queue.complete(b), 2);
  EXPECT_TRUE(queue.empty());
  EXPECT_FALSE(queue.complete(a));  // unknown by now
}

TEST(PendingQueue, BoundCountsEveryOutstandingEntry) {
  pending_queue<int> queue(2);
  EXPECT_TRUE(queue.has_room(2));
  EXPECT_FALSE(queue.has_room(3));
  void* a = queue.push(1, t0);
  queue.push(2, t0 + milliseconds(50));
  EXPECT_FALSE(queue.has_room());
  // Expired entries still count: hiredis has yet to answer them.
  EXPECT_EQ(queue.expire(t0 + milliseconds(10)), std::vector<int>{1});
  EXPECT_FALSE(queue.has_room());
  EXPECT_FALSE(queue.complete(a));  // its late reply is dropped
  EXPECT_TRUE(queue.has_room());
}

TEST(PendingQueue, ExpiresOldestFirstAndReportsTheNextDeadline) {
  pending_queue<int> queue(10);
  queue.push(1, t0 + milliseconds(10));
  queue.push(2, t0 + milliseconds(20));
  void* c = queue.push(3, t0 + milliseconds(30));
  EXPECT_EQ(queue.next_deadline(), t0 + milliseconds(10));
  EXPECT_TRUE(queue.expire(t0 + milliseconds(5)).empty());
  EXPECT_EQ(queue.expire(t0 + milliseconds(20)), (std::vector<int>{1, 2}));
  EXPECT_EQ(queue.next_deadline(), t0 + milliseconds(30));
  EXPECT_EQ(queue.size(), 3u);
  EXPECT_EQ(queue.complete(c), 3);
  EXPECT_FALSE(queue.next_deadline());
}

TEST(PendingQueue, TakeAllReturnsOnlyLiveEntries) {
  pending_queue<int> queue(10);
  queue.push(1, t0);
  queue.push(2, t0 + milliseconds(100));
  queue.expire(t0 + milliseconds(1));
  EXPECT_EQ(queue.take_all(), std::vector<int>{2});
  EXPECT_TRUE(queue.empty());
}

}  // namespace
}  // namespace majlis::redis
