#include "app/meeting_registry.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace majlis::app {

namespace asio = boost::asio;

meeting_registry::meeting_registry(asio::any_io_executor executor, store::event_log& log,
                                   const server_config& config, app_metrics& metrics)
    : executor_(executor),
      strand_(asio::make_strand(executor)),
      log_(log),
      config_(config),
      metrics_(metrics) {}

asio::awaitable<std::shared_ptr<meeting_replica>> meeting_registry::open(std::string meeting_id) {
  // Loads run one at a time on the registry's strand, so a meeting is never loaded twice.
  co_await asio::dispatch(strand_, asio::use_awaitable);
  if (auto it = replicas_.find(meeting_id); it != replicas_.end()) co_return it->second;
  if (!(co_await log_.exists(meeting_id))) co_return nullptr;
  auto replica = std::make_shared<meeting_replica>(executor_, meeting_id, log_, config_.replica,
                                                   metrics_);
  const bool loaded = co_await replica->load();
  co_await asio::dispatch(strand_, asio::use_awaitable);
  if (!loaded) co_return nullptr;
  replicas_.emplace(meeting_id, replica);
  co_return replica;
}

asio::awaitable<store::append_status> meeting_registry::create(std::string meeting_id,
                                                               v1::Event first) {
  auto result = co_await log_.create(meeting_id, std::move(first));
  if (result.status == store::append_status::ok) metrics_.meetings_created++;
  co_return result.status;
}

asio::awaitable<std::vector<std::shared_ptr<meeting_replica>>> meeting_registry::replicas() {
  co_await asio::dispatch(strand_, asio::use_awaitable);
  std::vector<std::shared_ptr<meeting_replica>> all;
  all.reserve(replicas_.size());
  for (auto& [id, replica] : replicas_) all.push_back(replica);
  co_return all;
}

void meeting_registry::detach_all() {
  for (auto& [id, replica] : replicas_) log_.unsubscribe(id);
  replicas_.clear();
}

asio::awaitable<void> meeting_registry::close_all() {
  co_await asio::dispatch(strand_, asio::use_awaitable);
  for (auto& [id, replica] : replicas_) replica->close_all();
}

}  // namespace majlis::app
