#include "store/embedded_event_log.hpp"

#include <chrono>

namespace majlis::store {

namespace {
uint64_t process_epoch() {
  // A new process is a new log: clients that resume across a restart get a fresh snapshot.
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}
}  // namespace

embedded_event_log::embedded_event_log(embedded_log_config config)
    : config_(config), epoch_(process_epoch()) {}

boost::asio::awaitable<append_result> embedded_event_log::create(const std::string& meeting_id,
                                                                 v1::Event first) {
  std::lock_guard lock(mutex_);
  if (meetings_.contains(meeting_id)) co_return append_result{append_status::exists, 0, epoch_};
  if (meetings_.size() >= config_.max_meetings)
    co_return append_result{append_status::too_large, 0, epoch_};
  auto& log = meetings_[meeting_id];
  log.epoch = epoch_;
  first.set_seq(1);
  log.events.push_back(std::move(first));
  log.head_seq = 1;
  co_return append_result{append_status::ok, 1, epoch_};
}

append_result embedded_event_log::append_now(const std::string& meeting_id,
                                             uint64_t expected_seq,
                                             std::vector<v1::Event> events) {
  std::lock_guard lock(mutex_);
  auto it = meetings_.find(meeting_id);
  if (it == meetings_.end()) return {append_status::not_found, 0, epoch_};
  auto& log = it->second;
  if (log.head_seq != expected_seq) return {append_status::conflict, log.head_seq, log.epoch};
  if (events.size() > config_.max_batch_events)
    return {append_status::too_large, log.head_seq, log.epoch};
  if (events.empty()) return {append_status::ok, log.head_seq, log.epoch};
  for (auto& event : events) event.set_seq(++log.head_seq);
  log.events.insert(log.events.end(), events.begin(), events.end());
  if (log.subscriber) {
    log.subscriber(meeting_id, log.epoch,
                   std::make_shared<const std::vector<v1::Event>>(std::move(events)));
  }
  return {append_status::ok, log.head_seq, log.epoch};
}

boost::asio::awaitable<append_result> embedded_event_log::append(const std::string& meeting_id,
                                                                 uint64_t expected_seq,
                                                                 std::vector<v1::Event> events) {
  co_return append_now(meeting_id, expected_seq, std::move(events));
}

read_result embedded_event_log::read_now(const std::string& meeting_id, uint64_t after_seq,
                                         size_t max_events) const {
  std::lock_guard lock(mutex_);
  auto it = meetings_.find(meeting_id);
  if (it == meetings_.end()) return {read_status::not_found, {}, 0, epoch_};
  const auto& log = it->second;
  read_result result{read_status::ok, {}, log.head_seq, log.epoch};
  if (after_seq + 1 < log.first_seq) {
    result.status = read_status::trimmed;
    return result;
  }
  for (uint64_t seq = after_seq + 1; seq <= log.head_seq && result.events.size() < max_events;
       ++seq) {
    result.events.push_back(log.events[seq - log.first_seq]);
  }
  return result;
}

boost::asio::awaitable<read_result> embedded_event_log::read(const std::string& meeting_id,
                                                             uint64_t after_seq,
                                                             size_t max_events) {
  co_return read_now(meeting_id, after_seq, max_events);
}

boost::asio::awaitable<snapshot_result> embedded_event_log::load_snapshot(
    const std::string& meeting_id) {
  std::lock_guard lock(mutex_);
  auto it = meetings_.find(meeting_id);
  if (it == meetings_.end()) co_return snapshot_result{read_status::not_found, {}, 0, epoch_};
  co_return snapshot_result{read_status::ok, it->second.snapshot, it->second.head_seq,
                            it->second.epoch};
}

boost::asio::awaitable<void> embedded_event_log::save_snapshot(const std::string& meeting_id,
                                                               v1::MeetingState state) {
  std::lock_guard lock(mutex_);
  auto it = meetings_.find(meeting_id);
  if (it == meetings_.end()) co_return;
  auto& log = it->second;
  if (log.snapshot && log.snapshot->seq() >= state.seq()) co_return;
  // Keep the resume window behind the snapshot; everything older is covered by the snapshot.
  const uint64_t keep_from =
      state.seq() > config_.retention_events ? state.seq() - config_.retention_events + 1 : 1;
  if (keep_from > log.first_seq) {
    log.events.erase(log.events.begin(),
                     log.events.begin() + static_cast<std::ptrdiff_t>(keep_from - log.first_seq));
    log.first_seq = keep_from;
  }
  log.snapshot = std::move(state);
  co_return;
}

boost::asio::awaitable<append_result> embedded_event_log::start_new_epoch(
    const std::string& meeting_id, uint64_t seen_epoch, uint64_t replica_seq) {
  std::lock_guard lock(mutex_);
  auto it = meetings_.find(meeting_id);
  if (it == meetings_.end()) co_return append_result{append_status::not_found, 0, 0};
  auto& log = it->second;
  if (log.epoch == seen_epoch && log.head_seq < replica_seq) log.epoch = std::max(log.epoch, epoch_) + 1;
  co_return append_result{append_status::ok, log.head_seq, log.epoch};
}

boost::asio::awaitable<bool> embedded_event_log::exists(const std::string& meeting_id) {
  std::lock_guard lock(mutex_);
  co_return meetings_.contains(meeting_id);
}

boost::asio::awaitable<std::optional<std::vector<std::string>>> embedded_event_log::meeting_ids() {
  std::vector<std::string> ids;
  {
    std::lock_guard lock(mutex_);
    ids.reserve(meetings_.size());
    for (const auto& [id, log] : meetings_) ids.push_back(id);
  }
  co_return ids;
}

void embedded_event_log::subscribe(const std::string& meeting_id, batch_handler handler) {
  std::lock_guard lock(mutex_);
  auto it = meetings_.find(meeting_id);
  if (it != meetings_.end()) it->second.subscriber = std::move(handler);
}

void embedded_event_log::unsubscribe(const std::string& meeting_id) {
  std::lock_guard lock(mutex_);
  auto it = meetings_.find(meeting_id);
  if (it != meetings_.end()) it->second.subscriber = nullptr;
}

}  // namespace majlis::store
