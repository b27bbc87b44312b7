#include "net/command_limiter.hpp"

#include <gtest/gtest.h>

namespace majlis::net {
namespace {

using namespace std::chrono_literals;
using verdict = command_limiter::verdict;

TEST(net_command_limiter, burst_then_reject_then_flood) {
  const auto t0 = command_limiter::clock::time_point{} + 1h;
  command_limiter limiter(20, 4, t0);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(limiter.admit(t0), verdict::accept) << i;
  for (int i = 0; i < 7; ++i) EXPECT_EQ(limiter.admit(t0), verdict::reject) << i;
  EXPECT_EQ(limiter.admit(t0), verdict::flood);
}

TEST(net_command_limiter, refills_at_the_configured_rate) {
  const auto t0 = command_limiter::clock::time_point{} + 1h;
  command_limiter limiter(10, 2, t0);
  EXPECT_EQ(limiter.admit(t0), verdict::accept);
  EXPECT_EQ(limiter.admit(t0), verdict::accept);
  EXPECT_EQ(limiter.admit(t0), verdict::reject);
  EXPECT_EQ(limiter.admit(t0 + 100ms), verdict::accept);
  EXPECT_EQ(limiter.admit(t0 + 100ms), verdict::reject);
  // The bucket never holds more than the burst.
  EXPECT_EQ(limiter.admit(t0 + 10s), verdict::accept);
  EXPECT_EQ(limiter.admit(t0 + 10s), verdict::accept);
  EXPECT_EQ(limiter.admit(t0 + 10s), verdict::reject);
}

TEST(net_command_limiter, rejections_spread_over_seconds_are_not_a_flood) {
  const auto t0 = command_limiter::clock::time_point{} + 1h;
  command_limiter limiter(1, 2, t0);
  auto now = t0;
  // Two rejections per second for ten seconds: never 2*burst=4 within one window.
  for (int second = 0; second < 10; ++second) {
    for (int i = 0; i < 3; ++i) EXPECT_NE(limiter.admit(now), verdict::flood);
    now += 1001ms;
  }
}

}  // namespace
}  // namespace majlis::net
