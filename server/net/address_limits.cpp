#include "net/address_limits.hpp"

#include <algorithm>
#include <boost/asio/ip/address.hpp>

namespace majlis::net {
namespace {

// Idle entries are forgotten at most this often (and whenever the table is full).
constexpr auto sweep_interval = std::chrono::seconds(10);

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

// "::ffff:10.0.0.1" and "10.0.0.1" are one client.
std::string canonical(const boost::asio::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6())
        .to_string();
  }
  return address.to_string();
}

}  // namespace

std::string client_address(std::string_view peer, std::string_view proxy_header_value) {
  boost::system::error_code ec;
  if (!proxy_header_value.empty()) {
    const auto comma = proxy_header_value.rfind(',');
    const auto last =
        trim(comma == std::string_view::npos ? proxy_header_value
                                             : proxy_header_value.substr(comma + 1));
    const auto parsed = boost::asio::ip::make_address(std::string(last), ec);
    if (!ec) return canonical(parsed);
  }
  const auto parsed = boost::asio::ip::make_address(std::string(peer), ec);
  return ec ? std::string(peer) : canonical(parsed);
}

address_limits::address_limits(address_limits_config config) : config_(std::move(config)) {}

address_limits::verdict address_limits::admit_connection(const std::string& address,
                                                         clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto& e = find_or_add(address, now);
  if (config_.failed_auth_limit > 0 && e.failures >= config_.failed_auth_limit &&
      !window_over(e, now)) {
    return verdict::auth_throttled;
  }
  if (config_.max_connections > 0 && e.open >= config_.max_connections) {
    return verdict::too_many_connections;
  }
  if (config_.joins_per_second > 0) {
    refill(e, now);
    if (e.tokens < 1.0) return verdict::joins_too_fast;
    e.tokens -= 1.0;
  }
  ++e.open;
  return verdict::accept;
}

void address_limits::release_connection(const std::string& address, clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(address);
  if (it == entries_.end() || it->second.open == 0) return;
  --it->second.open;
  if (idle(it->second, now)) entries_.erase(it);
}

void address_limits::record_failed_auth(const std::string& address, clock::time_point now) {
  if (config_.failed_auth_limit == 0) return;
  std::lock_guard lock(mutex_);
  auto& e = find_or_add(address, now);
  if (e.failures == 0 || window_over(e, now)) {
    e.failures = 0;
    e.failures_since = now;
  }
  ++e.failures;
}

address_limits::clock::duration address_limits::auth_retry_after(const std::string& address,
                                                                 clock::time_point now) {
  if (config_.failed_auth_limit == 0) return clock::duration::zero();
  std::lock_guard lock(mutex_);
  auto it = entries_.find(address);
  if (it == entries_.end()) return clock::duration::zero();
  const auto& e = it->second;
  if (e.failures < config_.failed_auth_limit || window_over(e, now)) {
    return clock::duration::zero();
  }
  return e.failures_since + config_.failed_auth_window - now;
}

std::size_t address_limits::tracked_addresses() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

address_limits::entry& address_limits::find_or_add(const std::string& address,
                                                   clock::time_point now) {
  if (auto it = entries_.find(address); it != entries_.end()) return it->second;
  if (entries_.size() >= config_.max_addresses || now - last_sweep_ >= sweep_interval) {
    sweep(now);
  }
  entry fresh;
  fresh.tokens = static_cast<double>(std::max<std::uint32_t>(config_.join_burst, 1));
  fresh.refilled_at = now;
  return entries_.emplace(address, fresh).first->second;
}

bool address_limits::window_over(const entry& e, clock::time_point now) const {
  return now - e.failures_since >= config_.failed_auth_window;
}

void address_limits::refill(entry& e, clock::time_point now) const {
  if (now <= e.refilled_at) return;
  const std::chrono::duration<double> elapsed = now - e.refilled_at;
  const double burst = static_cast<double>(std::max<std::uint32_t>(config_.join_burst, 1));
  e.tokens = std::min(burst, e.tokens + elapsed.count() * config_.joins_per_second);
  e.refilled_at = now;
}

bool address_limits::idle(const entry& e, clock::time_point now) const {
  if (e.open > 0) return false;
  if (e.failures > 0 && !window_over(e, now)) return false;
  if (config_.joins_per_second == 0) return true;
  auto copy = e;
  refill(copy, now);
  return copy.tokens >= static_cast<double>(std::max<std::uint32_t>(config_.join_burst, 1));
}

void address_limits::sweep(clock::time_point now) {
  last_sweep_ = now;
  std::erase_if(entries_, [&](const auto& item) { return idle(item.second, now); });
  // Still full: forget addresses without open connections (their bucket and failures) until
  // a quarter of the table is free, so the next sweeps are not back to back.
  if (entries_.size() < config_.max_addresses) return;
  const auto target = config_.max_addresses - config_.max_addresses / 4;
  for (auto it = entries_.begin(); it != entries_.end() && entries_.size() > target;) {
    it = it->second.open == 0 ? entries_.erase(it) : std::next(it);
  }
}

}  // namespace majlis::net
