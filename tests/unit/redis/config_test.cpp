#include "redis/config.hpp"

#include <gtest/gtest.h>

namespace majlis::redis {
namespace {

using std::chrono::milliseconds;

TEST(RedisReconnectDelay, DoublesUpToTheCap) {
  config cfg;
  cfg.reconnect_initial = milliseconds(50);
  cfg.reconnect_max = milliseconds(2000);
  cfg.reconnect_jitter = 0.5;
  EXPECT_EQ(reconnect_delay(cfg, 0, 0.0), milliseconds(50));
  EXPECT_EQ(reconnect_delay(cfg, 1, 0.0), milliseconds(100));
  EXPECT_EQ(reconnect_delay(cfg, 5, 0.0), milliseconds(1600));
  EXPECT_EQ(reconnect_delay(cfg, 6, 0.0), milliseconds(2000));
  EXPECT_EQ(reconnect_delay(cfg, 4000, 0.0), milliseconds(2000));  // no overflow
}

TEST(RedisReconnectDelay, JitterTakesOffUpToItsShare) {
  config cfg;
  cfg.reconnect_initial = milliseconds(100);
  cfg.reconnect_max = milliseconds(1000);
  cfg.reconnect_jitter = 0.5;
  EXPECT_EQ(reconnect_delay(cfg, 1, 0.5), milliseconds(150));
  EXPECT_GE(reconnect_delay(cfg, 1, 0.9999), milliseconds(100));
  cfg.reconnect_jitter = 0.0;
  EXPECT_EQ(reconnect_delay(cfg, 1, 0.9), milliseconds(200));
}

TEST(RedisConfig, DefaultsFailFastAndReconnectQuickly) {
  const config cfg;
  EXPECT_EQ(cfg.url.host, "127.0.0.1");
  EXPECT_EQ(cfg.url.port, 6379);
  EXPECT_LE(cfg.command_timeout, milliseconds(5000));
  EXPECT_LE(cfg.reconnect_max, milliseconds(5000));
  EXPECT_GT(cfg.max_pending, 0u);
}

}  // namespace
}  // namespace majlis::redis
