#include "redis/config.hpp"

#include <algorithm>
#include <cmath>

namespace majlis::redis {

std::chrono::milliseconds reconnect_delay(const config& cfg, unsigned attempt, double random) {
  const double initial = static_cast<double>(std::max<long long>(cfg.reconnect_initial.count(), 0));
  const double max = static_cast<double>(std::max<long long>(cfg.reconnect_max.count(), 0));
  // 2^attempt overflows nothing here: the exponent is capped long before a double runs out.
  const double ceiling = std::min(max, initial * std::exp2(std::min(attempt, 60u)));
  const double jitter = std::clamp(cfg.reconnect_jitter, 0.0, 1.0);
  const double share = std::clamp(random, 0.0, 1.0) * jitter;
  return std::chrono::milliseconds(static_cast<long long>(std::llround(ceiling * (1.0 - share))));
}

}  // namespace majlis::redis
