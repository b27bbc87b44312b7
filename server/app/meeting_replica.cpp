#include "app/meeting_replica.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <set>
#include <spdlog/spdlog.h>

#include "app/join_token.hpp"
#include "app/wall_clock.hpp"
#include "domain/decider.hpp"
#include "domain/state_lookup.hpp"
#include "majlis/asio/spawn_policy.hpp"
#include "net/codec.hpp"
#include "net/ws_frame.hpp"

namespace majlis::app {

namespace asio = boost::asio;

namespace {

v1::ErrorCode error_for(store::append_status status) {
  switch (status) {
    case store::append_status::not_found: return v1::ERROR_CODE_NOT_FOUND;
    case store::append_status::too_large: return v1::ERROR_CODE_RESOURCE_EXHAUSTED;
    case store::append_status::conflict: return v1::ERROR_CODE_ABORTED;
    default: return v1::ERROR_CODE_UNAVAILABLE;
  }
}

std::string message_for(store::append_status status) {
  switch (status) {
    case store::append_status::not_found: return "the meeting no longer exists";
    case store::append_status::too_large: return "the change is too large for the event log";
    case store::append_status::conflict:
      return "the meeting changed concurrently too many times; try again";
    default: return "the event store is unavailable; try again shortly";
  }
}

}  // namespace

// Connection ids are "<instance id>-<counter>" (net::server), so the instance is the prefix.
std::string instance_of_connection(std::string_view connection_id) {
  const auto dash = connection_id.rfind('-');
  return std::string(dash == std::string_view::npos ? connection_id : connection_id.substr(0, dash));
}

namespace {

}  // namespace

meeting_replica::meeting_replica(asio::any_io_executor executor, std::string meeting_id,
                                 store::event_log& log, const replica_config& config,
                                 app_metrics& metrics)
    : strand_(asio::make_strand(executor)),
      meeting_id_(std::move(meeting_id)),
      log_(log),
      config_(config),
      metrics_(metrics),
      core_(meeting_id_, config, metrics),
      deadline_timer_(strand_),
      presence_timer_(strand_) {}

meeting_replica::~meeting_replica() = default;

asio::awaitable<bool> meeting_replica::load() {
  co_await asio::dispatch(strand_, asio::use_awaitable);
  auto snapshot = co_await log_.load_snapshot(meeting_id_);
  co_await asio::dispatch(strand_, asio::use_awaitable);
  if (snapshot.status != store::read_status::ok) co_return false;
  core_.reset(snapshot.state ? std::move(*snapshot.state) : v1::MeetingState(), snapshot.epoch);
  co_await load_resume_window();

  std::weak_ptr<meeting_replica> weak = weak_from_this();
  log_.subscribe(meeting_id_, [weak](const std::string&, uint64_t epoch, store::event_batch batch) {
    if (auto self = weak.lock()) {
      asio::post(self->strand_, [self, epoch, batch = std::move(batch)] {
        self->on_published(epoch, std::move(batch));
      });
    }
  });
  log_.watch(meeting_id_, [weak](const std::string&, store::log_change change, uint64_t epoch,
                                  uint64_t head_seq) {
    if (auto self = weak.lock()) {
      asio::post(self->strand_, [self, change, epoch, head_seq] {
        self->on_log_change(change, epoch, head_seq);
      });
    }
  });
  catching_up_ = true;
  co_await do_catch_up();
  metrics_.meetings_loaded++;
  spdlog::info("event=meeting_loaded meeting={} seq={} epoch={}", meeting_id_, core_.state().seq(),
               core_.epoch());
  co_return true;
}

asio::awaitable<void> meeting_replica::load_resume_window() {
  // The events up to the snapshot go into the resume window unapplied (the snapshot holds
  // them), so a client that was connected before a restart resumes by replay.
  const uint64_t until = core_.state().seq();
  const uint64_t window = config_.resume_window_events;
  uint64_t after = until > window ? until - window : 0;
  std::deque<v1::Event> recent;
  while (after < until) {
    auto result = co_await log_.read(meeting_id_, after, 1000);
    co_await asio::dispatch(strand_, asio::use_awaitable);
    if (result.status != store::read_status::ok || result.events.empty()) break;
    for (auto& event : result.events) {
      if (event.seq() > until) break;
      if (!recent.empty() && event.seq() != recent.back().seq() + 1) recent.clear();
      after = event.seq();
      recent.push_back(std::move(event));
    }
    if (result.events.back().seq() >= until) break;
  }
  core_.set_resume_window(std::move(recent));
}

asio::awaitable<void> meeting_replica::do_catch_up() {
  // catching_up_ is set by the caller, on the strand.
  for (int round = 0; round < 10000; ++round) {
    auto result = co_await log_.read(meeting_id_, core_.state().seq(), 1000);
    co_await asio::dispatch(strand_, asio::use_awaitable);
    if (result.status == store::read_status::trimmed) {
      // The events we need are behind a snapshot: start again from it.
      auto snapshot = co_await log_.load_snapshot(meeting_id_);
      co_await asio::dispatch(strand_, asio::use_awaitable);
      if (!snapshot.state || snapshot.state->seq() <= core_.state().seq()) break;  // no way forward now
      core_.reset(std::move(*snapshot.state));
      continue;
    }
    if (result.status == store::read_status::ok && result.epoch == core_.epoch() &&
        result.head_seq < core_.state().seq()) {
      on_regression(result.head_seq);
      break;
    }
    if (result.status != store::read_status::ok || result.events.empty()) break;
    apply(result.events);  // a read is contiguous: no gap for apply() to find
    if (core_.state().seq() >= result.head_seq) break;
  }
  catching_up_ = false;
}

void meeting_replica::on_published(uint64_t epoch, store::event_batch batch) {
  if (config_.drop_published_every != 0 &&
      ++published_batches_ % config_.drop_published_every == 0) {
    spdlog::warn("event=test_dropped_batch meeting={} first_seq={}", meeting_id_,
                 batch->empty() ? 0 : batch->front().seq());
    return;
  }
  if (epoch != core_.epoch()) {
    on_log_change(store::log_change::epoch_changed, epoch, 0);
    return;
  }
  apply(*batch);
}

void meeting_replica::on_log_change(store::log_change change, uint64_t epoch,
                                    uint64_t head_seq) {
  if (change == store::log_change::epoch_changed || (epoch != 0 && epoch != core_.epoch())) {
    if (reloading_) return;
    reloading_ = true;
    spdlog::warn("event=epoch_changed meeting={} old={} new={}", meeting_id_, core_.epoch(), epoch);
    asio::co_spawn(strand_, do_reload(), log_failure("replica reload"));
    return;
  }
  // A batch that never arrived (or an outage that ended): fill the gap from the log.
  if (head_seq > core_.state().seq()) start_catch_up();
  // A head behind us in our epoch: the log lost what we applied.
  if (change == store::log_change::head_seen && epoch == core_.epoch() &&
      head_seq < core_.state().seq())
    on_regression(head_seq);
}

void meeting_replica::check_claimed_seq(uint64_t claimed_seq) {
  // A client that saw a seq past ours in our epoch: either we lag behind the log (another
  // instance appended), or the log lost events that client saw (restored from a backup). The
  // store compares with its head. A token holder could claim any seq, so one check a minute.
  const auto now = std::chrono::steady_clock::now();
  if (reloading_ || checking_head_ || now < next_claim_check_) return;
  next_claim_check_ = now + std::chrono::minutes(1);
  checking_head_ = true;
  asio::co_spawn(strand_, do_regression(claimed_seq), log_failure("replica regression"));
}

void meeting_replica::on_regression(uint64_t head_seq) {
  // A head read before our own last append committed looks behind too: the store compares
  // with its head as it is now, so a stale reading costs one round trip and changes nothing.
  if (reloading_ || checking_head_) return;
  checking_head_ = true;
  spdlog::debug("event=log_behind meeting={} epoch={} head={} applied={}", meeting_id_,
                core_.epoch(), head_seq, core_.state().seq());
  asio::co_spawn(strand_, do_regression(core_.state().seq()), log_failure("replica regression"));
}

asio::awaitable<void> meeting_replica::do_regression(uint64_t seen_seq) {
  // The log's head is behind events this replica applied or a client saw. Those events are
  // void: a new epoch (one replica wins, atomically in the store) makes every replica reload
  // and every client rejoin for a fresh snapshot, so no two histories share an epoch.
  const uint64_t seen_epoch = core_.epoch();
  auto result = co_await log_.start_new_epoch(meeting_id_, seen_epoch, seen_seq);
  co_await asio::dispatch(strand_, asio::use_awaitable);
  checking_head_ = false;
  // Unreachable, or the head is not behind after all: the next head check looks again.
  if (result.status != store::append_status::ok || result.epoch == seen_epoch) co_return;
  metrics_.log_regressions++;
  spdlog::warn("event=log_regression meeting={} old_epoch={} new_epoch={} head={} seen={}",
               meeting_id_, seen_epoch, result.epoch, result.head_seq, seen_seq);
  // A batch that carried the new epoch may have started the reload already.
  if (reloading_ || core_.epoch() == result.epoch) co_return;
  reloading_ = true;
  co_await do_reload();
}

void meeting_replica::start_catch_up() {
  if (catching_up_ || reloading_) return;
  catching_up_ = true;
  metrics_.gaps_filled++;
  asio::co_spawn(strand_, do_catch_up(), log_failure("replica catch-up"));
}

asio::awaitable<void> meeting_replica::do_reload() {
  auto snapshot = co_await log_.load_snapshot(meeting_id_);
  co_await asio::dispatch(strand_, asio::use_awaitable);
  const bool gone = snapshot.status == store::read_status::not_found;
  if (!gone && snapshot.status != store::read_status::ok) {
    reloading_ = false;  // unreachable: the next head check tries again
    co_return;
  }
  core_.reset(snapshot.state ? std::move(*snapshot.state) : v1::MeetingState(), snapshot.epoch);
  if (!gone) {
    catching_up_ = true;
    co_await do_catch_up();
  }
  reloading_ = false;
  for (auto& [id, m] : members_) {
    if (gone)
      m->connection->close_with_error(net::close_code::not_found, v1::ERROR_CODE_NOT_FOUND,
                                      "the meeting's event log was lost");
    else
      m->connection->close_with_error(net::close_code::going_away, v1::ERROR_CODE_UNAVAILABLE,
                                      "the event log started over; reconnect for a fresh state");
  }
}

void meeting_replica::apply(const std::vector<v1::Event>& events) {
  core_.apply(events);
  run_actions();
}

void meeting_replica::run_actions() {
  // Drained first: an action may feed the core again (its new actions then run in turn).
  auto actions = core_.take_actions();
  for (auto& action : actions) run(action);
}

void meeting_replica::run(replica_core::action& action) {
  if (auto* out = std::get_if<replica_core::broadcast>(&action)) {
    broadcast(out->events);
  } else if (auto* close = std::get_if<replica_core::close_participant>(&action)) {
    close_kept_out(close->participant_id, close->admission);
  } else if (auto* answer = std::get_if<replica_core::answer>(&action)) {
    send_result(answer->to, answer->request_id, answer->error ? &*answer->error : nullptr,
                answer->seq);
  } else if (auto* answered = std::get_if<replica_core::answer_system>(&action)) {
    if (auto it = waiters_.find(answered->ticket); it != waiters_.end()) {
      it->second->outcome = std::move(answered->outcome);
      it->second->done.cancel();
      waiters_.erase(it);
    }
  } else if (std::holds_alternative<replica_core::start_commit>(action)) {
    asio::co_spawn(strand_, do_commit(), log_failure("replica commit"));
  } else if (std::holds_alternative<replica_core::start_catch_up>(action)) {
    start_catch_up();
  } else if (std::holds_alternative<replica_core::write_snapshot>(action)) {
    asio::co_spawn(strand_, do_snapshot(), log_failure("replica snapshot"));
  } else if (auto* deadline = std::get_if<replica_core::schedule_deadline>(&action)) {
    schedule_deadline(deadline->unix_ms);
  } else if (auto* presence = std::get_if<replica_core::schedule_presence>(&action)) {
    schedule_presence(presence->at);
  }
}

void meeting_replica::broadcast(const std::vector<const v1::Event*>& events) {
  for (int a = 0; a < domain::audience_count; ++a) {
    const auto& receivers = audiences_[a];
    if (receivers.empty()) continue;
    v1::ServerMessage message;
    auto* batch = message.mutable_events();
    for (const auto* event : events) {
      auto* out = batch->add_events();
      if (!domain::project_event(core_.state(), *event, static_cast<domain::audience>(a), *out))
        out->Clear();
      out->set_seq(event->seq());
    }
    // Encode and frame once per audience and format; every receiver writes the same bytes.
    std::optional<net::frame> binary, json;
    net::delivery delivery;  // one task per I/O thread
    for (const auto& receiver : receivers) {
      auto& frame = receiver->format == net::wire_format::json ? json : binary;
      if (!frame) frame = net::frame_once(net::encode_server_message(message, receiver->format));
      delivery.add(receiver->connection, receiver->io_thread, *frame);
    }
    delivery.send();
    metrics_.fanout_batches++;
    metrics_.deliveries += receivers.size();
  }
}

bool meeting_replica::close_if_kept_out(net::connection& connection,
                                        v1::AdmissionStatus admission) {
  if (admission == v1::ADMISSION_STATUS_LOBBY) {
    connection.close_with_error(net::close_code::in_lobby, v1::ERROR_CODE_FAILED_PRECONDITION,
                                "waiting for the chair to admit you");
    return true;
  }
  if (admission == v1::ADMISSION_STATUS_REMOVED) {
    connection.close_with_error(net::close_code::removed, v1::ERROR_CODE_PERMISSION_DENIED,
                                "the chair removed you from this meeting");
    return true;
  }
  return false;
}

void meeting_replica::close_kept_out(const std::string& participant_id,
                                     v1::AdmissionStatus admission) {
  for (auto& [id, m] : members_)
    if (m->viewer.participant_id() == participant_id) close_if_kept_out(*m->connection, admission);
}

void meeting_replica::join(std::shared_ptr<member> joiner, std::optional<v1::Resume> resume) {
  asio::post(strand_, [self = shared_from_this(), joiner = std::move(joiner),
                       resume = std::move(resume)]() mutable {
    self->do_join(std::move(joiner), std::move(resume));
  });
}

void meeting_replica::do_join(std::shared_ptr<member> joiner, std::optional<v1::Resume> resume) {
  // The chair always gets in (bounded by the per-participant limit): a meeting filled with
  // observers or registrants must not lock out the person who runs it.
  if (members_.size() >= config_.max_connections_per_meeting &&
      joiner->viewer.role() != v1::ROLE_MODERATOR) {
    joiner->connection->close_with_error(net::close_code::server_full,
                                         v1::ERROR_CODE_RESOURCE_EXHAUSTED,
                                         "this meeting has reached its connection limit");
    metrics_.joins_rejected++;
    return;
  }
  // Admission is checked here, on the strand against the current state, so a token
  // verified a moment ago cannot slip past a removal or the lobby.
  const auto& state = core_.state();
  if (const auto* known = domain::find_participant(state, joiner->viewer.participant_id());
      known != nullptr && close_if_kept_out(*joiner->connection, known->admission())) {
    metrics_.joins_rejected++;
    return;
  }
  const auto& participant_id = joiner->viewer.participant_id();
  if (limits_connections(joiner->viewer.role()) && config_.max_connections_per_participant > 0) {
    const auto held = live_connections_of(participant_id);
    if (held >= config_.max_connections_per_participant) {
      joiner->connection->close_with_error(
          net::close_code::too_many_connections, v1::ERROR_CODE_RESOURCE_EXHAUSTED,
          "this participant already holds the maximum of " +
              std::to_string(config_.max_connections_per_participant) +
              " connections to this meeting (--max-connections-per-participant); close one first");
      metrics_.joins_rejected++;
      metrics_.joins_refused_per_participant++;
      return;
    }
  }
  if (resume && resume->epoch() == core_.epoch() && resume->seq() > state.seq())
    check_claimed_seq(resume->seq());
  v1::ServerMessage message;
  auto* welcome = message.mutable_welcome();
  *welcome->mutable_you() = joiner->viewer;
  welcome->set_server_time_ms(unix_millis());
  welcome->set_epoch(core_.epoch());
  welcome->set_seq(state.seq());

  // Resume from memory (the core decides whether the window holds it all); else a snapshot,
  // which joiners share.
  std::optional<v1::Replay> replay;
  if (resume) replay = core_.replay_for(*resume, joiner->audience);
  const bool can_replay = replay.has_value();
  if (can_replay) *welcome->mutable_replay() = std::move(*replay);
  // The connection marked itself joined when it read the Join (client_connection::on_message),
  // on its own thread: marking it again from here would cost a hop to that thread per join.
  if (can_replay) {
    joiner->connection->send(message);
  } else if (!send_snapshot_welcome(*joiner, *welcome)) {
    return;
  }

  members_[joiner->viewer.connection_id()] = joiner;
  ++local_connections_[participant_id];
  joiner->format = joiner->connection->format();
  joiner->io_thread = joiner->connection->io_thread();
  audiences_[static_cast<int>(joiner->audience)].push_back(joiner);
  metrics_.members++;
  metrics_.joins++;
  spdlog::info("event=joined meeting={} participant={} connection={} role={} resumed={}",
               meeting_id_, joiner->viewer.participant_id(), joiner->viewer.connection_id(),
               role_name(joiner->viewer.role()), can_replay);

  const v1::Role role = joiner->viewer.role();
  if (domain::counted_in_audience(role)) {
    core_.audience_joined(role, std::chrono::steady_clock::now());
    run_actions();
    return;
  }
  domain::presence_change change;
  change.opened = true;
  change.who.set_id(joiner->viewer.participant_id());
  change.who.set_display_name(joiner->viewer.display_name());
  change.who.set_role(role);
  change.who.set_stakeholder_group(joiner->viewer.stakeholder_group());
  change.who.set_attendance(joiner->viewer.attendance());
  change.connection_id = joiner->viewer.connection_id();
  core_.connection_opened(std::move(change), std::chrono::steady_clock::now());
  run_actions();
}

bool meeting_replica::send_snapshot_welcome(const member& joiner, const v1::Welcome& head) {
  const auto format = joiner.connection->format();
  const auto& viewer_id = joiner.viewer.participant_id();
  const auto& state = core_.state();
  const uint64_t epoch = core_.epoch();
  try {
    snapshot_cache::bytes snapshot;
    if (domain::snapshot_depends_on_viewer(state, viewer_id)) {
      // Their own choices in a named poll: a snapshot for them alone.
      snapshot = net::encode_snapshot(domain::project_state(state, joiner.audience, viewer_id),
                                      format);
      metrics_.snapshots_encoded++;
    } else if ((snapshot = snapshots_.find(epoch, state.seq(), joiner.audience, format))) {
      metrics_.snapshot_cache_hits++;
    } else {
      snapshot = net::encode_snapshot(domain::project_state(state, joiner.audience, {}), format);
      snapshots_.store(epoch, state.seq(), joiner.audience, format, snapshot);
      metrics_.snapshots_encoded++;
    }
    joiner.connection->send(net::compose_welcome(head, std::move(snapshot), format));
  } catch (const std::exception& e) {
    spdlog::error("event=welcome_not_encoded meeting={} connection={} error=\"{}\"", meeting_id_,
                  joiner.viewer.connection_id(), e.what());
    joiner.connection->close_with_error(net::close_code::internal_error, v1::ERROR_CODE_INTERNAL,
                                        "internal error");
    return false;
  }
  return true;
}

void meeting_replica::leave(std::string connection_id) {
  asio::post(strand_, [self = shared_from_this(), connection_id = std::move(connection_id)] {
    self->do_leave(connection_id);
  });
}

void meeting_replica::do_leave(const std::string& connection_id) {
  auto it = members_.find(connection_id);
  if (it == members_.end()) return;
  auto leaving = std::move(it->second);
  members_.erase(it);
  if (auto held = local_connections_.find(leaving->viewer.participant_id());
      held != local_connections_.end() && --held->second == 0) {
    local_connections_.erase(held);
  }
  auto& list = audiences_[static_cast<int>(leaving->audience)];
  std::erase(list, leaving);
  metrics_.members--;
  spdlog::info("event=left meeting={} participant={} connection={}", meeting_id_,
               leaving->viewer.participant_id(), connection_id);

  const v1::Role role = leaving->viewer.role();
  if (domain::counted_in_audience(role)) {
    core_.audience_left(role, std::chrono::steady_clock::now());
    run_actions();
    return;
  }
  domain::presence_change change;
  change.opened = false;
  change.who.set_id(leaving->viewer.participant_id());
  change.connection_id = connection_id;
  core_.connection_closed(std::move(change), std::chrono::steady_clock::now());
  run_actions();
}

void meeting_replica::submit(std::shared_ptr<member> sender, uint64_t request_id,
                             v1::Command command) {
  metrics_.commands++;
  asio::post(strand_, [self = shared_from_this(), sender = std::move(sender), request_id,
                       command = std::move(command)]() mutable {
    auto actor_id = sender->viewer.participant_id();
    const auto role = sender->viewer.role();
    self->core_.submit(std::move(sender), std::move(actor_id), role, request_id,
                       std::move(command), std::chrono::steady_clock::now());
    self->run_actions();
  });
}

asio::awaitable<void> meeting_replica::do_commit() {
  while (core_.has_work()) {
    // Let the commands already queued on the strand join this batch: with a log that answers
    // at once (the embedded store) there is no append in flight for them to gather behind.
    co_await asio::post(strand_, asio::use_awaitable);
    auto batch = core_.take_batch(std::chrono::steady_clock::now());
    replica_core::decided_batch decided;
    store::append_result appended;
    bool head_checked = false;
    for (size_t attempt = 0;; ++attempt) {
      decided = core_.decide_batch(batch, unix_millis());
      const uint64_t base_seq = decided.base_seq;
      if (decided.events.empty()) {
        // Nothing to append, so no expected-seq check vouches that the state was the latest.
        // Behind a shared log another instance may have appended what this replica has not
        // heard of yet: a refusal is only answered after a look at the log's head.
        if (decided.refused && log_.shared() && !head_checked) {
          head_checked = true;
          auto newer = co_await log_.read(meeting_id_, base_seq, 1000);
          co_await asio::dispatch(strand_, asio::use_awaitable);
          if (newer.status == store::read_status::ok && newer.epoch == core_.epoch())
            apply(newer.events);  // what pub/sub brought meanwhile is skipped as duplicate
          if (core_.state().seq() > base_seq) continue;  // decide again on the newer state
        }
        appended = {store::append_status::ok, base_seq, core_.epoch()};
        break;
      }
      if (!decided.sealed) {
        spdlog::error("event=ballot_seal_failed meeting={}", meeting_id_);
        metrics_.append_failures++;
        appended = {store::append_status::unavailable, base_seq, core_.epoch()};
        break;
      }
      metrics_.appends++;
      appended = co_await log_.append(meeting_id_, base_seq, decided.events);
      co_await asio::dispatch(strand_, asio::use_awaitable);
      if (appended.status == store::append_status::ok) {
        // Apply our own events now; their echo from the log is then a duplicate.
        apply(decided.events);
        break;
      }
      if (appended.status != store::append_status::conflict ||
          attempt + 1 >= config_.max_commit_retries) {
        metrics_.append_failures++;
        spdlog::warn("event=append_failed meeting={} status={} attempt={}", meeting_id_,
                     static_cast<int>(appended.status), attempt);
        break;
      }
      if (appended.epoch == core_.epoch() && appended.head_seq < base_seq) {
        // Not a race: the log lost events we applied. Fail the batch; a new epoch follows.
        appended.status = store::append_status::unavailable;
        on_regression(appended.head_seq);
        break;
      }
      // Someone appended first: catch up, then decide again on the newer state.
      metrics_.append_conflicts++;
      if (!catching_up_) {
        catching_up_ = true;
        co_await do_catch_up();
      }
    }
    std::optional<domain::rejection> failure;
    if (appended.status != store::append_status::ok)
      failure = domain::rejection{error_for(appended.status), message_for(appended.status)};
    core_.finish_batch(std::move(batch), decided, failure ? &*failure : nullptr,
                       std::chrono::steady_clock::now());
    run_actions();
  }
  core_.commit_stopped();
}

void meeting_replica::send_result(const std::shared_ptr<member>& to, uint64_t request_id,
                                  const domain::rejection* error, uint64_t seq) {
  v1::ServerMessage message;
  auto* result = message.mutable_result();
  result->set_request_id(request_id);
  result->set_ok(error == nullptr);
  result->set_seq(seq);
  if (error) {
    result->mutable_error()->set_code(error->code);
    result->mutable_error()->set_message(error->message);
  }
  to->connection->send(message);
}

void meeting_replica::schedule_deadline(int64_t deadline_ms) {
  if (deadline_ms == 0) {
    deadline_timer_.cancel();
    return;
  }
  deadline_timer_.expires_after(
      std::chrono::milliseconds(std::max<int64_t>(0, deadline_ms - unix_millis())));
  deadline_timer_.async_wait([weak = weak_from_this(), deadline_ms](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self) return;
    self->core_.on_deadline(deadline_ms, unix_millis());
    self->run_actions();
  });
}

void meeting_replica::schedule_presence(std::chrono::steady_clock::time_point at) {
  presence_timer_.expires_at(at);
  presence_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self) return;
    self->core_.on_presence_due();
    self->run_actions();
  });
}

asio::awaitable<std::vector<std::string>> meeting_replica::connection_instances() {
  co_await asio::dispatch(strand_, asio::use_awaitable);
  std::vector<std::string> instances;
  auto note = [&](std::string instance) {
    if (std::find(instances.begin(), instances.end(), instance) == instances.end())
      instances.push_back(std::move(instance));
  };
  const auto& state = core_.state();
  for (const auto& participant : state.participants()) {
    for (const auto& connection_id : participant.connection_ids())
      note(instance_of_connection(connection_id));
  }
  for (const auto& count : state.audience()) note(count.instance_id());
  co_return instances;
}

asio::awaitable<bool> meeting_replica::settle() {
  co_await asio::dispatch(strand_, asio::use_awaitable);
  core_.flush_presence_now();
  run_actions();
  co_return core_.settled();
}

void meeting_replica::reconcile_connections(std::vector<std::string> dead_instances) {
  asio::post(strand_, [self = shared_from_this(), dead = std::move(dead_instances)] {
    // Our own connections are compared with the roster only when no presence change is on its
    // way to the log, so a join or leave in flight is not taken for a discrepancy.
    auto& core = self->core_;
    const bool settled = core.settled();
    const auto& state = core.state();
    auto is_dead = [&](const std::string& instance) {
      return std::find(dead.begin(), dead.end(), instance) != dead.end();
    };
    std::set<std::string> in_roster;
    std::vector<domain::presence_change> changes;
    for (const auto& participant : state.participants()) {
      for (const auto& connection_id : participant.connection_ids()) {
        in_roster.insert(connection_id);
        const auto instance = instance_of_connection(connection_id);
        // Ours but not joined here: left over from an earlier run under the same instance id.
        const bool stale_own = settled && instance == self->config_.instance_id &&
                               !self->members_.contains(connection_id);
        if (!is_dead(instance) && !stale_own) continue;
        spdlog::info("event=closing_dead_connection meeting={} participant={} connection={}",
                     self->meeting_id_, participant.id(), connection_id);
        domain::presence_change change;
        change.opened = false;
        change.who.set_id(participant.id());
        change.connection_id = connection_id;
        changes.push_back(std::move(change));
      }
    }
    // Joined here but missing from the roster: another instance took us for dead while we had
    // lost the store. Announce the connection again.
    if (settled) {
      for (const auto& [connection_id, m] : self->members_) {
        if (in_roster.contains(connection_id) || domain::counted_in_audience(m->viewer.role()))
          continue;
        spdlog::info("event=reopening_connection meeting={} participant={} connection={}",
                     self->meeting_id_, m->viewer.participant_id(), connection_id);
        domain::presence_change change;
        change.opened = true;
        change.who.set_id(m->viewer.participant_id());
        change.who.set_display_name(m->viewer.display_name());
        change.who.set_role(m->viewer.role());
        change.who.set_stakeholder_group(m->viewer.stakeholder_group());
        change.who.set_attendance(m->viewer.attendance());
        change.connection_id = connection_id;
        changes.push_back(std::move(change));
      }
    }
    // Audience counts: a dead instance's go to zero; ours are written again if the state holds
    // others (an earlier run under the same id, or zeroed while we had lost the store).
    std::vector<v1::AudienceCount> zero_counts;
    for (const auto& count : state.audience()) {
      if (!is_dead(count.instance_id())) continue;
      v1::AudienceCount zero;
      zero.set_instance_id(count.instance_id());
      zero_counts.push_back(std::move(zero));
    }
    bool own_counts = false;
    if (settled) {
      const auto own = core.own_audience();
      uint32_t observers = 0, displays = 0;
      for (const auto& count : state.audience()) {
        if (count.instance_id() != own.instance_id()) continue;
        observers = count.observers();
        displays = count.displays();
      }
      own_counts = observers != own.observers() || displays != own.displays();
    }
    core.correct_presence(std::move(changes), std::move(zero_counts), own_counts,
                          std::chrono::steady_clock::now());
    self->run_actions();
  });
}

asio::awaitable<void> meeting_replica::do_snapshot() {
  std::optional<v1::MeetingState> sealed;
  const v1::MeetingState* to_save = core_.snapshot_for_store(sealed);
  if (!to_save) co_return;
  co_await log_.save_snapshot(meeting_id_, *to_save);
  co_await asio::dispatch(strand_, asio::use_awaitable);
  metrics_.snapshots_written++;
  core_.snapshot_written();
}

asio::awaitable<std::vector<std::string>> meeting_replica::stakeholder_groups() {
  co_await asio::dispatch(strand_, asio::use_awaitable);
  const auto& groups = core_.state().stakeholder_groups();
  co_return std::vector<std::string>(groups.begin(), groups.end());
}

asio::awaitable<meeting_replica::system_outcome> meeting_replica::decide_system(
    v1::Command command) {
  co_await asio::dispatch(strand_, asio::use_awaitable);
  auto awaited = std::make_shared<waiter>(strand_);
  awaited->done.expires_at(std::chrono::steady_clock::time_point::max());
  const uint64_t ticket = next_ticket_++;
  waiters_.emplace(ticket, awaited);
  core_.submit_system(std::move(command), ticket);
  run_actions();
  // Cancelled on the strand once the commit has an outcome for it.
  boost::system::error_code ignored;
  co_await awaited->done.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  if (!awaited->outcome)
    co_return domain::rejection{v1::ERROR_CODE_UNAVAILABLE, "the meeting is unavailable"};
  co_return std::move(*awaited->outcome);
}

asio::awaitable<v1::MeetingState> meeting_replica::state_copy() {
  co_await asio::dispatch(strand_, asio::use_awaitable);
  co_return core_.state();
}

void meeting_replica::close_all() {
  asio::post(strand_, [self = shared_from_this()] {
    for (auto& [id, m] : self->members_)
      m->connection->close_with_error(net::close_code::going_away, v1::ERROR_CODE_UNAVAILABLE,
                                      "the server is shutting down; reconnect to resume");
  });
}

bool meeting_replica::limits_connections(v1::Role role) {
  // One display or observer link may serve many screens or a whole audience: those are bounded
  // by the per-address and per-meeting limits instead.
  return role == v1::ROLE_PARTICIPANT || role == v1::ROLE_MODERATOR;
}

size_t meeting_replica::live_connections_of(const std::string& participant_id) const {
  // Ours from the members (joined this instant, before the roster hears of it); the other
  // instances' from the roster, which their joins reach through the log.
  size_t held = 0;
  if (auto it = local_connections_.find(participant_id); it != local_connections_.end())
    held = it->second;
  for (const auto& participant : core_.state().participants()) {
    if (participant.id() != participant_id) continue;
    for (const auto& connection_id : participant.connection_ids()) {
      if (instance_of_connection(connection_id) != config_.instance_id) ++held;
    }
    break;
  }
  return held;
}

}  // namespace majlis::app
