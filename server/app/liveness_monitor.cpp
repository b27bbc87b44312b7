#include "app/liveness_monitor.hpp"
#include "majlis/asio/spawn_policy.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

namespace majlis::app {

namespace asio = boost::asio;

liveness_monitor::liveness_monitor(asio::any_io_executor executor, store::event_log& log,
                                   meeting_registry& registry, const server_config& config)
    : executor_(std::move(executor)), log_(log), registry_(registry), config_(config) {}

asio::awaitable<bool> liveness_monitor::beat() {
  co_return co_await log_.refresh_heartbeat(config_.instance_id, config_.heartbeat_ttl);
}

void liveness_monitor::start() {
  asio::co_spawn(executor_, run(), log_failure("liveness monitor"));
}

void liveness_monitor::stop() { stopped_ = true; }

asio::awaitable<void> liveness_monitor::run() {
  auto self = shared_from_this();
  asio::steady_timer timer(executor_);
  while (!stopped_) {
    timer.expires_after(config_.heartbeat_interval);
    co_await timer.async_wait(asio::use_awaitable);
    if (stopped_) break;
    if (!(co_await beat())) {  // the store is down: nothing to decide now
      store_was_down_ = true;
      suspects_.clear();
      continue;
    }
    if (store_was_down_) {
      store_was_down_ = false;
      trust_heartbeats_from_ = std::chrono::steady_clock::now() + config_.liveness_grace_after_outage;
      spdlog::info("event=store_back liveness_grace_ms={}", config_.liveness_grace_after_outage.count());
    }
    co_await sweep();
  }
}

asio::awaitable<void> liveness_monitor::sweep() {
  auto live = co_await log_.live_instances();
  if (!live) co_return;  // embedded store, or the store cannot say
  std::set<std::string> alive(live->begin(), live->end());
  alive.insert(config_.instance_id);

  // Right after an outage of the store, a missing heartbeat may belong to an instance that has
  // not reconnected yet: suspect, but confirm nobody.
  const bool may_confirm = std::chrono::steady_clock::now() >= trust_heartbeats_from_;
  std::set<std::string> seen_dead;
  for (auto& replica : co_await registry_.replicas()) {
    std::vector<std::string> confirmed;
    for (auto& instance : co_await replica->connection_instances()) {
      if (alive.contains(instance)) continue;
      seen_dead.insert(instance);
      if (may_confirm && suspects_.contains(instance)) confirmed.push_back(instance);
    }
    // Also closes connections of our own instance id that no longer exist here.
    replica->reconcile_connections(std::move(confirmed));
  }
  for (const auto& instance : seen_dead)
    if (!suspects_.contains(instance))
      spdlog::warn("event=instance_suspected_dead instance={}", instance);
  suspects_ = std::move(seen_dead);
}

}  // namespace majlis::app
