#include "net/address_limits.hpp"

#include <string>

#include <gtest/gtest.h>

namespace majlis::net {
namespace {

using namespace std::chrono_literals;
using verdict = address_limits::verdict;
const auto t0 = address_limits::clock::time_point{} + 1h;

address_limits_config unlimited() {
  address_limits_config config;
  config.max_connections = 0;
  config.joins_per_second = 0;
  config.failed_auth_limit = 0;
  return config;
}

TEST(net_address_limits, connections_per_address_are_capped_and_released) {
  auto config = unlimited();
  config.max_connections = 2;
  address_limits limits(config);
  EXPECT_EQ(limits.admit_connection("10.0.0.1", t0), verdict::accept);
  EXPECT_EQ(limits.admit_connection("10.0.0.1", t0), verdict::accept);
  EXPECT_EQ(limits.admit_connection("10.0.0.1", t0), verdict::too_many_connections);
  EXPECT_EQ(limits.admit_connection("10.0.0.2", t0), verdict::accept);  // counted apart
  limits.release_connection("10.0.0.1", t0);
  EXPECT_EQ(limits.admit_connection("10.0.0.1", t0), verdict::accept);
}

TEST(net_address_limits, joins_per_address_follow_a_token_bucket) {
  auto config = unlimited();
  config.joins_per_second = 10;
  config.join_burst = 3;
  address_limits limits(config);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limits.admit_connection("a", t0), verdict::accept) << i;
  EXPECT_EQ(limits.admit_connection("a", t0), verdict::joins_too_fast);
  EXPECT_EQ(limits.admit_connection("b", t0), verdict::accept);
  EXPECT_EQ(limits.admit_connection("a", t0 + 100ms), verdict::accept);
  EXPECT_EQ(limits.admit_connection("a", t0 + 100ms), verdict::joins_too_fast);
}

TEST(net_address_limits, failed_authentications_throttle_until_the_window_passes) {
  auto config = unlimited();
  config.failed_auth_limit = 3;
  config.failed_auth_window = 60s;
  address_limits limits(config);
  limits.record_failed_auth("a", t0);
  limits.record_failed_auth("a", t0 + 1s);
  EXPECT_EQ(limits.auth_retry_after("a", t0 + 2s), address_limits::clock::duration::zero());
  limits.record_failed_auth("a", t0 + 2s);
  EXPECT_EQ(limits.auth_retry_after("a", t0 + 2s), 58s);
  EXPECT_EQ(limits.admit_connection("a", t0 + 2s), verdict::auth_throttled);
  EXPECT_EQ(limits.auth_retry_after("b", t0 + 2s), address_limits::clock::duration::zero());
  EXPECT_EQ(limits.auth_retry_after("a", t0 + 60s), address_limits::clock::duration::zero());
  EXPECT_EQ(limits.admit_connection("a", t0 + 60s), verdict::accept);
  // A new window starts at the next failure.
  limits.record_failed_auth("a", t0 + 61s);
  EXPECT_EQ(limits.auth_retry_after("a", t0 + 61s), address_limits::clock::duration::zero());
}

TEST(net_address_limits, the_table_forgets_idle_addresses_and_stays_bounded) {
  auto config = unlimited();
  config.joins_per_second = 1;
  config.join_burst = 1;
  config.failed_auth_limit = 5;
  config.max_addresses = 100;
  address_limits limits(config);
  EXPECT_EQ(limits.admit_connection("held", t0), verdict::accept);
  for (int i = 0; i < 1000; ++i) {
    limits.record_failed_auth("spoof-" + std::to_string(i), t0);
    EXPECT_LE(limits.tracked_addresses(), config.max_addresses);
  }
  // The address holding a connection is never forgotten: its count stays right.
  EXPECT_EQ(limits.admit_connection("held", t0 + 1s), verdict::accept);
  limits.release_connection("held", t0 + 1s);
  limits.release_connection("held", t0 + 1s);
  // The sweep at t0 + 2h drops every idle address; a released one with its bucket full again
  // leaves nothing behind.
  EXPECT_EQ(limits.admit_connection("fresh", t0 + 2h), verdict::accept);
  EXPECT_EQ(limits.tracked_addresses(), 1u);
  limits.release_connection("fresh", t0 + 2h + 1s);
  EXPECT_EQ(limits.tracked_addresses(), 0u);
}

TEST(net_client_address, the_last_address_of_a_trusted_header_wins) {
  EXPECT_EQ(client_address("127.0.0.1", ""), "127.0.0.1");
  EXPECT_EQ(client_address("127.0.0.1", "203.0.113.9"), "203.0.113.9");
  EXPECT_EQ(client_address("127.0.0.1", "1.1.1.1, 198.51.100.7 "), "198.51.100.7");
  EXPECT_EQ(client_address("127.0.0.1", "2001:db8::1"), "2001:db8::1");
  EXPECT_EQ(client_address("::ffff:10.1.2.3", ""), "10.1.2.3");
  EXPECT_EQ(client_address("127.0.0.1", "not an address"), "127.0.0.1");
}

}  // namespace
}  // namespace majlis::net
