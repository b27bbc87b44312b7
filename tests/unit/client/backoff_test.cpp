#include "majlis/client/backoff.hpp"

#include <set>

#include <gtest/gtest.h>

namespace majlis::client {
namespace {

using std::chrono::milliseconds;

backoff_config config_with_jitter(double jitter) {
  backoff_config config;
  config.initial = milliseconds(100);
  config.max = milliseconds(5'000);
  config.multiplier = 2.0;
  config.jitter = jitter;
  return config;
}

TEST(Backoff, CeilingGrowsExponentiallyUpToTheMax) {
  const auto config = config_with_jitter(0.5);
  EXPECT_EQ(backoff_ceiling(config, 0), milliseconds(100));
  EXPECT_EQ(backoff_ceiling(config, 1), milliseconds(200));
  EXPECT_EQ(backoff_ceiling(config, 4), milliseconds(1'600));
  EXPECT_EQ(backoff_ceiling(config, 6), milliseconds(5'000));
  EXPECT_EQ(backoff_ceiling(config, 1'000), milliseconds(5'000));  // no overflow
}

TEST(Backoff, DelayStaysWithinTheJitterBand) {
  const auto config = config_with_jitter(0.5);
  EXPECT_EQ(backoff_delay(config, 2, 0.0), milliseconds(400));
  EXPECT_EQ(backoff_delay(config, 2, 0.5), milliseconds(300));
  EXPECT_GE(backoff_delay(config, 2, 0.999999), milliseconds(200));
}

TEST(Backoff, NoJitterGivesTheCeiling) {
  const auto config = config_with_jitter(0.0);
  for (double random : {0.0, 0.3, 0.99}) EXPECT_EQ(backoff_delay(config, 3, random), milliseconds(800));
}

TEST(Backoff, ScheduleDrawsWithinBoundsForEveryAttempt) {
  for (double jitter : {0.25, 0.5, 1.0}) {
    const auto config = config_with_jitter(jitter);
    backoff_schedule schedule(config, 42);
    for (unsigned attempt = 0; attempt < 12; ++attempt) {
      for (int draw = 0; draw < 200; ++draw) {
        const auto ceiling = backoff_ceiling(config, attempt);
        const auto delay = schedule.delay(attempt);
        EXPECT_LE(delay, ceiling);
        EXPECT_GE(delay.count(), static_cast<std::int64_t>(ceiling.count() * (1.0 - jitter)) - 1)
            << "jitter " << jitter << " attempt " << attempt;
      }
    }
  }
}

TEST(Backoff, JitterSpreadsTheDelays) {
  backoff_schedule schedule(config_with_jitter(0.5), 7);
  std::set<std::int64_t> seen;
  for (int draw = 0; draw < 50; ++draw) seen.insert(schedule.delay(5).count());
  EXPECT_GT(seen.size(), 10u);
}

TEST(Backoff, SameSeedSameSchedule) {
  backoff_schedule first(config_with_jitter(0.5), 99);
  backoff_schedule second(config_with_jitter(0.5), 99);
  for (unsigned attempt = 0; attempt < 8; ++attempt)
    EXPECT_EQ(first.delay(attempt), second.delay(attempt));
}

TEST(Backoff, OutOfRangeSettingsAreClamped) {
  backoff_config config = config_with_jitter(3.0);  // more than full jitter
  config.multiplier = 0.5;                          // shrinking makes no sense: treated as 1
  EXPECT_EQ(backoff_ceiling(config, 5), milliseconds(100));
  EXPECT_EQ(backoff_delay(config, 0, 0.5), milliseconds(50));
  EXPECT_GE(backoff_delay(config, 0, 1.0), milliseconds(0));
}

}  // namespace
}  // namespace majlis::client
