#include "majlis/client/backoff.hpp"

#include <algorithm>
#include <cmath>

namespace majlis::client {

std::chrono::milliseconds backoff_ceiling(const backoff_config& config, unsigned attempt) {
  const double initial = static_cast<double>(std::max<std::int64_t>(config.initial.count(), 0));
  const double max = static_cast<double>(std::max<std::int64_t>(config.max.count(), 0));
  const double growth = std::pow(std::max(config.multiplier, 1.0), static_cast<double>(attempt));
  // pow may overflow to inf for large attempts; min() keeps the result finite.
  const double ceiling = std::min(max, initial * growth);
  return std::chrono::milliseconds{static_cast<std::int64_t>(ceiling)};
}

std::chrono::milliseconds backoff_delay(const backoff_config& config, unsigned attempt,
                                        double unit_random) {
  const double jitter = std::clamp(config.jitter, 0.0, 1.0);
  const double random = std::clamp(unit_random, 0.0, 1.0);
  const double ceiling = static_cast<double>(backoff_ceiling(config, attempt).count());
  return std::chrono::milliseconds{static_cast<std::int64_t>(ceiling * (1.0 - jitter * random))};
}

backoff_schedule::backoff_schedule(backoff_config config, std::uint64_t seed)
    : config_(config), random_(seed != 0 ? seed : std::random_device{}()) {}

std::chrono::milliseconds backoff_schedule::delay(unsigned attempt) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  return backoff_delay(config_, attempt, unit(random_));
}

}  // namespace majlis::client
