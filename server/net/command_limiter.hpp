// The per-connection command rate limit: a token bucket, plus flood detection for clients that
// keep sending into an empty bucket. Sans-I/O: the caller passes the time.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace majlis::net {

class command_limiter {
 public:
  using clock = std::chrono::steady_clock;
  enum class verdict : std::uint8_t { accept, reject, flood };

  command_limiter(std::uint32_t per_second, std::uint32_t burst, clock::time_point now)
      : per_second_(per_second),
        burst_(std::max<std::uint32_t>(burst, 1)),
        tokens_(static_cast<double>(burst_)),
        refilled_at_(now),
        window_start_(now) {}

  // accept: take a token. reject: the bucket is empty. flood: 2*burst rejections within one
  // second — the caller closes the connection.
  verdict admit(clock::time_point now) {
    refill(now);
    if (tokens_ >= 1.0) {
      tokens_ -= 1.0;
      return verdict::accept;
    }
    if (now - window_start_ >= std::chrono::seconds(1)) {
      window_start_ = now;
      rejected_in_window_ = 0;
    }
    ++rejected_in_window_;
    return rejected_in_window_ >= 2 * burst_ ? verdict::flood : verdict::reject;
  }

  std::uint32_t per_second() const { return per_second_; }

 private:
  void refill(clock::time_point now) {
    if (now <= refilled_at_) return;
    const std::chrono::duration<double> elapsed = now - refilled_at_;
    tokens_ = std::min(static_cast<double>(burst_), tokens_ + elapsed.count() * per_second_);
    refilled_at_ = now;
  }

  std::uint32_t per_second_;
  std::uint32_t burst_;
  double tokens_;
  clock::time_point refilled_at_;
  clock::time_point window_start_;
  std::uint32_t rejected_in_window_ = 0;
};

}  // namespace majlis::net
