// Limits per source address: open WebSocket connections, a join-rate token bucket, and failed
// authentications (HTTP 401, WebSocket 4001) that throttle the address for a while. Sans-I/O:
// the caller passes the time. Thread-safe (one mutex; every call is O(1) but for the sweep of
// idle entries, which runs at most once per sweep interval or when the table is full).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace majlis::net {

struct address_limits_config {
  // Open WebSocket connections from one address; 0 = unlimited. Generous: a hall behind one NAT.
  std::size_t max_connections = 1000;
  // New WebSocket connections (joins) per second from one address, and the bucket's capacity;
  // 0 per second = unlimited.
  std::uint32_t joins_per_second = 20;
  std::uint32_t join_burst = 200;
  // This many failed authentications within the window throttle the address until the window
  // (which starts at the first failure) has passed; 0 = never throttled.
  std::uint32_t failed_auth_limit = 10;
  std::chrono::milliseconds failed_auth_window{60'000};
  // Addresses remembered at most; idle ones are forgotten first (bounded memory).
  std::size_t max_addresses = 100'000;
};

// The client's address for the limits: the TCP peer, or, when a trusted proxy header is set
// and present, the last address in it (the one the proxy appended). A value that is not an IP
// address falls back to the peer.
std::string client_address(std::string_view peer, std::string_view proxy_header_value);

class address_limits {
 public:
  using clock = std::chrono::steady_clock;
  enum class verdict : std::uint8_t { accept, auth_throttled, too_many_connections, joins_too_fast };

  explicit address_limits(address_limits_config config);

  // A new WebSocket connection from `address`. accept: it is counted until release_connection.
  verdict admit_connection(const std::string& address, clock::time_point now);
  void release_connection(const std::string& address, clock::time_point now);
  void record_failed_auth(const std::string& address, clock::time_point now);
  // How long until `address` may authenticate again; zero when it is not throttled.
  clock::duration auth_retry_after(const std::string& address, clock::time_point now);

  const address_limits_config& config() const { return config_; }
  std::size_t tracked_addresses() const;

 private:
  struct entry {
    std::size_t open = 0;
    double tokens = 0;  // join bucket
    clock::time_point refilled_at;
    std::uint32_t failures = 0;
    clock::time_point failures_since;
  };

  entry& find_or_add(const std::string& address, clock::time_point now);
  bool idle(const entry& e, clock::time_point now) const;
  void refill(entry& e, clock::time_point now) const;
  bool window_over(const entry& e, clock::time_point now) const;
  void sweep(clock::time_point now);

  const address_limits_config config_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, entry> entries_;
  clock::time_point last_sweep_{};
};

}  // namespace majlis::net
