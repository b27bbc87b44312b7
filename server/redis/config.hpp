// How a Redis connection behaves: one plain struct with documented defaults, filled in one place
// (majlisd's configuration) and passed down.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "redis/redis_url.hpp"

namespace majlis::redis {

struct config {
  // Where Redis is (parse_redis_url). Default: a local Redis on the standard port, database 0.
  redis_url url;
  // Sent as CLIENT SETNAME (shows in CLIENT LIST); no spaces. Empty: not sent.
  std::string client_name = "majlisd";

  // Resolve + TCP connect + AUTH/SELECT/SETNAME must finish within this.
  std::chrono::milliseconds connect_timeout{2000};
  // A command that has no reply this long after it was queued fails with error::timeout. The
  // reply, if it ever comes, is dropped.
  std::chrono::milliseconds command_timeout{2000};
  // While connected, PING this often; a PING that fails or times out drops the connection and
  // starts a reconnect. Zero: no health checks.
  std::chrono::milliseconds health_check_interval{1000};

  // Reconnect delays: attempt n waits reconnect_initial * 2^n, capped at reconnect_max, minus a
  // random share of up to reconnect_jitter (0..1) of that, so instances do not reconnect in step.
  std::chrono::milliseconds reconnect_initial{50};
  std::chrono::milliseconds reconnect_max{2000};
  double reconnect_jitter = 0.5;

  // At most this many commands may wait for replies (timed-out ones included until Redis answers
  // them); more fail at once with error::too_many_pending.
  size_t max_pending = 10000;
};

// The delay before reconnect attempt `attempt` (0 = the first after a failure), for a `random`
// number in [0, 1). Pure, so the schedule is tested without clocks.
std::chrono::milliseconds reconnect_delay(const config& cfg, unsigned attempt, double random);

}  // namespace majlis::redis
