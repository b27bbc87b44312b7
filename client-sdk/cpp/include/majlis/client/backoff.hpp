// How long a reconnecting client waits before each attempt: exponential growth with jitter, so
// that many clients dropped at once (an instance restart) do not come back in lockstep.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace majlis::client {

struct backoff_config {
  std::chrono::milliseconds initial{200};  // ceiling of the first delay
  std::chrono::milliseconds max{10'000};   // the ceiling never grows past this
  double multiplier = 2.0;                 // ceiling growth per attempt (>= 1)
  double jitter = 0.5;  // fraction of the ceiling taken off at random: 0 = none, 1 = "full jitter"
  unsigned max_attempts = 8;  // reconnect attempts before giving up (>= 1)
};

// The ceiling for attempt n (0-based): min(max, initial * multiplier^n).
std::chrono::milliseconds backoff_ceiling(const backoff_config& config, unsigned attempt);

// The delay for attempt n given a uniform random number in [0, 1):
// ceiling * (1 - jitter * unit_random), so always in [ceiling * (1 - jitter), ceiling].
std::chrono::milliseconds backoff_delay(const backoff_config& config, unsigned attempt,
                                        double unit_random);

// Draws the random numbers for backoff_delay. Seed 0 = seeded from std::random_device.
class backoff_schedule {
 public:
  explicit backoff_schedule(backoff_config config, std::uint64_t seed = 0);

  // The delay before attempt n (0-based).
  std::chrono::milliseconds delay(unsigned attempt);
  const backoff_config& config() const { return config_; }

 private:
  backoff_config config_;
  std::mt19937_64 random_;
};

}  // namespace majlis::client
