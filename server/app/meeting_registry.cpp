#include "app/meeting_registry.hpp"

#include <exception>

#include <boost/asio/as_tuple.hpp>
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
      metrics_(metrics),
      load_finished_(strand_, asio::steady_timer::time_point::max()) {}

asio::awaitable<std::shared_ptr<meeting_replica>> meeting_registry::open(std::string meeting_id) {
  co_await asio::dispatch(strand_, asio::use_awaitable);
  // One load at a time. A coroutine leaves the strand while it waits on the store, so without
  // this gate concurrent first joins on an instance would each load (and subscribe) their own
  // replica of the same meeting, and the members of all but one would stop getting events.
  while (loading_) {
    if (auto it = replicas_.find(meeting_id); it != replicas_.end()) co_return it->second;
    co_await load_finished_.async_wait(asio::as_tuple(asio::use_awaitable));
    co_await asio::dispatch(strand_, asio::use_awaitable);
  }
  if (auto it = replicas_.find(meeting_id); it != replicas_.end()) co_return it->second;
  loading_ = true;
  std::shared_ptr<meeting_replica> loaded;
  std::exception_ptr failure;
  try {
    if (co_await log_.exists(meeting_id)) {
      auto replica = std::make_shared<meeting_replica>(executor_, meeting_id, log_,
                                                       config_.replica, metrics_);
      if (co_await replica->load()) loaded = std::move(replica);
    }
  } catch (...) {
    failure = std::current_exception();
  }
  co_await asio::dispatch(strand_, asio::use_awaitable);
  if (loaded) replicas_.emplace(meeting_id, loaded);
  loading_ = false;
  load_finished_.cancel();  // wakes the waiters; each looks again
  if (failure) std::rethrow_exception(failure);
  co_return loaded;
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
